package dev.kubeproof.streams.evaluation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import dev.kubeproof.avro.Attribution;
import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.controls.runtime.AuditRules;
import dev.kubeproof.controls.runtime.DenialBurst;
import dev.kubeproof.controls.runtime.Detection;
import dev.kubeproof.streams.EvidenceMetrics;
import dev.kubeproof.contract.evidence.EvidenceChain;

/**
 * Judges a cluster's audit events against the runtime controls ({@link AuditRules}) and records what they find as
 * hash-chained evidence: a detection is a FAIL transition on its subject (the object acted on, or the principal),
 * naming the actor; a subject with no new detection for {@code quietPeriod} closes with a PASS. It also keeps the two
 * runtime controls that need memory: repeated denials per principal (one finding per burst) and the cluster's audit
 * stream going silent (wall clock). Inputs are keyed by cluster, so one task sees all of a cluster's events and is
 * the only writer of its runtime evidence keys.
 */
public final class RuntimeDetectionProcessor implements Processor<String, AuditEvent, String, EvaluationOutput> {
    /** Dead-letter source of audit events this processor could not judge. */
    public static final String DEAD_LETTER_SOURCE = "streams.detect";
    /** Cause of runtime evidence: an audit event (or, for a close or a silence, the lack of one). */
    public static final String CAUSE_AUDIT = "AUDIT";
    /** How often (at most) open runtime findings are looked at for the quiet-period close. */
    static final Duration QUIET_SWEEP = Duration.ofMinutes(1);
    /** Path of the finding of a quiet close that names the closed detection. */
    static final String LAST_DETECTION = "lastDetection";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditRules rules;
    private final Map<String, ControlDefinition> controls = new HashMap<>();
    private final Duration check;
    private final Clock clock;
    private final EvidenceMetrics metrics;
    private final Stores stores;

    private ProcessorContext<String, EvaluationOutput> context;
    private KeyValueStore<String, EvidenceRecord> evidence;
    private KeyValueStore<String, String> denials;
    private KeyValueStore<String, String> clusters;
    /** Roles seen in the audit stream granting * on *: a binding to one is an escalation like cluster-admin. */
    private KeyValueStore<String, String> superuserRoles;
    private Instant started;
    /** When each cluster was last heard (wall clock), ahead of the store, which learns it at each check. */
    private final Map<String, Instant> lastHeard = new HashMap<>();
    /** Clusters whose stream this task knows to be alive (its silence evidence PASS): their events touch no store. */
    private final Set<String> alive = new HashSet<>();
    private Instant lastSweep = Instant.EPOCH;

    /** Names of the state stores this processor uses. */
    public record Stores(String evidence, String denials, String clusters, String superuserRoles) {
        public String[] names() {
            return new String[] {evidence, denials, clusters, superuserRoles};
        }
    }

    /**
     * @param check how often (wall clock) the silence of each cluster's audit stream is judged
     */
    public RuntimeDetectionProcessor(Evaluator evaluator, Duration check, Clock clock, EvidenceMetrics metrics,
                                     Stores stores) {
        this.rules = evaluator.auditRules();
        for (ControlDefinition control : evaluator.controls()) {
            if (control.auditEvaluated() && rules.enabled(control.id())) {
                controls.put(control.id(), control);
            }
        }
        this.check = Objects.requireNonNull(check, "check");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.stores = Objects.requireNonNull(stores, "stores");
    }

    @Override
    public void init(ProcessorContext<String, EvaluationOutput> context) {
        this.context = context;
        this.evidence = context.getStateStore(stores.evidence());
        this.denials = context.getStateStore(stores.denials());
        this.clusters = context.getStateStore(stores.clusters());
        this.superuserRoles = context.getStateStore(stores.superuserRoles());
        this.started = clock.instant();
        context.schedule(check, PunctuationType.WALL_CLOCK_TIME, wall -> onWallClock());
    }

    @Override
    public void process(Record<String, AuditEvent> record) {
        AuditEvent event = record.value();
        try {
            heard(record.timestamp(), event.getClusterId());
            if (!AuditRules.judged(event)) {
                return;
            }
            rules.roleGrantsEverything(event).ifPresent(everything -> {
                String key = roleKey(event.getClusterId(), "roles".equals(event.getObjectRef().getResource()) ? "Role"
                        : "ClusterRole", event.getObjectRef().getNamespace(), roleName(event));
                if (everything) {
                    superuserRoles.put(key, "*");
                } else {
                    superuserRoles.delete(key);
                }
            });
            AuditRules.SuperuserRoles known = (kind, namespace, name) ->
                    superuserRoles.get(roleKey(event.getClusterId(), kind, namespace, name)) != null;
            for (Detection detection : rules.evaluate(event, known)) {
                detected(record.timestamp(), event, detection);
            }
            if (AuditRules.isDenied(event) && controls.containsKey(AuditRules.DENIAL_BURST)) {
                denied(record.timestamp(), event);
            }
        } catch (RuntimeException e) {
            // A rule that breaks on one event must not stop the cluster's detections: the event is dead-lettered.
            deadLetter(record, "EVALUATION_FAILED", "audit event " + event.getAuditId() + " could not be judged: " + e,
                    event.toString());
        }
    }

