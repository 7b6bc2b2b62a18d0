package dev.kubeproof.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;

import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.controls.cel.LiveControls;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.DeadLetterSink;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ViolationFeed;
import dev.kubeproof.streams.config.SchemaIdCache;
import dev.kubeproof.streams.config.SchemaSubjects;
import dev.kubeproof.streams.config.StreamsConfigFactory;

/**
 * The evidence application: builds the topology from a validated configuration, runs it on Kafka Streams and
 * closes it cleanly. A stream thread that dies of an unexpected error shuts the client down (the orchestrator
 * restarts the process; exactly-once makes the restart safe) rather than spinning on the same failure.
 */
public final class EvidenceService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final DeadLetterSink deadLetters;
    private final KafkaStreamsMetrics streamsMetrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean failed;

    /** The service with the built-in control engine (and settings file, if configured) and the REST registry. */
    public static EvidenceService create(EvidenceServiceConfig config, EvidenceMetrics metrics) {
        LiveControls controls = controls(config);
        SchemaRegistryClient registry = new ConfluentRestSchemaRegistryClient(config.kafka().registryClientConfig());
        // The SIEM feeds format violations with the catalog the service started with; a control published later is
        // formatted from what its evidence record carries (id, title, severity, remediation).
        return new EvidenceService(config, controls, config.feeds(ControlCatalog.of(controls.engine())), registry,
                Clock.systemUTC(), metrics);
    }

    public EvidenceService(EvidenceServiceConfig config, Evaluator evaluator, List<ViolationFeed> feeds,
                           SchemaRegistryClient client, Clock clock, EvidenceMetrics metrics) {
        Objects.requireNonNull(config, "config");
        SchemaRegistryClient registry = SchemaIdCache.wrap(client);
        EvidenceTopologyConfig topologyConfig = config.topology();
        SchemaSubjects.register(registry, SchemaSubjects.of(config.streams().applicationId(), topologyConfig.topics()));
        this.deadLetters = DeadLetterPublisher.create(
                config.kafka().forProducer(config.streams().applicationId() + "-dead-letters"), topologyConfig.topics(),
                new IngestMetrics(metrics.registry()), clock);
        Topology topology = EvidenceTopology.build(topologyConfig, evaluator, feeds, EvidenceSerdes.avro(registry),
                clock, metrics, deadLetters);
        Properties properties = StreamsConfigFactory.properties(config.streams(), deadLetters, clock);
        this.streams = new KafkaStreams(topology, properties);
        this.streams.setUncaughtExceptionHandler(error -> {
            LOG.error("a stream thread failed; shutting this instance down", error);
            failed = true;
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        this.streams.setStateListener((now, before) -> {
            LOG.info("evidence streams {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR) {
                failed = true;
            }
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        this.streamsMetrics.bindTo(metrics.registry());
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The underlying client, for health checks and tests (task assignment, standbys). */
    public KafkaStreams streams() {
        return streams;
    }

    /** Waits until the instance stops (closed or failed). */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The changes this instance holds back while it waits for the audit event that names their writer (each at most
     * {@code attributionWait}): work still to come although every input has been read. -1 while the stores cannot be
     * queried (starting, rebalancing). Counted, not estimated: RocksDB's estimate lags deletions.
     */
    public long heldChanges() {
        try {
            ReadOnlyKeyValueStore<String, Object> held = streams.store(StoreQueryParameters.fromNameAndType(
                    EvidenceTopology.HELD_CHANGE_STORE, QueryableStoreTypes.keyValueStore()));
            long count = 0;
            try (KeyValueIterator<String, Object> all = held.all()) {
                while (all.hasNext()) {
                    all.next();
                    count++;
                }
            }
            return count;
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    /** True when a stream thread failed or the client went to ERROR. */
    public boolean failed() {
        return failed;
    }

    @Override
    public void close() {
        try {
            // Leave the group at once, so that another instance takes over without waiting for the session timeout.
            streams.close(new KafkaStreams.CloseOptions().timeout(CLOSE_TIMEOUT).leaveGroup(true));
        } finally {
            streamsMetrics.close();
            deadLetters.close();
            stopped.countDown();
        }
    }

    /** The built-in catalog, the customControls directory's controls, and those published on the topic later. */
    private static LiveControls controls(EvidenceServiceConfig config) {
        ControlSettings settings;
        try {
            settings = config.controlSettings() == null ? ControlSettings.defaults()
                    : ControlSettings.read(config.controlSettings());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read controlSettings " + config.controlSettings() + ": "
                    + e.getMessage(), e);
        }
        try {
            return new LiveControls(settings, config.customControls() == null ? java.util.List.of()
                    : dev.kubeproof.controls.cel.CelControlFiles.read(java.util.List.of(config.customControls())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read customControls " + config.customControls() + ": "
                    + e.getMessage(), e);
        }
    }
}
