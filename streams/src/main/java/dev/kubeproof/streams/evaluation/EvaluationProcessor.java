package dev.kubeproof.streams.evaluation;

import java.io.IOException;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.image.ImageReference;
import dev.kubeproof.contract.k8s.ResourceNames;
import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.controls.cel.LiveControls;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.Severity;
import dev.kubeproof.controls.Status;
import dev.kubeproof.controls.exceptions.ExceptionRule;
import dev.kubeproof.streams.EvidenceMetrics;
import dev.kubeproof.streams.EvidenceTopologyConfig;
import dev.kubeproof.contract.evidence.EvidenceChain;

/**
 * The heart of the topology. Keeps the cluster's inventory (current objects, the images they run, the latest
 * scans) and the latest evidence per (cluster, control, resource uid); evaluates each changed object and the
 * objects that depend on it; and emits an evidence record only when a status changes, linked into its key's
 * hash chain. Inputs arrive partitioned by cluster and namespace ({@link EvaluationRouting}): a task holds its
 * namespaces' objects and a copy of the cluster-scoped objects controls read, and evaluates a broadcast copy only
 * in its home partition.
 */
public final class EvaluationProcessor implements Processor<String, EvaluationInput, String, EvaluationOutput> {
    /** Dead-letter source of inputs this processor could not use. */
    public static final String DEAD_LETTER_SOURCE = "streams.evaluate";
    /** Cause of a re-evaluation triggered by another object's change (e.g. a NetworkPolicy for its Namespace). */
    public static final String CAUSE_DEPENDENCY = "DEPENDENCY";
    /** Cause of a re-evaluation triggered by a new image scan. */
    public static final String CAUSE_SCAN = "SCAN";
    /** Cause of a transition made by a control exception's approval, change, revocation or expiry. */
    public static final String CAUSE_EXCEPTION = "EXCEPTION";
    /** Cause of a transition made by an attestation's arrival, revocation or expiry, or a cluster first seen. */
    public static final String CAUSE_ATTESTATION = "ATTESTATION";
    /** Cause of a transition made by a custom control published, changed or withdrawn while the pipeline runs. */
    public static final String CAUSE_CONTROL = "CONTROL";
    /**
     * Cause of a record that names, late, who made the change an open status rests on: its audit event arrived after
     * the change was evaluated without it. Same status and since as the record before; the chain stays append-only.
     */
    public static final String CAUSE_ATTRIBUTION = "ATTRIBUTION";
    /** Kind of the subject of attestation evidence: the cluster itself. */
    public static final String CLUSTER_KIND = "Cluster";
    /** Pseudo-kind whose changes are image scans, as {@link Evaluator#kindsToReevaluate(String)} names it. */
    public static final String IMAGE_SCAN_KIND = "ImageScan";
    private static final String NAMESPACE_KIND = "Namespace";
    /** The causes of an object's evaluation after its own change: what its write's actor made. */
    private static final Set<String> OWN_CHANGES = Set.of(ChangeType.ADDED.name(), ChangeType.MODIFIED.name(),
            ChangeType.SYNC.name());

    private final EvidenceTopologyConfig config;
    private final Evaluator evaluator;
    private final EvaluationRouting routing;
    private final Clock clock;
    private final EvidenceMetrics metrics;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, List<ControlDefinition>> controlsByKind = new HashMap<>();
    private final Map<String, ControlDefinition> controlsById = new HashMap<>();
    /** The judged kinds by the resource (plural) that names them in audit events. */
    private final Map<String, String> kindsByResource = new HashMap<>();
    private final List<ControlDefinition> attestationControls = new ArrayList<>();
    /** The controls the three maps above index; another list from the evaluator means its controls changed. */
    private List<ControlDefinition> indexedControls;
    /** Whether the published controls were compared with those this partition judged by, since it started. */
    private boolean followed;
    /** Objects parsed while handling the current input (cleared per input; invalidated on inventory writes). */
    private final Map<String, JsonNode> parsed = new HashMap<>();

    private ProcessorContext<String, EvaluationOutput> context;
    private int partition;
    private KeyValueStore<String, ResourceChange> inventory;
    private KeyValueStore<String, String> imageIndex;
    private KeyValueStore<String, ImageScan> scans;
    private KeyValueStore<String, EvidenceRecord> evidence;
    private Exemptions exemptions;
    private Attestations attestations;
    private KeyValueStore<String, String> clusters;
    private Attributions attributions;
    /** Changes waiting for the audit event of their write, by {@link Attributions#key}. */
    private KeyValueStore<String, ResourceChange> held;
    /** The published custom controls this partition has judged its objects by: control id to document digest. */
    private KeyValueStore<String, String> controlRevisions;
    /** When each held change began to wait (wall clock); after a restart, held changes wait no longer. */
    private final Map<String, Instant> heldSince = new HashMap<>();
    private final Stores stores;

    /** Names of the state stores this processor uses. */
    public record Stores(String inventory, String imageIndex, String scans, String evidence, String exceptions,
                         String exemptionIndex, String attestations, String clusters, String writes, String held,
                         String controlRevisions) {
        public String[] names() {
            return new String[] {inventory, imageIndex, scans, evidence, exceptions, exemptionIndex, attestations, clusters,
                    writes, held, controlRevisions};
        }
    }

    public EvaluationProcessor(EvidenceTopologyConfig config, Evaluator evaluator, EvaluationRouting routing, Clock clock,
                               EvidenceMetrics metrics, Stores stores) {
        this.config = Objects.requireNonNull(config, "config");
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.routing = Objects.requireNonNull(routing, "routing");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.stores = Objects.requireNonNull(stores, "stores");
        index(evaluator.controls());
    }

