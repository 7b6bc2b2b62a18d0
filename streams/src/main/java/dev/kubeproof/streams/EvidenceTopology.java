package dev.kubeproof.streams;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicSpec;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.controls.cel.LiveControls;
import dev.kubeproof.runtime.DeadLetterSink;
import dev.kubeproof.controls.runtime.AuditRules;
import dev.kubeproof.siem.Transitions;
import dev.kubeproof.siem.ViolationFeed;
import dev.kubeproof.siem.ViolationFormatter;
import dev.kubeproof.siem.ViolationOutput;
import dev.kubeproof.streams.checkpoint.CheckpointProcessor;
import dev.kubeproof.streams.evaluation.Attributions;
import dev.kubeproof.streams.evaluation.EvaluationInput;
import dev.kubeproof.streams.evaluation.EvaluationOutput;
import dev.kubeproof.streams.evaluation.EvaluationProcessor;
import dev.kubeproof.streams.evaluation.EvaluationRouting;
import dev.kubeproof.streams.evaluation.PublishedControls;
import dev.kubeproof.streams.evaluation.RuntimeDetectionProcessor;
import dev.kubeproof.streams.evaluation.StoreKeys;

/**
 * Resource changes and image scans in; hash-chained evidence transitions, the latest evidence per key and
 * SIEM violations out.
 *
 * <pre>
 * resource-changes ─ drop tombstones ─ [only cluster] ─ key by cluster/namespace ─ repartition ─┐
 * image-scans ────── drop tombstones ─ key by cluster (or *) ─ repartition (to every partition) ─┤ merge ─ evaluate
 * control-exceptions ─ (tombstones kept: a deletion) ──────── repartition (to every partition) ─┤
 * attestations ─────── (tombstones kept: a deletion) ──────── repartition (to every partition) ─┘
 * audit-events ─ drop tombstones ─ [only cluster] ─┬ successful writes ─ compact ─ key by cluster/namespace ─ repartition ─ merge into evaluate (attribution)
 *                                                  └ strip unread bodies ─ key by cluster ─ repartition ─ detect ─┐
 *   evaluate ──────────────────────────────────────────────────────────────────────────── merge detections ─┘
 *   evaluate ─ split ─ dead letters ─────────────────────────────────────────────▶ dead-letters
 *                    └ evidence ─┬───────────────────────────────────────────────▶ evidence
 *                                ├───────────────────────────────────────────────▶ evidence-state
 *                                └ into/out of FAIL ─ format (ECS/OCSF) ─────────▶ violations
 * evidence ─ chain heads per partition ─ every checkpointInterval: signed Merkle root ─▶ checkpoints
 * </pre>
 *
 * One cluster's evaluation spreads over the partitions by namespace; cluster-scoped objects that controls read, and
 * image scans, reach every partition ({@link EvaluationRouting} says which input goes where and why).
 *
 * Every node, store and repartition topic has a fixed name (the constants), so that a new version of the
 * application keeps its state and offsets, and tests refer to the same names.
 */
public final class EvidenceTopology {
    public static final String SOURCE_RESOURCE_CHANGES = "resource-changes-source";
    public static final String DROP_CHANGE_TOMBSTONES = "resource-changes-drop-tombstones";
    public static final String FILTER_CLUSTER = "resource-changes-only-configured-cluster";
    public static final String KEY_CHANGES_BY_SCOPE = "resource-changes-key-by-scope";
    /** Repartition topic {@code <application.id>-evaluation-changes-repartition}. */
    public static final String REPARTITION_CHANGES = "evaluation-changes";
    public static final String WRAP_CHANGES = "evaluation-changes-wrap";

    public static final String SOURCE_IMAGE_SCANS = "image-scans-source";
    public static final String DROP_SCAN_TOMBSTONES = "image-scans-drop-tombstones";
    public static final String KEY_SCANS_BY_CLUSTER = "image-scans-key-by-cluster";
    /** Repartition topic {@code <application.id>-evaluation-scans-repartition}. */
    public static final String REPARTITION_SCANS = "evaluation-scans";
    public static final String WRAP_SCANS = "evaluation-scans-wrap";