    private static String roleKey(String cluster, String kind, String namespace, String name) {
        return cluster + "|" + kind + "|" + (namespace == null ? "" : namespace) + "|" + name;
    }

    /** The role's name: the objectRef's, or for a create the body's. */
    private static String roleName(AuditEvent event) {
        String name = event.getObjectRef().getName();
        if (name != null && !name.isEmpty()) {
            return name;
        }
        try {
            JsonNode body = JSON.readTree(event.getResponseObject() != null ? event.getResponseObject()
                    : event.getRequestObject());
            return body == null ? "" : body.path("metadata").path("name").asText("");
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return "";
        }
    }

    private void detected(long timestamp, AuditEvent event, Detection detection) {
        ControlDefinition control = controls.get(detection.controlId());
        String key = EvidenceKey.of(event.getClusterId(), control.id(), detection.subject().uid());
        EvidenceRecord head = evidence.get(key);
        if (!detection.everyOccurrence() && repeats(head, detection.message(), event.getStageTimestamp())) {
            return; // the same finding is still open: its first occurrence is the evidence
        }
        metrics.evaluation("AuditEvent");
        record(timestamp, key, head, control, EvidenceStatus.FAIL, event.getClusterId(), detection.subject(),
                detection.message(), detection.findings().stream().map(EvidenceRecords::toAvro).toList(),
                event.getStageTimestamp(), event);
        closeIfAlreadyQuiet(timestamp, key, control);
    }

    /**
     * A detection older than the quiet period (a replayed or late log) is closed at once, as of the end of its
     * period: the same evidence whenever it is read, not only after the next sweep.
     */
    private void closeIfAlreadyQuiet(long timestamp, String key, ControlDefinition control) {
        EvidenceRecord head = evidence.get(key);
        Duration quiet = rules.settings().quietPeriod();
        if (head != null && head.getStatus() == EvidenceStatus.FAIL
                && Duration.between(head.getSince(), clock.instant()).compareTo(quiet) > 0) {
            closeQuiet(timestamp, key, head, control, quiet);
        }
    }

    private void closeQuiet(long timestamp, String key, EvidenceRecord head, ControlDefinition control, Duration quiet) {
        // The closed finding's message stays in the close, so that a late identical one within its period repeats it.
        dev.kubeproof.avro.Finding closed = dev.kubeproof.avro.Finding.newBuilder().setPath(LAST_DETECTION)
                .setMessage(head.getMessage()).build();
        transition(timestamp, key, head, control, EvidenceStatus.PASS, head.getResource(),
                "no new detection for " + minutes(quiet) + " since " + head.getSince(), List.of(closed),
                head.getSince().plus(quiet), cause(null), null, null);
    }

    /**
     * Whether a detection repeats the subject's finding: the same one still open, or the same one closed as of a
     * time after this detection (a replayed log: the subject was not quiet after all).
     */
    private static boolean repeats(EvidenceRecord head, String message, Instant at) {
        if (head == null) {
            return false;
        }
        if (head.getStatus() == EvidenceStatus.FAIL) {
            return head.getMessage().equals(message);
        }
        return head.getStatus() == EvidenceStatus.PASS && at.isBefore(head.getSince()) && !head.getDetails().isEmpty()
                && LAST_DETECTION.equals(head.getDetails().get(0).getPath())
                && message.equals(head.getDetails().get(0).getMessage());
    }

    // ---------------------------------------------------------------- KP-RUN-007: denial bursts

