package dev.kubeproof.streams.support;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.siem.ViolationFeed;
import dev.kubeproof.siem.ViolationFormatter;
import dev.kubeproof.siem.ViolationOutput;
import dev.kubeproof.streams.EvidenceMetrics;
import dev.kubeproof.streams.EvidenceSerdes;
import dev.kubeproof.streams.EvidenceTopology;
import dev.kubeproof.streams.EvidenceTopologyConfig;
import dev.kubeproof.streams.config.StreamsConfigFactory;
import dev.kubeproof.testkit.MutableClock;
import dev.kubeproof.streams.config.StreamsSettings;

/** The evidence topology in a TopologyTestDriver, configured by the production StreamsConfigFactory. */
public final class TopologyHarness implements AutoCloseable {
    public static final Instant NOW = Instant.parse("2026-03-01T12:00:00.123Z");

    public final TopicCatalog topics = TopicCatalog.defaults();
    /** How often the topology looks for expired exceptions, in driver wall-clock time. */
    public static final java.time.Duration EXCEPTION_CHECK = java.time.Duration.ofSeconds(10);
    /** The key pair that signs the topology's checkpoints. */
    public static final java.security.KeyPair CHECKPOINT_KEYS = checkpointKeys();
    public final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    public final EvidenceSerdes serdes = EvidenceSerdes.avro(registry);
    public final RecordingDeadLetters handlerDeadLetters = new RecordingDeadLetters();
    public final EvidenceMetrics metrics = EvidenceMetrics.inMemory();
    /** The topology's clock (observedAt, whether an exception is in force); tests move it with the driver's time. */
    public final MutableClock clock = new MutableClock(NOW);
    public final TopologyTestDriver driver;
    public final Topology topology;
    public final TestInputTopic<String, ResourceChange> changes;
    public final TestInputTopic<String, byte[]> rawChanges;
    public final TestInputTopic<String, ImageScan> scans;
    public final TestInputTopic<String, ControlException> exceptions;
    public final TestInputTopic<String, Attestation> attestations;
    public final TestInputTopic<String, AuditEvent> auditEvents;
    /** The custom-controls topic (read when the evaluator is {@code LiveControls}). */
    public final TestInputTopic<String, dev.kubeproof.avro.CustomControl> customControls;
    public final TestOutputTopic<String, EvidenceRecord> evidence;
    public final TestOutputTopic<String, EvidenceRecord> evidenceState;
    public final TestOutputTopic<String, String> violations;
    public final TestOutputTopic<String, DeadLetter> deadLetters;
    public final TestOutputTopic<String, dev.kubeproof.avro.Checkpoint> checkpoints;

    public TopologyHarness(Path stateDir, Evaluator evaluator, ViolationFormatter formatter) {
        this(stateDir, evaluator, formatter, Optional.empty());
    }

    public TopologyHarness(Path stateDir, Evaluator evaluator, ViolationFormatter formatter, Optional<String> clusterId) {
        this(stateDir, evaluator, List.of(new ViolationFeed(TopicCatalog.defaults().violations().name(),
                new ViolationOutput(formatter, ControlSeverity.INFO))), clusterId);
    }

    public TopologyHarness(Path stateDir, Evaluator evaluator, List<ViolationFeed> feeds, Optional<String> clusterId) {
        // TopologyTestDriver runs one partition of every topic: one evaluation partition is what it really runs.
        EvidenceTopologyConfig config = new EvidenceTopologyConfig(topics, List.of("team", "owner"), 1, clusterId,
                EXCEPTION_CHECK, EvidenceTopologyConfig.DEFAULT_ATTRIBUTION_WAIT,
                EvidenceTopologyConfig.DEFAULT_CHECKPOINT_INTERVAL, Optional.of(CHECKPOINT_KEYS.getPrivate()));
        topology = EvidenceTopology.build(config, evaluator, feeds, serdes, clock, metrics, handlerDeadLetters);
        Properties properties = StreamsConfigFactory.properties(
                new StreamsSettings("evidence-test", "unused:9092", stateDir, 1, -1, 1), handlerDeadLetters, clock);
        driver = new TopologyTestDriver(topology, properties, NOW);
        changes = driver.createInputTopic(topics.resourceChanges().name(), new StringSerializer(),
                serdes.resourceChange().serializer());
        rawChanges = driver.createInputTopic(topics.resourceChanges().name(), new StringSerializer(),
                new ByteArraySerializer());
        scans = driver.createInputTopic(topics.imageScans().name(), new StringSerializer(),
                serdes.imageScan().serializer());
        exceptions = driver.createInputTopic(topics.controlExceptions().name(), new StringSerializer(),
                serdes.controlException().serializer());
        attestations = driver.createInputTopic(topics.attestations().name(), new StringSerializer(),
                serdes.attestation().serializer());
        auditEvents = driver.createInputTopic(topics.auditEvents().name(), new StringSerializer(),
                serdes.auditEvent().serializer());
        customControls = driver.createInputTopic(topics.customControls().name(), new StringSerializer(),
                serdes.customControl().serializer());
        evidence = driver.createOutputTopic(topics.evidence().name(), new StringDeserializer(),
                serdes.evidence().deserializer());
        evidenceState = driver.createOutputTopic(topics.evidenceState().name(), new StringDeserializer(),
                serdes.evidence().deserializer());
        violations = driver.createOutputTopic(topics.violations().name(), new StringDeserializer(),
                new StringDeserializer());
        checkpoints = driver.createOutputTopic(topics.checkpoints().name(), new StringDeserializer(),
                serdes.checkpoint().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), new StringDeserializer(),
                serdes.deadLetter().deserializer());
    }

    /** An output topic of the driver with String values, e.g. a further violation feed. */
    public TestOutputTopic<String, String> textTopic(String name) {
        return driver.createOutputTopic(name, new StringDeserializer(), new StringDeserializer());
    }

    public void pipe(ResourceChange change) {
        changes.pipeInput(Resources.key(change), change);
    }

    public void tombstone(ResourceChange change) {
        changes.pipeInput(Resources.key(change), (ResourceChange) null);
    }

    /** Publishes an exception's state (null: a tombstone) at the clock's time, as the CLI would now. */
    public void exception(String exceptionId, ControlException exception) {
        exceptions.pipeInput(exceptionId, exception, clock.instant());
    }

    /** Publishes an attestation's state (null: a tombstone) at the clock's time. */
    public void attestation(String attestationId, Attestation attestation) {
        attestations.pipeInput(attestationId, attestation, clock.instant());
    }

    /** Publishes an audit event as the collector does, at the clock's time. */
    public void audit(AuditEvent event) {
        auditEvents.pipeInput(event.getClusterId() + "/" + event.getAuditId(), event, clock.instant());
    }

    /** Moves the topology's clock and the driver's wall clock together (wall-clock punctuations run). */
    public void advance(java.time.Duration duration) {
        clock.advance(duration);
        driver.advanceWallClockTime(duration);
    }

    public List<EvidenceRecord> evidence() {
        return evidence.readValuesToList();
    }

    public List<KeyValue<String, EvidenceRecord>> evidenceWithKeys() {
        return evidence.readKeyValuesToList();
    }

    @Override
    public void close() {
        driver.close();
    }

    private static java.security.KeyPair checkpointKeys() {
        try {
            return java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