    public static final String SOURCE_EXCEPTIONS = "control-exceptions-source";
    /** Repartition topic {@code <application.id>-evaluation-exceptions-repartition}. */
    public static final String REPARTITION_EXCEPTIONS = "evaluation-exceptions";
    public static final String WRAP_EXCEPTIONS = "evaluation-exceptions-wrap";

    public static final String SOURCE_ATTESTATIONS = "attestations-source";
    /** Repartition topic {@code <application.id>-evaluation-attestations-repartition}. */
    public static final String REPARTITION_ATTESTATIONS = "evaluation-attestations";
    public static final String WRAP_ATTESTATIONS = "evaluation-attestations-wrap";

    public static final String SOURCE_AUDIT_EVENTS = "audit-events-source";
    public static final String DROP_AUDIT_TOMBSTONES = "audit-events-drop-tombstones";
    public static final String FILTER_AUDIT_CLUSTER = "audit-events-only-configured-cluster";
    public static final String STRIP_AUDIT_BODIES = "audit-events-strip-unread-bodies";
    public static final String KEY_AUDIT_BY_CLUSTER = "audit-events-key-by-cluster";
    /** Repartition topic {@code <application.id>-detection-audit-events-repartition}. */
    public static final String REPARTITION_AUDIT = "detection-audit-events";
    public static final String DETECT = "detect";
    public static final String MERGE_DETECTIONS = "evaluation-outputs-merge-detections";
    public static final String RUNTIME_EVIDENCE_STORE = "runtime-evidence-store";
    public static final String DENIAL_STORE = "denial-burst-store";
    public static final String AUDIT_CLOCK_STORE = "audit-clock-store";
    public static final String SUPERUSER_ROLE_STORE = "superuser-role-store";

    public static final String FILTER_WRITES = "audit-events-successful-writes";
    public static final String COMPACT_WRITES = "audit-writes-compact";
    public static final String KEY_WRITES_BY_SCOPE = "audit-writes-key-by-scope";
    /** Repartition topic {@code <application.id>-evaluation-writes-repartition}. */
    public static final String REPARTITION_WRITES = "evaluation-writes";
    public static final String WRAP_WRITES = "evaluation-writes-wrap";
    public static final String MERGE_WRITES = "evaluation-inputs-merge-writes";
    /** The latest writes of each object, from the audit stream, for attribution. */
    public static final String WRITE_STORE = "audit-write-store";
    /** Changes waiting for the audit event of their write. */
    public static final String HELD_CHANGE_STORE = "held-change-store";

    public static final String MERGE_INPUTS = "evaluation-inputs-merge";
    public static final String MERGE_ATTESTATIONS = "evaluation-inputs-merge-attestations";
    public static final String MERGE_EXCEPTIONS = "evaluation-inputs-merge-exceptions";
    public static final String EVALUATE = "evaluate";

    public static final String INVENTORY_STORE = "inventory-store";
    public static final String IMAGE_INDEX_STORE = "image-index-store";
    public static final String SCAN_STORE = "image-scan-store";
    public static final String EVIDENCE_STORE = "evidence-store";
    public static final String EXCEPTION_STORE = "exception-store";
    public static final String EXEMPTION_INDEX_STORE = "exemption-index-store";
    public static final String ATTESTATION_STORE = "attestation-store";
    /** Clusters whose attestation evidence the partition writes (it is their home partition and has seen them). */
    public static final String CLUSTER_STORE = "cluster-store";

    public static final String SPLIT_OUTPUTS = "evaluation-outputs-";
    public static final String BRANCH_DEAD_LETTERS = "dead-letters";
    public static final String BRANCH_EVIDENCE = "evidence";
    public static final String UNWRAP_DEAD_LETTERS = "dead-letters-unwrap";
    public static final String UNWRAP_EVIDENCE = "evidence-unwrap";
    public static final String SINK_DEAD_LETTERS = "dead-letters-sink";
    public static final String SINK_EVIDENCE = "evidence-sink";
    public static final String SINK_EVIDENCE_STATE = "evidence-state-sink";
    public static final String FILTER_VIOLATIONS = "violations-into-or-out-of-fail";
    public static final String FORMAT_VIOLATIONS = "violations-format";
    public static final String SINK_VIOLATIONS = "violations-sink";