    private void denied(long timestamp, AuditEvent event) {
        String principal = AuditRules.principal(event);
        String stateKey = event.getClusterId() + "|" + principal;
        Instant at = event.getStageTimestamp();
        DenialBurst.Step step = DenialBurst.decode(denials.get(stateKey)).observe(at.toEpochMilli(), rules.settings());
        denials.put(stateKey, step.next().encode());
        if (!step.fires()) {
            return;
        }
        Duration window = rules.settings().denialBurstWindow();
        String message = principal + " was denied " + step.denialsInWindow() + " times within " + window.toMinutes()
                + " min (latest: " + event.getVerb() + " " + event.getRequestUri().split("\\?", 2)[0] + ", "
                + (event.getResponseStatus() == null ? "" : event.getResponseStatus().getCode()) + ")";
        dev.kubeproof.avro.Finding finding = dev.kubeproof.avro.Finding.newBuilder().setPath("responseStatus.code")
                .setValue(String.valueOf(step.denialsInWindow())).setMessage(message).build();
        Detection.Subject subject = Detection.Subject.user(principal);
        ControlDefinition control = controls.get(AuditRules.DENIAL_BURST);
        String key = EvidenceKey.of(event.getClusterId(), control.id(), subject.uid());
        record(timestamp, key, evidence.get(key), control, EvidenceStatus.FAIL, event.getClusterId(), subject, message,
                List.of(finding), at, event);
        closeIfAlreadyQuiet(timestamp, key, control);
    }

    // ---------------------------------------------------------------- KP-RUN-009: silence, and quiet closes

    /**
     * An event of the cluster arrived: its stream is alive (a silence it was in ends). Kept in memory on the hot path;
     * the store learns it at each wall-clock check, and at once when the stream's evidence changes.
     */
    private void heard(long timestamp, String clusterId) {
        Instant now = clock.instant();
        Instant before = lastHeard.put(clusterId, now);
        if (alive.contains(clusterId)) {
            return; // known alive: nothing to record, nothing to read
        }
        if (before == null) {
            String stored = clusters.get(clusterId);
            before = stored == null ? null : Instant.ofEpochMilli(Long.parseLong(stored));
        }
        clusters.put(clusterId, Long.toString(now.toEpochMilli()));
        alive.add(clusterId);
        ControlDefinition control = controls.get(AuditRules.AUDIT_SILENCE);
        if (control == null) {
            return;
        }
        String key = EvidenceKey.of(clusterId, control.id(), clusterId);
        EvidenceRecord head = evidence.get(key);
        if (head == null) {
            record(timestamp, key, null, control, EvidenceStatus.PASS, clusterId, clusterSubject(clusterId),
                    "audit events are arriving", List.of(), now, null);
        } else if (head.getStatus() == EvidenceStatus.FAIL) {
            Duration gap = before == null ? Duration.ZERO : Duration.between(before, now);
            record(timestamp, key, head, control, EvidenceStatus.PASS, clusterId, clusterSubject(clusterId),
                    "audit events resumed after " + minutes(gap) + " of silence", List.of(), now, null);
        }
    }

    private void onWallClock() {
        Instant now = clock.instant();
        lastHeard.forEach((cluster, at) -> clusters.put(cluster, Long.toString(at.toEpochMilli())));
        ControlDefinition silence = controls.get(AuditRules.AUDIT_SILENCE);
        Duration limit = rules.settings().auditSilence();
        // Right after a start the backlog has not been read: silence is judged once a full period has passed.
        if (silence != null && !now.isBefore(started.plus(limit))) {
            List<String[]> silent = new ArrayList<>();
            try (KeyValueIterator<String, String> all = clusters.all()) {
                all.forEachRemaining(entry -> silent.add(new String[] {entry.key, entry.value}));
            }
            for (String[] cluster : silent) {
                Instant last = Instant.ofEpochMilli(Long.parseLong(cluster[1]));
                String key = EvidenceKey.of(cluster[0], silence.id(), cluster[0]);
                EvidenceRecord head = evidence.get(key);
                if (Duration.between(last, now).compareTo(limit) > 0 && (head == null || head.getStatus() != EvidenceStatus.FAIL)) {
                    String message = "no audit event from cluster " + cluster[0] + " since " + last + " (silent for "
                            + minutes(Duration.between(last, now)) + ", limit " + minutes(limit) + ")";
                    dev.kubeproof.avro.Finding finding = dev.kubeproof.avro.Finding.newBuilder().setPath("audit")
                            .setValue("\"" + last + "\"").setMessage(message).build();
                    record(now.toEpochMilli(), key, head, silence, EvidenceStatus.FAIL, cluster[0],
                            clusterSubject(cluster[0]), message, List.of(finding), last, null);
                    alive.remove(cluster[0]);
                }
            }
        }
        if (Duration.between(lastSweep, now).compareTo(QUIET_SWEEP) >= 0) {
            lastSweep = now;
            closeQuietFindings(now);
        }
    }

