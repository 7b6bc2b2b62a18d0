package dev.kubeproof.streams.config;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

import dev.kubeproof.runtime.DeadLetterSink;
import dev.kubeproof.streams.errors.DeadLetteringDeserializationHandler;
import dev.kubeproof.streams.errors.DeadLetteringProcessingHandler;
import dev.kubeproof.streams.errors.DeadLetteringProductionHandler;

/**
 * The one place the evidence application's Kafka Streams configuration is decided: exactly-once v2, the
 * dead-lettering exception handlers, standby replicas and the state directory. Tests build their
 * TopologyTestDriver from the same properties.
 */
public final class StreamsConfigFactory {
    /** Streams config key of the {@link DeadLetterSink} instance the exception handlers write through. */
    public static final String DEAD_LETTER_PUBLISHER = "kubeproof.dead.letter.publisher";
    /** Streams config key of the {@link Clock} the exception handlers stamp dead letters with. */
    public static final String CLOCK = "kubeproof.clock";
    /** Default {@code commit.interval.ms} (overridable through {@link StreamsSettings#overrides()}). */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 100L;
    /** Default producer {@code transaction.timeout.ms} (overridable as {@code producer.transaction.timeout.ms}). */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(1);

    private StreamsConfigFactory() {
    }

    public static Properties properties(StreamsSettings settings, DeadLetterSink deadLetters, Clock clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(deadLetters, "deadLetters");
        Objects.requireNonNull(clock, "clock");
        Properties properties = new Properties();
        properties.putAll(settings.overrides());
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, settings.standbyReplicas());
        properties.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toAbsolutePath().toString());
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, settings.replicationFactor());
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        // Serdes are passed explicitly everywhere; these defaults only make a missing one fail loudly on bytes.
        properties.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        properties.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetteringDeserializationHandler.class);
        properties.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetteringProductionHandler.class);
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetteringProcessingHandler.class);
        properties.put(DEAD_LETTER_PUBLISHER, deadLetters);
        properties.put(CLOCK, clock);
        // A record reaches a read_committed consumer only after the commit of each sub-topology it crosses (two), so
        // the interval is the change -> violation latency's floor. Kafka Streams' exactly-once default, stated: on
        // 4,000 pods at 50 changes/s, p50 234 ms and p99 887 ms to the violations topic, against 1.6 s and 2.2 s with
        // commits once a second, for a cold start as fast and a saturated steady state 10-15 % slower (streams/README).
        properties.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, DEFAULT_COMMIT_INTERVAL_MS);
        // A transaction spans one commit interval of processing. Under exactly-once Kafka Streams lowers the
        // producer's transaction timeout to 10 s; one poll of heavy inputs on a busy 2-core machine (a scan that
        // re-evaluates every workload of its image, a punctuation that releases many held changes) can take longer,
        // and then the broker aborts the transaction, the task is fenced and its stores are rebuilt from their
        // changelogs, which at cluster scale takes longer still. A minute keeps real progress; a crashed
        // instance's transaction is still aborted at once when its task restarts (same transactional id).
        properties.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                (int) TRANSACTION_TIMEOUT.toMillis());
        // Metrics reach Prometheus through Micrometer's binder, which reads the clients' metric registries directly.
        // The JMX reporter would re-register an MBean each time Kafka Streams adds or removes a metric, which it does
        // whenever a store's first iterator opens and its last closes (the oldest-open-iterator gauge): for nearly
        // every prefix scan the evaluation makes, about 6 % of the stream thread's time in a profile of a cold start.
        properties.putIfAbsent(StreamsConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        // The state stores' off-heap memory is fixed, not proportional to the partitions an instance runs.
        properties.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        // A new application starts from the beginning of the inputs: the compacted topics are the inventory.
        properties.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return properties;
    }
}