    public static final String SOURCE_CUSTOM_CONTROLS = "custom-controls-source";
    /** The published custom controls (id to document digest) each evaluation partition has judged its objects by. */
    public static final String CONTROL_REVISION_STORE = "control-revision-store";
    /** Global store: the custom-controls topic, whole, on every instance. */
    public static final String CUSTOM_CONTROL_STORE = "custom-control-store";

    public static final String SOURCE_CHECKPOINT_EVIDENCE = "checkpoint-evidence-source";
    public static final String CHECKPOINT = "checkpoint";
    /** Each evidence key's head (sequence and hash), per partition of the evidence topic. */
    public static final String CHAIN_HEAD_STORE = "chain-head-store";
    /** The offset read through and the last checkpoint's id, per partition of the evidence topic. */
    public static final String CHECKPOINT_POSITION_STORE = "checkpoint-position-store";
    public static final String SINK_CHECKPOINTS = "checkpoints-sink";

    private EvidenceTopology() {
    }

    /** The topology with the system clock and in-memory metrics. */
    public static Topology build(EvidenceTopologyConfig config, Evaluator evaluator, ViolationFormatter formatter,
                                 EvidenceSerdes serdes) {
        return build(config, evaluator, formatter, serdes, Clock.systemUTC(), EvidenceMetrics.inMemory());
    }

    /**
     * The evidence topology.
     *
     * @param clock   gives each record's {@code observedAt} (inject a fixed clock for reproducible output)
     * @param metrics where counters go
     */
    public static Topology build(EvidenceTopologyConfig config, Evaluator evaluator, ViolationFormatter formatter,
                                 EvidenceSerdes serdes, Clock clock, EvidenceMetrics metrics) {
        Objects.requireNonNull(formatter, "formatter");
        return build(config, evaluator, List.of(new ViolationFeed(config.topics().violations().name(),
                new ViolationOutput(formatter, ControlSeverity.INFO))), serdes, clock, metrics);
    }

    /**
     * The evidence topology with its violation feeds: the first keeps the node names of the single-feed topology
     * ({@link #FILTER_VIOLATIONS}, {@link #FORMAT_VIOLATIONS}, {@link #SINK_VIOLATIONS}); feed {@code n > 0} has
     * them suffixed {@code -n}.
     */
    public static Topology build(EvidenceTopologyConfig config, Evaluator evaluator, List<ViolationFeed> feeds,
                                 EvidenceSerdes serdes, Clock clock, EvidenceMetrics metrics) {
        return build(config, evaluator, feeds, serdes, clock, metrics, null);
    }

    /**
     * The topology; with {@link LiveControls} as the evaluator, also the custom-controls topic as a global store
     * ({@link #CUSTOM_CONTROL_STORE}), so that controls published while it runs are judged without a restart, and
     * those it refuses go to {@code deadLetters}.
     */
    public static Topology build(EvidenceTopologyConfig config, Evaluator evaluator, List<ViolationFeed> feeds,
                                 EvidenceSerdes serdes, Clock clock, EvidenceMetrics metrics, DeadLetterSink deadLetters) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(evaluator, "evaluator");
        if (feeds.isEmpty()) {
            throw new IllegalArgumentException("at least one violation feed is needed");
        }
        Objects.requireNonNull(serdes, "serdes");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
        TopicCatalog topics = config.topics();
        Serde<String> keys = Serdes.String();
        StreamsBuilder builder = new StreamsBuilder();

        KStream<String, ResourceChange> changes = builder
                .stream(topics.resourceChanges().name(), Consumed.with(keys, serdes.resourceChange())
                        .withName(SOURCE_RESOURCE_CHANGES))
                // The DELETED record before a tombstone carries everything; the tombstone is for compaction.
                .filter((key, change) -> change != null, Named.as(DROP_CHANGE_TOMBSTONES));
        if (config.clusterId().isPresent()) {
            String only = config.clusterId().get();
            changes = changes.filter((key, change) -> {
                boolean ours = only.equals(change.getClusterId());
                if (!ours) {
                    metrics.skipped("other-cluster");
                }
                return ours;
            }, Named.as(FILTER_CLUSTER));
        }
        EvaluationRouting routing = new EvaluationRouting(evaluator, config.evaluationPartitions());
        KStream<String, EvaluationInput> changeInputs = changes
                .selectKey((key, change) -> EvaluationRouting.scope(change), Named.as(KEY_CHANGES_BY_SCOPE))
                .repartition(Repartitioned.with(keys, serdes.resourceChange())
                        .withName(REPARTITION_CHANGES)
                        .withNumberOfPartitions(config.evaluationPartitions())
                        .withStreamPartitioner(routing.changePartitioner()))
                .mapValues(change -> EvaluationInput.of(change), Named.as(WRAP_CHANGES));