    private void index(List<ControlDefinition> controls) {
        controlsById.clear();
        controlsByKind.clear();
        kindsByResource.clear();
        attestationControls.clear();
        for (ControlDefinition control : controls) {
            controlsById.put(control.id(), control);
            if (control.attestation()) {
                attestationControls.add(control);
            }
            for (String kind : control.appliesTo()) {
                controlsByKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(control);
                kindsByResource.put(ResourceNames.plural(kind), kind);
            }
        }
        indexedControls = controls;
    }

    @Override
    public void init(ProcessorContext<String, EvaluationOutput> context) {
        this.context = context;
        // The evaluation sub-topology reads only the two co-partitioned repartition topics: task partition = input partition.
        this.partition = context.taskId().partition();
        this.inventory = context.getStateStore(stores.inventory());
        this.imageIndex = context.getStateStore(stores.imageIndex());
        this.scans = context.getStateStore(stores.scans());
        this.evidence = context.getStateStore(stores.evidence());
        this.exemptions = new Exemptions(context.getStateStore(stores.exceptions()),
                context.getStateStore(stores.exemptionIndex()));
        this.attestations = new Attestations(context.getStateStore(stores.attestations()));
        this.clusters = context.getStateStore(stores.clusters());
        this.attributions = new Attributions(context.getStateStore(stores.writes()),
                evaluator.auditRules().settings(), config.attributionWait());
        this.held = context.getStateStore(stores.held());
        this.controlRevisions = context.getStateStore(stores.controlRevisions());
        // Exemptions and attestations end at expiry even when no input arrives.
        context.schedule(config.exceptionCheck(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, EvaluationInput> record) {
        parsed.clear();
        followControls(record.timestamp());
        if (record.value().change() != null) {
            onChange(record, record.value().change());
        } else if (record.value().scan() != null) {
            onScan(record, record.value().scan());
        } else if (record.value().exception() != null) {
            onException(record, record.value().exception());
        } else if (record.value().write() != null) {
            onWrite(record.timestamp(), record.value().write());
        } else {
            onAttestation(record, record.value().attestation());
        }
    }

    // ---------------------------------------------------------------- resource changes

    /**
     * A change is evaluated when the audit event of its write is known (it names the actor), or at once when its
     * cluster has no audit stream here or it is a resync; otherwise it waits up to {@code attributionWait} for that
     * event, and is then evaluated with an unknown actor. Changes of one object stay in order.
     */
    private void onChange(Record<String, EvaluationInput> record, ResourceChange change) {
        String writeKey = Attributions.key(change);
        ResourceChange waiting = held.get(writeKey);
        if (waiting != null) {
            release(record.timestamp(), writeKey, waiting, Attributions.unknown());
        }
        Optional<Attributions.Write> write = attributions.writeOf(change);
        if (change.getChangeType() == ChangeType.SYNC) {
            // An object seen again: its last write is named when the audit stream has it (by resourceVersion only).
            apply(record.timestamp(), change, write.map(found -> attributions.attribute(change, found, owners(change)))
                    .orElse(null));
            return;
        }
        if (write.isPresent()) {
            apply(record.timestamp(), change, attributions.attribute(change, write.get(), owners(change)));
        } else if (config.attributionWait().isZero() || !attributions.audited(change.getClusterId())) {
            // No audit stream of the cluster here: attribution does not apply (null), rather than "unknown" everywhere.
            apply(record.timestamp(), change, attributions.audited(change.getClusterId()) ? Attributions.unknown() : null);
        } else if (change.getChangeType() == ChangeType.ADDED && createdBefore(change,
                change.getObservedAt().minus(config.attributionWait()))) {
            // Seen for the first time but created long before (a collector's first list, or after an outage): the
            // write that created it is not coming, so holding it would only delay a whole cluster's first evidence.
            apply(record.timestamp(), change, Attributions.unknown());
        } else {
            held.put(writeKey, change);
            heldSince.put(writeKey, clock.instant());
        }
    }

    /** A successful write from the audit stream: remembered, and the change waiting for it evaluated. */
    private void onWrite(long timestamp, dev.kubeproof.avro.AuditEvent write) {
        attributions.remember(write);
        String writeKey = Attributions.key(write);
        ResourceChange waiting = held.get(writeKey);
        if (waiting != null) {
            attributions.writeOf(waiting).ifPresent(found ->
                    release(timestamp, writeKey, waiting, attributions.attribute(waiting, found, owners(waiting))));
        } else {
            attributeLate(timestamp, write);
        }
    }

    /**
     * A write that made an object's current state but arrived after that state was evaluated without it (the object
     * was first seen long after its creation so it did not wait, or the audit stream lagged more than
     * {@code attributionWait}): the evidence that evaluation recorded without an actor gets a record naming him, the
     * status and its since unchanged, cause {@link #CAUSE_ATTRIBUTION}. Nothing is re-stamped; a write for another
     * resourceVersion, one without (Metadata level), or a state already attributed records nothing.
     */
    private void attributeLate(long timestamp, dev.kubeproof.avro.AuditEvent write) {
        dev.kubeproof.avro.AuditObjectReference ref = write.getObjectRef();
        String kind = kindsByResource.get(ref.getResource());
        if (kind == null || ref.getName() == null) {
            return;
        }
        ResourceChange current = inventory.get(StoreKeys.inventory(write.getClusterId(), kind,
                Attributions.namespaceOf(ref), ref.getName()));
        // Only by resourceVersion: a Metadata-level write (none) may as well be the write of a change not seen yet.
        if (current == null || ref.getResourceVersion() == null
                || !ref.getResourceVersion().equals(current.getResourceVersion())
                || !routing.evaluatedIn(current, partition)) {
            return;
        }
        Optional<Attributions.Write> found = attributions.writeOf(current)
                .filter(made -> Objects.equals(made.auditId(), write.getAuditId()));
        if (found.isEmpty()) {
            return;
        }
        dev.kubeproof.avro.Attribution attribution = attributions.attribute(current, found.get(), owners(current));
        Cause cause = new Cause(CAUSE_ATTRIBUTION, attribution.getAuditId(), null, attribution.getUsername(),
                write.getStageTimestamp(), null, null, attribution);
        for (ControlDefinition control : controlsByKind.getOrDefault(kind, List.of())) {
            String key = EvidenceKey.of(current.getClusterId(), control.id(), current.getUid());
            EvidenceRecord head = evidence.get(key);
            if (head != null && head.getStatus() != EvidenceStatus.CLOSED && unattributed(head)
                    && current.getResourceVersion().equals(head.getCause().getResourceVersion())
                    && OWN_CHANGES.contains(head.getCause().getChangeType())) {
                attribute(timestamp, current, control, head, cause);
            }
        }
    }

    private static boolean unattributed(EvidenceRecord head) {
        return head.getAttribution() == null
                || head.getAttribution().getMethod() == dev.kubeproof.avro.AttributionMethod.UNKNOWN;
    }

    private void release(long timestamp, String writeKey, ResourceChange change,
                         dev.kubeproof.avro.Attribution attribution) {
        held.delete(writeKey);
        heldSince.remove(writeKey);
        parsed.clear();
        apply(timestamp, change, attribution);
    }

    /** Held changes whose write did not come within the wait: evaluated now, the actor unknown. */
    private void releaseUnattributed() {
        Instant now = clock.instant();
        List<KeyValue<String, ResourceChange>> due = new ArrayList<>();
        try (KeyValueIterator<String, ResourceChange> all = held.all()) {
            all.forEachRemaining(entry -> {
                Instant since = heldSince.get(entry.key);
                if (since == null || !since.plus(config.attributionWait()).isAfter(now)) {
                    due.add(entry);
                }
            });
        }
        for (KeyValue<String, ResourceChange> entry : due) {
            release(now.toEpochMilli(), entry.key, entry.value, Attributions.unknown());
        }
    }

    private Attributions.OwnerLookup owners(ResourceChange change) {
        return (kind, name) -> Optional.ofNullable(inventory.get(StoreKeys.inventory(change.getClusterId(), kind,
                change.getNamespace(), name)));
    }

    private void apply(long timestamp, ResourceChange change, dev.kubeproof.avro.Attribution attribution) {
        Record<String, EvaluationInput> record = new Record<>(EvaluationRouting.scope(change), EvaluationInput.of(change),
                timestamp);
        if (change.getNamespace() == null && !NAMESPACE_KIND.equals(change.getKind())) {
            // cluster-scoped objects (Nodes, ClusterRoles...) always reach the cluster's home partition
            noticeCluster(record.timestamp(), change.getClusterId(), change.getObservedAt());
        }
        String inventoryKey = StoreKeys.inventory(change);
        ResourceChange previous = inventory.get(inventoryKey);
        boolean known = attribution != null && attribution.getMethod() != dev.kubeproof.avro.AttributionMethod.UNKNOWN;
        Cause cause = new Cause(change.getChangeType().name(), known ? attribution.getAuditId() : change.getAuditId(),
                null, known ? attribution.getUsername() : change.getActor(), change.getObservedAt(), null, null,
                attribution);
        if (previous != null && !previous.getUid().equals(change.getUid())) {
            // The delete of the previous incarnation was missed: its evidence must not stay open.
            close(record, previous, cause, "resource replaced by a new object of the same name (uid "
                    + change.getUid() + ")");
        }
        if (change.getChangeType() == ChangeType.DELETED) {
            if (previous != null) {
                unindexImages(inventoryKey, previous);
                inventory.delete(inventoryKey);
                parsed.remove(inventoryKey);
            }
            close(record, change, cause, change.getFinalStateUnknown()
                    ? "resource deleted (delete observed late; last known state)" : "resource deleted");
            reevaluateDependents(record, change, cause);
            attributions.forget(change);
            return;
        }
        if (change.getObject() == null) {
            deadLetter(record, "MISSING_FIELD", change.getKind() + " " + describe(change)
                    + ": a " + change.getChangeType() + " change without the object cannot be evaluated", change.toString());
            return;
        }
        JsonNode object;
        try {
            object = mapper.readTree(change.getObject());
        } catch (JsonProcessingException e) {
            deadLetter(record, "MALFORMED_JSON", change.getKind() + " " + describe(change)
                    + ": the object is not JSON: " + e.getOriginalMessage(), change.getObject());
            return;
        }
        if (object == null || !object.isObject()) {
            deadLetter(record, "MALFORMED_JSON", change.getKind() + " " + describe(change)
                    + ": the object is not a JSON object", change.getObject());
            return;
        }
        if (previous != null) {
            unindexImages(inventoryKey, previous);
        }
        inventory.put(inventoryKey, change);
        parsed.put(inventoryKey, object);
        indexImages(inventoryKey, object);
        evaluate(record, change, object, cause);
        reevaluateDependents(record, change, cause);
    }

    private void reevaluateDependents(Record<String, EvaluationInput> record, ResourceChange trigger, Cause cause) {
        Set<String> kinds = evaluator.kindsToReevaluate(trigger.getKind());
        if (kinds.isEmpty()) {
            return;
        }
        String scope = NAMESPACE_KIND.equals(trigger.getKind()) ? trigger.getName() : trigger.getNamespace();
        String triggerKey = StoreKeys.inventory(trigger);
        Cause dependency = new Cause(CAUSE_DEPENDENCY, cause.auditId(), null, cause.actor(), cause.at(), null, null,
                cause.attribution());
        for (String kind : kinds) {
            for (Map.Entry<String, ResourceChange> dependent : stored(trigger.getClusterId(), kind, scope).entrySet()) {
                if (!dependent.getKey().equals(triggerKey)) {
                    evaluate(record, dependent.getValue(), parse(dependent.getKey(), dependent.getValue()), dependency,
                            trigger.getKind());
                }
            }
        }
    }

    // ---------------------------------------------------------------- custom controls published while running

    /**
     * When the published custom controls changed ({@link LiveControls}: published, changed or withdrawn, while this
     * instance ran or before it started), every object of this partition that a new or changed control applies to is
     * judged at once, not at its next change, and the open evidence of a withdrawn control is CLOSED. Cause CONTROL,
     * actor: who published it. The revisions judged are kept in a store, so a restart neither misses nor repeats one.
     */
    private void followControls(long timestamp) {
        List<ControlDefinition> current = evaluator.controls();
        if (current == indexedControls && followed) {
            return;
        }
        Map<String, ControlDefinition> before = new HashMap<>(controlsById);
        index(current);
        followed = true;
        Map<String, LiveControls.Revision> revisions = evaluator instanceof LiveControls live ? live.revisions() : Map.of();
        Map<String, String> judged = new TreeMap<>();
        try (KeyValueIterator<String, String> all = controlRevisions.all()) {
            all.forEachRemaining(entry -> judged.put(entry.key, entry.value));
        }
        for (Map.Entry<String, LiveControls.Revision> published : revisions.entrySet()) {
            ControlDefinition control = controlsById.get(published.getKey());
            LiveControls.Revision revision = published.getValue();
            if (control != null && !revision.digest().equals(judged.get(published.getKey()))) {
                judgeStored(timestamp, Set.copyOf(control.appliesTo()),
                        new Cause(CAUSE_CONTROL, null, null, revision.publishedBy(), revision.publishedAt()));
                controlRevisions.put(published.getKey(), revision.digest());
            }
        }
        for (String id : judged.keySet()) {
            if (!controlsById.containsKey(id)) {
                closeWithdrawn(timestamp, id, before.get(id));
                controlRevisions.delete(id);
            }
        }
    }

    private void judgeStored(long timestamp, Set<String> kinds, Cause cause) {
        try (KeyValueIterator<String, ResourceChange> all = inventory.all()) {
            all.forEachRemaining(entry -> {
                ResourceChange object = entry.value;
                if (kinds.contains(object.getKind())) {
                    Record<String, EvaluationInput> record = new Record<>(EvaluationRouting.scope(object),
                            EvaluationInput.of(object), timestamp);
                    evaluate(record, object, parse(entry.key, object), cause);
                }
            });
        }
    }

    /**
     * Closes the open evidence of a withdrawn control, looked up by key for each stored object it could have judged:
     * point reads beside the inventory's iteration, nothing collected on the heap, the rest of the evidence untouched.
     *
     * @param known the control as this instance knew it; null when it was withdrawn while no instance ran
     */
    private void closeWithdrawn(long timestamp, String id, ControlDefinition known) {
        Cause cause = new Cause(CAUSE_CONTROL, null, null, null, Instant.ofEpochMilli(timestamp));
        try (KeyValueIterator<String, ResourceChange> all = inventory.all()) {
            all.forEachRemaining(entry -> {
                ResourceChange object = entry.value;
                if (known != null && !known.appliesTo().contains(object.getKind())) {
                    return;
                }
                EvidenceRecord head = evidence.get(EvidenceKey.of(object.getClusterId(), id, object.getUid()));
                if (head == null || head.getStatus() == EvidenceStatus.CLOSED) {
                    return;
                }
                // Withdrawn while no instance ran: the control as its last evidence describes it.
                ControlDefinition control = known != null ? known : new ControlDefinition(id, head.getControlVersion(),
                        head.getControlTitle(), "", Severity.valueOf(head.getSeverity().name()), "deploy", "custom",
                        List.of(object.getKind()), List.of(), Map.of(), head.getRemediation(), List.of(), true, null, false);
                transition(timestamp, object, control, EvidenceStatus.CLOSED, "control " + id
                        + " withdrawn from the custom controls", List.of(), cause);
            });
        }
    }

    // ---------------------------------------------------------------- image scans

    private void onScan(Record<String, EvaluationInput> record, ImageScan scan) {
        String scope = scan.getClusterId() == null ? StoreKeys.ANY_CLUSTER : scan.getClusterId();
        List<String> imageKeys = ImageReference.lookupKeys(scan);
        for (String imageKey : imageKeys) {
            String key = StoreKeys.scan(scope, imageKey);
            ImageScan existing = scans.get(key);
            if (existing == null || !existing.getScannedAt().isAfter(scan.getScannedAt())) {
                scans.put(key, scan);
            }
        }
        Set<String> kinds = evaluator.kindsToReevaluate(IMAGE_SCAN_KIND);
        if (kinds.isEmpty()) {
            return;
        }
        Set<String> affected = new LinkedHashSet<>();
        for (String imageKey : imageKeys) {
            try (KeyValueIterator<String, String> entries =
                         imageIndex.prefixScan(StoreKeys.imageIndexPrefix(imageKey), new StringSerializer())) {
                entries.forEachRemaining(entry -> affected.add(entry.value));
            }
        }
        Cause cause = new Cause(CAUSE_SCAN, null, scan.getScanId(), null, scan.getScannedAt());
        for (String inventoryKey : affected) {
            if (!scope.equals(StoreKeys.ANY_CLUSTER) && !inventoryKey.startsWith(scope + "/")) {
                continue;
            }
            ResourceChange object = inventory.get(inventoryKey);
            if (object != null && kinds.contains(object.getKind())) {
                evaluate(record, object, parse(inventoryKey, object), cause, IMAGE_SCAN_KIND);
            }
        }
    }

    private void indexImages(String inventoryKey, JsonNode object) {
        for (String image : WorkloadImages.of(object)) {
            for (String imageKey : ImageReference.lookupKeys(image)) {
                imageIndex.put(StoreKeys.imageIndex(imageKey, inventoryKey), inventoryKey);
            }
        }
    }

    private void unindexImages(String inventoryKey, ResourceChange previous) {
        JsonNode object = parse(inventoryKey, previous);
        for (String image : WorkloadImages.of(object)) {
            for (String imageKey : ImageReference.lookupKeys(image)) {
                imageIndex.delete(StoreKeys.imageIndex(imageKey, inventoryKey));
            }
        }
    }

    // ---------------------------------------------------------------- control exceptions

    private void onException(Record<String, EvaluationInput> record, EvaluationInput.ExceptionUpdate update) {
        String id = update.exceptionId();
        Optional<ExceptionRule> before;
        try {
            before = exemptions.update(id, update.value());
        } catch (IllegalArgumentException e) {
            deadLetter(record, "INVALID_EXCEPTION", "control exception " + id + ": " + e.getMessage(),
                    String.valueOf(update.value()));
            return;
        }
        // What it exempted (it may no longer), and every FAIL its new scope covers.
        Set<String> keys = new LinkedHashSet<>(exemptions.exemptedBy(id));
        Instant now = clock.instant();
        exemptions.rule(id).filter(rule -> rule.activeAt(now))
                .ifPresent(rule -> keys.addAll(Exemptions.failingUnder(rule, evidence)));
        String actor = exemptions.rule(id).or(() -> before).map(ExceptionRule::createdBy).orElse(null);
        Cause cause = new Cause(CAUSE_EXCEPTION, null, null, actor, Instant.ofEpochMilli(record.timestamp()), id);
        for (String key : keys) {
            reconsider(record.timestamp(), key, cause);
        }
    }

    /** Wall-clock punctuation: exemptions and attestations that expired end, as of their expiry. */
    private void onWallClock(long wallClockMillis) {
        parsed.clear();
        followControls(wallClockMillis);
        releaseUnattributed();
        endLapsedExemptions();
        Instant now = clock.instant();
        try (KeyValueIterator<String, String> known = clusters.all()) {
            known.forEachRemaining(cluster -> judgeAttestations(now.toEpochMilli(), cluster.key,
                    new Cause(CAUSE_ATTESTATION, null, null, null, now)));
        }
    }

    private void endLapsedExemptions() {
        Instant now = clock.instant();
        for (ExceptionRule rule : exemptions.lapsedWithExemptions(now)) {
            Instant at = !rule.revoked() && rule.expiresAt() != null ? rule.expiresAt() : now;
            Cause cause = new Cause(CAUSE_EXCEPTION, null, null, null, at, rule.exceptionId());
            for (String key : exemptions.exemptedBy(rule.exceptionId())) {
                reconsider(now.toEpochMilli(), key, cause);
            }
        }
    }

    /** A FAIL or EXEMPT key judged again against the exceptions in force: the failure itself has not changed. */
    private void reconsider(long timestamp, String key, Cause cause) {
        EvidenceRecord head = evidence.get(key);
        if (head == null || (head.getStatus() != EvidenceStatus.FAIL && head.getStatus() != EvidenceStatus.EXEMPT)) {
            return;
        }
        ResourceRef ref = head.getResource();
        ResourceChange object = inventory.get(StoreKeys.inventory(ref.getClusterId(), ref.getKind(), ref.getNamespace(),
                ref.getName()));
        ControlDefinition control = controlsById.get(head.getControlId());
        if (object == null || !object.getUid().equals(ref.getUid()) || control == null) {
            return; // the object is gone (its deletion closes the evidence) or the control left the catalog
        }
        transition(timestamp, object, control, EvidenceStatus.FAIL, head.getMessage(), head.getDetails(), cause);
    }

    // ---------------------------------------------------------------- attestations

    private void onAttestation(Record<String, EvaluationInput> record, EvaluationInput.AttestationUpdate update) {
        String id = update.attestationId();
        Optional<String> before = attestations.byId(id).map(a -> a.getClusterId() == null ? "" : a.getClusterId());
        try {
            attestations.update(id, update.value());
        } catch (IllegalArgumentException e) {
            deadLetter(record, "INVALID_ATTESTATION", e.getMessage(), String.valueOf(update.value()));
            return;
        }
        String scope = update.value() != null ? (update.value().getClusterId() == null ? "" : update.value().getClusterId())
                : before.orElse("");
        String actor = update.value() == null ? null : update.value().getAttestedBy();
        Cause cause = new Cause(CAUSE_ATTESTATION, null, null, actor, Instant.ofEpochMilli(record.timestamp()), null, id);
        try (KeyValueIterator<String, String> known = clusters.all()) {
            known.forEachRemaining(cluster -> {
                if (scope.isEmpty() || scope.equals(cluster.key)) {
                    judgeAttestations(record.timestamp(), cluster.key, cause);
                }
            });
        }
    }

    /**
     * The first cluster-scoped object of a cluster, in its home partition: from then on the cluster's attestation
     * controls have evidence. Every cluster has some (Nodes, ClusterRoles), and they reach the home partition in
     * their input order however many partitions there are, so the cluster is noticed at the same input.
     */
    private void noticeCluster(long timestamp, String clusterId, Instant at) {
        if (attestationControls.isEmpty() || !routing.isHomeOf(clusterId, partition) || clusters.get(clusterId) != null) {
            return;
        }
        clusters.put(clusterId, at.toString());
        judgeAttestations(timestamp, clusterId, new Cause(CAUSE_ATTESTATION, null, null, null, at));
    }

    /** Each attestation control of the cluster: PASS with the attestation in force, else FAIL saying why. */
    private void judgeAttestations(long timestamp, String clusterId, Cause cause) {
        Instant now = clock.instant();
        ResourceChange subject = clusterSubject(clusterId);
        for (ControlDefinition control : attestationControls) {
            Optional<Attestation> valid = attestations.valid(control.id(), clusterId, now);
            if (valid.isPresent()) {
                Attestation attestation = valid.get();
                String message = "attested by " + attestation.getAttestedBy() + " on " + attestation.getAttestedAt()
                        + ", valid until " + attestation.getValidUntil();
                dev.kubeproof.avro.Finding evidenceLink = dev.kubeproof.avro.Finding.newBuilder().setPath("attestation")
                        .setValue(TextNode.valueOf(attestation.getEvidenceUrl()).toString()).setMessage(message
                                + (attestation.getNote() == null ? "" : " (" + attestation.getNote() + ")")).build();
                transition(timestamp, subject, control, EvidenceStatus.PASS, message, List.of(evidenceLink),
                        new Cause(CAUSE_ATTESTATION, cause.auditId(), null, cause.actor(), cause.at(), null,
                                attestation.getAttestationId()));
                continue;
            }
            EvidenceRecord head = evidence.get(EvidenceKey.of(clusterId, control.id(), clusterId));
            String lapsedId = head != null && head.getStatus() == EvidenceStatus.PASS
                    ? head.getCause().getAttestationId() : null;
            Optional<Attestation> lapsed = lapsedId == null ? Optional.empty() : attestations.byId(lapsedId);
            String message;
            Instant at = cause.at();
            if (lapsed.isPresent() && lapsed.get().getRevoked()) {
                message = "the attestation by " + lapsed.get().getAttestedBy() + " was revoked";
            } else if (lapsed.isPresent()) {
                message = "the attestation by " + lapsed.get().getAttestedBy() + " expired on " + lapsed.get().getValidUntil();
                at = lapsed.get().getValidUntil().isBefore(now) ? lapsed.get().getValidUntil() : at;
            } else if (lapsedId != null) {
                message = "attestation " + lapsedId + " was withdrawn";
            } else {
                message = "no valid attestation: attest it with `kubeproof attest " + control.id() + "`";
            }
            dev.kubeproof.avro.Finding missing = dev.kubeproof.avro.Finding.newBuilder().setPath("attestation")
                    .setMessage(message).build();
            transition(timestamp, subject, control, EvidenceStatus.FAIL, message, List.of(missing),
                    new Cause(CAUSE_ATTESTATION, null, null, lapsedId == null ? cause.actor() : null, at, null,
                            lapsedId != null ? lapsedId : cause.attestationId()));
        }
    }

    /** The subject of a cluster's own evidence. */
    private static ResourceChange clusterSubject(String clusterId) {
        return ResourceChange.newBuilder()
                .setClusterId(clusterId)
                .setApiVersion("kubeproof.dev/v1alpha1")
                .setKind(CLUSTER_KIND)
                .setNamespace(null)
                .setName(clusterId)
                .setUid(clusterId)
                .setResourceVersion("")
                .setChangeType(ChangeType.SYNC)
                .setObservedAt(Instant.EPOCH)
                .setLabels(Map.of())
                .setOwnerReferences(List.of())
                .setObject(null)
                .build();
    }

    // ---------------------------------------------------------------- evaluation and transitions

    private void evaluate(Record<String, EvaluationInput> record, ResourceChange change, JsonNode object, Cause cause) {
        evaluate(record, change, object, cause, null);
    }

    /**
     * @param changedKind the kind of the dependency (or {@code ImageScan}) whose change causes this evaluation: only
     *                    the controls that depend on it are evaluated; null: every control
     */
    private void evaluate(Record<String, EvaluationInput> record, ResourceChange change, JsonNode object, Cause cause,
                          String changedKind) {
        if (!routing.evaluatedIn(change, partition)) {
            return; // a broadcast copy: its home partition writes its evidence
        }
        metrics.evaluation(change.getKind());
        List<ControlResult> results;
        long started = System.nanoTime();
        try {
            StoreClusterView view = new StoreClusterView(change.getClusterId());
            results = changedKind == null ? evaluator.evaluate(object, view)
                    : evaluator.reevaluate(object, view, changedKind);
            metrics.evaluationLatency(change.getKind(), System.nanoTime() - started);
        } catch (RuntimeException e) {
            // The evaluator promises ERROR results instead of exceptions; if it breaks that promise, record it.
            metrics.evaluationError(change.getKind());
            String message = "evaluation failed: " + e;
            results = controlsByKind.getOrDefault(change.getKind(), List.of()).stream()
                    .filter(control -> changedKind == null || control.dependsOn().contains(changedKind))
                    .map(control -> new ControlResult(control, Status.ERROR, message, List.of()))
                    .toList();
        }
        for (ControlResult result : results) {
            transition(record.timestamp(), change, result.control(), EvidenceStatus.valueOf(result.status().name()),
                    result.message(), result.findings().stream().map(EvidenceRecords::toAvro).toList(), cause);
        }
    }

    private void close(Record<String, EvaluationInput> record, ResourceChange change, Cause cause, String message) {
        for (ControlDefinition control : evaluator.controls()) {
            String key = EvidenceKey.of(change.getClusterId(), control.id(), change.getUid());
            EvidenceRecord open = evidence.get(key);
            if (open != null && open.getStatus() != EvidenceStatus.CLOSED) {
                transition(record.timestamp(), change, control, EvidenceStatus.CLOSED, message, List.of(), cause);
            }
        }
    }

    private void transition(long timestamp, ResourceChange change, ControlDefinition control,
                            EvidenceStatus status, String message, List<dev.kubeproof.avro.Finding> details, Cause cause) {
        String key = EvidenceKey.of(change.getClusterId(), control.id(), change.getUid());
        EvidenceRecord previous = evidence.get(key);
        ExceptionRule exemption = status == EvidenceStatus.FAIL
                ? exemptions.covering(control.id(), change, clock.instant()).orElse(null) : null;
        if (exemption != null) {
            status = EvidenceStatus.EXEMPT; // the FAIL's message and findings stay: they say what is accepted
        }
        String exceptionId = exemption == null ? null : exemption.exceptionId();
        // A renewal is a new record: the PASS now rests on another attestation.
        boolean sameAttestation = status != EvidenceStatus.PASS || cause.attestationId() == null || previous == null
                || cause.attestationId().equals(previous.getCause().getAttestationId());
        if (previous != null && previous.getStatus() == status && sameAttestation
                && Objects.equals(exceptionId, previous.getException() == null ? null : previous.getException().getExceptionId())) {
            return;
        }
        if (previous == null && status == EvidenceStatus.NOT_APPLICABLE) {
            // A control that never applied to the resource says nothing about it; N/A is recorded only as a
            // transition from another status. This halves the records of a cold start (see streams/README.md).
            return;
        }
        append(timestamp, key, change, control, status, previous, cause.at(), message, details, cause,
                exemption == null ? null : Exemptions.reference(exemption));
    }

    /** The late attribution of {@code head}: a record of the same status, since, message and exception, with the actor. */
    private void attribute(long timestamp, ResourceChange change, ControlDefinition control, EvidenceRecord head,
                           Cause cause) {
        append(timestamp, EvidenceKey.of(change.getClusterId(), control.id(), change.getUid()), change, control,
                head.getStatus(), head, head.getSince(), head.getMessage(), head.getDetails(), cause, head.getException());
    }

    /** Builds the key's next record, links it into the key's chain, stores it as the key's head and forwards it. */
    private void append(long timestamp, String key, ResourceChange change, ControlDefinition control,
                        EvidenceStatus status, EvidenceRecord previous, Instant since, String message,
                        List<dev.kubeproof.avro.Finding> details, Cause cause, dev.kubeproof.avro.ExceptionRef exception) {
        EvidenceRecord.Builder builder = EvidenceRecords.transition(control, status, previous, since,
                        clock.instant(), reference(change), message, details, EvidenceCause.newBuilder()
                        .setChangeType(cause.changeType())
                        .setResourceVersion(change.getResourceVersion())
                        .setAuditId(cause.auditId())
                        .setScanId(cause.scanId())
                        .setExceptionId(cause.exceptionId())
                        .setAttestationId(cause.attestationId())
                        .build())
                .setActor(cause.actor())
                .setAttribution(cause.attribution())
                .setException(exception);
        EvidenceRecord linked = EvidenceChain.link(builder, key, previous);
        evidence.put(key, linked);
        exemptions.recorded(key, previous, linked);
        metrics.transition(linked.getStatus().name());
        context.forward(new Record<>(key, EvaluationOutput.of(linked), timestamp));
    }

    private ResourceRef reference(ResourceChange change) {
        Map<String, String> ownerLabels = new TreeMap<>();
        for (String labelKey : config.ownerLabelKeys()) {
            String value = change.getLabels().get(labelKey);
            if (value != null) {
                ownerLabels.put(labelKey, value);
            }
        }
        String apiVersion = change.getApiVersion();
        int slash = apiVersion.indexOf('/');
        return ResourceRef.newBuilder()
                .setClusterId(change.getClusterId())
                .setApiGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                .setApiVersion(apiVersion)
                .setKind(change.getKind())
                .setNamespace(change.getNamespace())
                .setName(change.getName())
                .setUid(change.getUid())
                .setResourceVersion(change.getResourceVersion())
                .setOwnerLabels(new LinkedHashMap<>(ownerLabels))
                .build();
    }

    // ---------------------------------------------------------------- dead letters

    private void deadLetter(Record<String, EvaluationInput> record, String errorType, String reason, String payload) {
        metrics.deadLetter(DEAD_LETTER_SOURCE, errorType);
        context.forward(new Record<>(DEAD_LETTER_SOURCE, EvaluationOutput.deadLetter(context, DEAD_LETTER_SOURCE,
                record.key(), errorType, reason, payload, EvidenceRecords.millis(clock.instant())), record.timestamp()));
    }

    // ---------------------------------------------------------------- inventory view

    private Map<String, ResourceChange> stored(String clusterId, String kind, String namespace) {
        Map<String, ResourceChange> found = new LinkedHashMap<>();
        if (NAMESPACE_KIND.equals(kind) && namespace != null) {
            // A Namespace is cluster-scoped; "the Namespace in namespace x" is the one named x.
            String key = StoreKeys.inventory(clusterId, NAMESPACE_KIND, null, namespace);
            ResourceChange object = inventory.get(key);
            if (object != null) {
                found.put(key, object);
            }
            return found;
        }
        try (KeyValueIterator<String, ResourceChange> entries =
                     inventory.prefixScan(StoreKeys.inventoryPrefix(clusterId, kind, namespace), new StringSerializer())) {
            while (entries.hasNext()) {
                KeyValue<String, ResourceChange> entry = entries.next();
                found.put(entry.key, entry.value);
            }
        }
        return found;
    }

    /**
     * Whether the object's {@code metadata.creationTimestamp} is before {@code instant}; false when it has none or
     * it cannot be read (then the change waits as any other). Reads only as far as the timestamp.
     */
    private boolean createdBefore(ResourceChange change, Instant instant) {
        if (change.getObject() == null) {
            return false;
        }
        try (com.fasterxml.jackson.core.JsonParser parser = mapper.getFactory().createParser(change.getObject())) {
            if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                com.fasterxml.jackson.core.JsonToken value = parser.nextToken();
                if (!"metadata".equals(field) || value != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    if ("creationTimestamp".equals(name)) {
                        return Instant.parse(parser.getText()).isBefore(instant);
                    }
                    parser.skipChildren();
                }
                return false;
            }
            return false;
        } catch (IOException | java.time.format.DateTimeParseException e) {
            return false; // apply() says what is wrong with the object
        }
    }

    private JsonNode parse(String inventoryKey, ResourceChange change) {
        return parsed.computeIfAbsent(inventoryKey, k -> {
            try {
                return change.getObject() == null ? mapper.createObjectNode() : mapper.readTree(change.getObject());
            } catch (JsonProcessingException e) {
                // Only parseable objects are stored; this would mean a corrupted store.
                throw new IllegalStateException("stored object " + inventoryKey + " is not JSON", e);
            }
        });
    }

    private static String describe(ResourceChange change) {
        return (change.getNamespace() == null ? "" : change.getNamespace() + "/") + change.getName()
                + " (uid " + change.getUid() + ", cluster " + change.getClusterId() + ")";
    }

    /** What caused an evaluation, for the record's cause, actor (in full: attribution) and since. */
    private record Cause(String changeType, String auditId, String scanId, String actor, Instant at, String exceptionId,
                         String attestationId, dev.kubeproof.avro.Attribution attribution) {
        Cause(String changeType, String auditId, String scanId, String actor, Instant at) {
            this(changeType, auditId, scanId, actor, at, null, null, null);
        }

        Cause(String changeType, String auditId, String scanId, String actor, Instant at, String exceptionId) {
            this(changeType, auditId, scanId, actor, at, exceptionId, null, null);
        }

        Cause(String changeType, String auditId, String scanId, String actor, Instant at, String exceptionId,
              String attestationId) {
            this(changeType, auditId, scanId, actor, at, exceptionId, attestationId, null);
        }
    }

    /**
     * The cluster as the state stores know it, for controls that look beyond the evaluated object. One view serves
     * one evaluation, which writes no inventory or scan: what its controls look up is read from the stores once
     * (several controls read a namespace's NetworkPolicies, several a container's scan).
     */
    private final class StoreClusterView implements ClusterView {
        private final String clusterId;
        private final Map<String, List<JsonNode>> objectsRead = new HashMap<>();
        private final Map<String, Optional<ImageScan>> scansRead = new HashMap<>();

        StoreClusterView(String clusterId) {
            this.clusterId = clusterId;
        }

        @Override
        public List<JsonNode> objects(String kind, String namespace) {
            return objectsRead.computeIfAbsent(kind + "/" + (namespace == null ? "" : namespace), k -> {
                List<JsonNode> objects = new ArrayList<>();
                stored(clusterId, kind, namespace).forEach((key, change) -> objects.add(parse(key, change)));
                return List.copyOf(objects);
            });
        }

        @Override
        public Optional<JsonNode> namespace(String name) {
            String key = StoreKeys.inventory(clusterId, NAMESPACE_KIND, null, name);
            return Optional.ofNullable(inventory.get(key)).map(change -> parse(key, change));
        }

        @Override
        public Optional<ImageScan> imageScan(String image) {
            return scansRead.computeIfAbsent(image, this::readScan);
        }

        private Optional<ImageScan> readScan(String image) {
            for (String imageKey : ImageReference.lookupKeys(image)) {
                ImageScan scan = scans.get(StoreKeys.scan(clusterId, imageKey));
                if (scan == null) {
                    scan = scans.get(StoreKeys.scan(StoreKeys.ANY_CLUSTER, imageKey));
                }
                if (scan != null) {
                    return Optional.of(scan);
                }
            }
            return Optional.empty();
        }
    }
}