    /** Runtime findings whose subject had no new detection for the quiet period close with a PASS. */
    private void closeQuietFindings(Instant now) {
        Duration quiet = rules.settings().quietPeriod();
        List<Map.Entry<String, EvidenceRecord>> quietOnes = new ArrayList<>();
        try (KeyValueIterator<String, EvidenceRecord> all = evidence.all()) {
            all.forEachRemaining(entry -> {
                EvidenceRecord head = entry.value;
                if (head.getStatus() == EvidenceStatus.FAIL && !AuditRules.AUDIT_SILENCE.equals(head.getControlId())
                        && Duration.between(head.getSince(), now).compareTo(quiet) > 0) {
                    quietOnes.add(Map.entry(entry.key, head));
                }
            });
        }
        for (Map.Entry<String, EvidenceRecord> entry : quietOnes) {
            EvidenceRecord head = entry.getValue();
            ControlDefinition control = controls.get(head.getControlId());
            if (control == null) {
                continue; // the control left the catalog: its last record stays the evidence
            }
            closeQuiet(now.toEpochMilli(), entry.getKey(), head, control, quiet);
        }
    }

    // ---------------------------------------------------------------- records

    private void record(long timestamp, String key, EvidenceRecord head, ControlDefinition control, EvidenceStatus status,
                        String clusterId, Detection.Subject subject, String message,
                        List<dev.kubeproof.avro.Finding> details, Instant since, AuditEvent event) {
        ResourceRef resource = ResourceRef.newBuilder()
                .setClusterId(clusterId)
                .setApiGroup(subject.apiVersion().contains("/") ? subject.apiVersion().substring(0, subject.apiVersion().indexOf('/')) : "")
                .setApiVersion(subject.apiVersion())
                .setKind(subject.kind())
                .setNamespace(subject.namespace())
                .setName(subject.name())
                .setUid(subject.uid())
                .setResourceVersion(event == null || event.getObjectRef() == null ? null : event.getObjectRef().getResourceVersion())
                .setOwnerLabels(Map.of())
                .build();
        transition(timestamp, key, head, control, status, resource, message, details, since, cause(event),
                event == null ? null : AuditRules.principal(event), event == null ? null : attribution(event));
    }

    private void transition(long timestamp, String key, EvidenceRecord head, ControlDefinition control,
                            EvidenceStatus status, ResourceRef resource, String message,
                            List<dev.kubeproof.avro.Finding> details, Instant since, EvidenceCause cause, String actor,
                            Attribution attribution) {
        EvidenceRecord.Builder builder = EvidenceRecords.transition(control, status, head, since, clock.instant(),
                        resource, message, details, cause)
                .setActor(actor)
                .setAttribution(attribution);
        EvidenceRecord linked = EvidenceChain.link(builder, key, head);
        evidence.put(key, linked);
        metrics.transition(status.name());
        context.forward(new Record<>(key, EvaluationOutput.of(linked), timestamp));
    }

    private static EvidenceCause cause(AuditEvent event) {
        return EvidenceCause.newBuilder()
                .setChangeType(CAUSE_AUDIT)
                .setAuditId(event == null ? null : event.getAuditId())
                .setResourceVersion(event == null || event.getObjectRef() == null ? null : event.getObjectRef().getResourceVersion())
                .build();
    }

    /** The request's principal in full, as the audit event names it. */
    public static Attribution attribution(AuditEvent event) {
        return Attribution.newBuilder()
                .setMethod(AttributionMethod.REQUEST)
                .setUsername(AuditRules.principal(event))
                .setUid(event.getUser() == null ? null : event.getUser().getUid())
                .setGroups(event.getUser() == null ? List.of() : List.copyOf(event.getUser().getGroups()))
                .setImpersonatedUser(event.getImpersonatedUser() == null ? null : event.getImpersonatedUser().getUsername())
                .setSourceIps(List.copyOf(event.getSourceIps()))
                .setUserAgent(event.getUserAgent())
                .setAuditId(event.getAuditId())
                .setAt(EvidenceRecords.millis(event.getStageTimestamp()))
                .setVia(null)
                .build();
    }

    private static Detection.Subject clusterSubject(String clusterId) {
        return new Detection.Subject(EvaluationProcessor.CLUSTER_KIND, "kubeproof.dev/v1alpha1", null, clusterId, clusterId);
    }

    private static String minutes(Duration duration) {
        long minutes = duration.toMinutes();
        return minutes >= 120 ? duration.toHours() + " h" : minutes + " min";
    }

    private void deadLetter(Record<String, AuditEvent> record, String errorType, String reason, String payload) {
        metrics.deadLetter(DEAD_LETTER_SOURCE, errorType);
        context.forward(new Record<>(DEAD_LETTER_SOURCE, EvaluationOutput.deadLetter(context, DEAD_LETTER_SOURCE,
                record.key(), errorType, reason, payload, EvidenceRecords.millis(clock.instant())), record.timestamp()));
    }
}