        KStream<String, EvaluationInput> scanInputs = builder
                .stream(topics.imageScans().name(), Consumed.with(keys, serdes.imageScan()).withName(SOURCE_IMAGE_SCANS))
                .filter((key, scan) -> scan != null, Named.as(DROP_SCAN_TOMBSTONES))
                .selectKey((key, scan) -> scanScope(scan), Named.as(KEY_SCANS_BY_CLUSTER))
                .repartition(Repartitioned.with(keys, serdes.imageScan())
                        .withName(REPARTITION_SCANS)
                        .withNumberOfPartitions(config.evaluationPartitions())
                        .withStreamPartitioner(EvaluationRouting.everyPartition()))
                .mapValues(scan -> EvaluationInput.of(scan), Named.as(WRAP_SCANS));

        // Exceptions and attestations reach every partition: their scope spans namespaces. A tombstone deletes one.
        KStream<String, EvaluationInput> exceptionInputs = toEveryPartition(builder, topics.controlExceptions(),
                serdes.controlException(), config, SOURCE_EXCEPTIONS, REPARTITION_EXCEPTIONS)
                .mapValues((id, exception) -> EvaluationInput.of(id, exception), Named.as(WRAP_EXCEPTIONS));
        KStream<String, EvaluationInput> attestationInputs = toEveryPartition(builder, topics.attestations(),
                serdes.attestation(), config, SOURCE_ATTESTATIONS, REPARTITION_ATTESTATIONS)
                .mapValues((id, attestation) -> EvaluationInput.of(id, attestation), Named.as(WRAP_ATTESTATIONS));

        KStream<String, AuditEvent> audit = auditEvents(builder, config, serdes);
        KStream<String, EvaluationInput> writeInputs = audit
                .filter((key, event) -> Attributions.isWrite(event), Named.as(FILTER_WRITES))
                .mapValues(Attributions::compact, Named.as(COMPACT_WRITES))
                .selectKey((key, write) -> Attributions.scope(write), Named.as(KEY_WRITES_BY_SCOPE))
                .repartition(Repartitioned.with(keys, serdes.auditEvent())
                        .withName(REPARTITION_WRITES)
                        .withNumberOfPartitions(config.evaluationPartitions())
                        .withStreamPartitioner(routing.writePartitioner()))
                .mapValues(write -> EvaluationInput.of(write), Named.as(WRAP_WRITES));

        EvaluationProcessor.Stores storeNames = new EvaluationProcessor.Stores(INVENTORY_STORE, IMAGE_INDEX_STORE,
                SCAN_STORE, EVIDENCE_STORE, EXCEPTION_STORE, EXEMPTION_INDEX_STORE, ATTESTATION_STORE, CLUSTER_STORE,
                WRITE_STORE, HELD_CHANGE_STORE, CONTROL_REVISION_STORE);
        builder.addStateStore(store(CONTROL_REVISION_STORE, Serdes.String()));
        builder.addStateStore(store(WRITE_STORE, Serdes.String()));
        builder.addStateStore(store(HELD_CHANGE_STORE, serdes.resourceChange()));
        builder.addStateStore(store(INVENTORY_STORE, serdes.resourceChange()));
        builder.addStateStore(store(IMAGE_INDEX_STORE, Serdes.String()));
        builder.addStateStore(store(SCAN_STORE, serdes.imageScan()));
        builder.addStateStore(store(EVIDENCE_STORE, serdes.evidence()));
        builder.addStateStore(store(EXCEPTION_STORE, serdes.controlException()));
        builder.addStateStore(store(EXEMPTION_INDEX_STORE, Serdes.String()));
        builder.addStateStore(store(ATTESTATION_STORE, serdes.attestation()));
        builder.addStateStore(store(CLUSTER_STORE, Serdes.String()));

        KStream<String, EvaluationOutput> outputs = changeInputs
                .merge(scanInputs, Named.as(MERGE_INPUTS))
                .merge(exceptionInputs, Named.as(MERGE_EXCEPTIONS))
                .merge(attestationInputs, Named.as(MERGE_ATTESTATIONS))
                .merge(writeInputs, Named.as(MERGE_WRITES))
                .process(() -> new EvaluationProcessor(config, evaluator, routing, clock, metrics, storeNames),
                        Named.as(EVALUATE), storeNames.names());

        outputs = outputs.merge(detections(builder, audit, config, evaluator, serdes, clock, metrics),
                Named.as(MERGE_DETECTIONS));

        Map<String, KStream<String, EvaluationOutput>> branches = outputs
                .split(Named.as(SPLIT_OUTPUTS))
                .branch((key, output) -> output.isDeadLetter(), Branched.as(BRANCH_DEAD_LETTERS))
                .defaultBranch(Branched.as(BRANCH_EVIDENCE));

        branches.get(SPLIT_OUTPUTS + BRANCH_DEAD_LETTERS)
                .mapValues(EvaluationOutput::deadLetter, Named.as(UNWRAP_DEAD_LETTERS))
                .to(topics.deadLetters().name(), Produced.with(keys, serdes.deadLetter()).withName(SINK_DEAD_LETTERS));

        KStream<String, EvidenceRecord> evidence = branches.get(SPLIT_OUTPUTS + BRANCH_EVIDENCE)
                .mapValues(EvaluationOutput::evidence, Named.as(UNWRAP_EVIDENCE));
        evidence.to(topics.evidence().name(), Produced.with(keys, serdes.evidence()).withName(SINK_EVIDENCE));
        evidence.to(topics.evidenceState().name(), Produced.with(keys, serdes.evidence()).withName(SINK_EVIDENCE_STATE));
        for (int n = 0; n < feeds.size(); n++) {
            ViolationFeed feed = feeds.get(n);
            String suffix = n == 0 ? "" : "-" + n;
            evidence.filter((key, record) -> Transitions.isViolationTransition(record) && feed.output().accepts(record),
                            Named.as(FILTER_VIOLATIONS + suffix))
                    .mapValues(record -> feed.output().formatter().format(record), Named.as(FORMAT_VIOLATIONS + suffix))
                    .to(feed.topic(), Produced.with(keys, Serdes.String()).withName(SINK_VIOLATIONS + suffix));
        }
        checkpoints(builder, config, serdes);
        if (evaluator instanceof LiveControls live) {
            publishedControls(builder, topics, live, serdes, Objects.requireNonNull(deadLetters, "deadLetters"), clock,
                    metrics);
        }
        return builder.build();
    }

    private static void publishedControls(StreamsBuilder builder, TopicCatalog topics, LiveControls live,
                                          EvidenceSerdes serdes, DeadLetterSink deadLetters, Clock clock,
                                          EvidenceMetrics metrics) {
        // A global store has no changelog: the compacted topic is its own; every instance reads all of it. RocksDB like
        // every other store, also because an in-memory store's metrics carry other tag keys, which the Prometheus
        // registry refuses for the RocksDB stores' meters of the same name.
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CUSTOM_CONTROL_STORE),
                        Serdes.String(), serdes.customControl()).withLoggingDisabled(),
                topics.customControls().name(),
                Consumed.with(Serdes.String(), serdes.customControl()).withName(SOURCE_CUSTOM_CONTROLS),
                () -> new PublishedControls(live, CUSTOM_CONTROL_STORE, deadLetters, metrics, clock));
    }

    /** Only the checkpoints of the evidence topic, for an instance that signs but does not evaluate. */
    public static Topology buildCheckpoints(EvidenceTopologyConfig config, EvidenceSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        checkpoints(builder, config, serdes);
        return builder.build();
    }

    /**
     * Reads back the evidence topic (what the sink and every reader see, by offset) and checkpoints each partition's
     * chain heads; a sub-topology of its own, with one task per evidence partition.
     */
    private static void checkpoints(StreamsBuilder builder, EvidenceTopologyConfig config, EvidenceSerdes serdes) {
        builder.addStateStore(store(CHAIN_HEAD_STORE, Serdes.String()));
        builder.addStateStore(store(CHECKPOINT_POSITION_STORE, Serdes.String()));
        String topic = config.topics().evidence().name();
        builder.stream(topic, Consumed.with(Serdes.String(), serdes.evidence()).withName(SOURCE_CHECKPOINT_EVIDENCE))
                .process(() -> new CheckpointProcessor(topic, config.checkpointInterval(),
                                config.checkpointKey().orElse(null), CHAIN_HEAD_STORE, CHECKPOINT_POSITION_STORE),
                        Named.as(CHECKPOINT), CHAIN_HEAD_STORE, CHECKPOINT_POSITION_STORE)
                .to(config.topics().checkpoints().name(), Produced.with(Serdes.String(), serdes.checkpoint())
                        .withName(SINK_CHECKPOINTS));
    }

    /**
     * The audit stream judged by the runtime controls: keyed by cluster (one task is the only writer of a cluster's
     * runtime evidence and sees all its principals' denials), bodies dropped where no rule reads them.
     */
    private static KStream<String, EvaluationOutput> detections(StreamsBuilder builder, KStream<String, AuditEvent> events,
                                                                EvidenceTopologyConfig config, Evaluator evaluator,
                                                                EvidenceSerdes serdes, Clock clock, EvidenceMetrics metrics) {
        RuntimeDetectionProcessor.Stores stores = new RuntimeDetectionProcessor.Stores(RUNTIME_EVIDENCE_STORE,
                DENIAL_STORE, AUDIT_CLOCK_STORE, SUPERUSER_ROLE_STORE);
        builder.addStateStore(store(RUNTIME_EVIDENCE_STORE, serdes.evidence()));
        builder.addStateStore(store(DENIAL_STORE, Serdes.String()));
        builder.addStateStore(store(AUDIT_CLOCK_STORE, Serdes.String()));
        builder.addStateStore(store(SUPERUSER_ROLE_STORE, Serdes.String()));
        return events
                .mapValues(event -> AuditRules.needsBodies(event) ? event : AuditEvent.newBuilder(event)
                        .setRequestObject(null).setResponseObject(null).build(), Named.as(STRIP_AUDIT_BODIES))
                .selectKey((key, event) -> event.getClusterId(), Named.as(KEY_AUDIT_BY_CLUSTER))
                .repartition(Repartitioned.with(Serdes.String(), serdes.auditEvent())
                        .withName(REPARTITION_AUDIT)
                        .withNumberOfPartitions(config.evaluationPartitions()))
                .process(() -> new RuntimeDetectionProcessor(evaluator, config.exceptionCheck(), clock, metrics, stores),
                        Named.as(DETECT), stores.names());
    }

    /** The audit stream (of the configured cluster only, when one is). */
    private static KStream<String, AuditEvent> auditEvents(StreamsBuilder builder, EvidenceTopologyConfig config,
                                                           EvidenceSerdes serdes) {
        KStream<String, AuditEvent> events = builder
                .stream(config.topics().auditEvents().name(), Consumed.with(Serdes.String(), serdes.auditEvent())
                        .withName(SOURCE_AUDIT_EVENTS))
                .filter((key, event) -> event != null, Named.as(DROP_AUDIT_TOMBSTONES));
        if (config.clusterId().isPresent()) {
            String only = config.clusterId().get();
            events = events.filter((key, event) -> only.equals(event.getClusterId()), Named.as(FILTER_AUDIT_CLUSTER));
        }
        return events;
    }

    /** A compacted topic read whole by every evaluation partition (tombstones included). */
    private static <V> KStream<String, V> toEveryPartition(StreamsBuilder builder, TopicSpec topic, Serde<V> values,
                                                          EvidenceTopologyConfig config, String source, String repartition) {
        return builder.stream(topic.name(), Consumed.with(Serdes.String(), values).withName(source))
                .repartition(Repartitioned.with(Serdes.String(), values)
                        .withName(repartition)
                        .withNumberOfPartitions(config.evaluationPartitions())
                        .withStreamPartitioner(EvaluationRouting.everyPartition()));
    }

    private static String scanScope(ImageScan scan) {
        return scan.getClusterId() == null ? StoreKeys.ANY_CLUSTER : scan.getClusterId();
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
    }
}
