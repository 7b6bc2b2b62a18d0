package dev.kubeproof.streams.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How the evidence application runs on Kafka Streams, validated on construction.
 *
 * @param applicationId     Kafka Streams application id: consumer group, prefix of internal topics; instances
 *                          with the same id share the work and take over from each other
 * @param bootstrapServers  Kafka bootstrap servers
 * @param stateDir          directory of the local state stores (RocksDB)
 * @param standbyReplicas   warm copies of each task's state on other instances, for fast take-over
 * @param replicationFactor replication of internal topics; -1 for the broker's default
 * @param streamThreads     stream threads of this instance
 * @param overrides         further Kafka Streams / client settings (e.g. {@code consumer.session.timeout.ms});
 *                          each must be a known Kafka config, and none may replace what this record or
 *                          {@link StreamsConfigFactory} decides (exactly-once, handlers, ...)
 */
public record StreamsSettings(String applicationId, String bootstrapServers, Path stateDir, int standbyReplicas,
                              int replicationFactor, int streamThreads, Map<String, String> overrides) {
    public static final String DEFAULT_APPLICATION_ID = "kubeproof-evidence";
    public static final int DEFAULT_STANDBY_REPLICAS = 1;
    private static final Pattern LEGAL_APPLICATION_ID = Pattern.compile("[a-zA-Z0-9._-]{1,200}");
    /** Settings decided by kubeproof, which overrides may not replace. */
    static final Set<String> OWNED = Set.of(StreamsConfig.APPLICATION_ID_CONFIG, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG,
            StreamsConfig.STATE_DIR_CONFIG, StreamsConfig.REPLICATION_FACTOR_CONFIG,
            StreamsConfig.NUM_STREAM_THREADS_CONFIG, StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG,
            StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, "default.deserialization.exception.handler",
            "default.production.exception.handler");
    private static final Map<String, Set<String>> CLIENT_PREFIXES = Map.of(
            StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.configNames(),
            StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.configNames(),
            StreamsConfig.RESTORE_CONSUMER_PREFIX, ConsumerConfig.configNames(),
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, ConsumerConfig.configNames(),
            StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configNames(),
            StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configNames());

    public StreamsSettings {
        Objects.requireNonNull(applicationId, "applicationId must be set");
        if (!LEGAL_APPLICATION_ID.matcher(applicationId).matches()) {
            throw new IllegalArgumentException("applicationId '" + applicationId
                    + "' must be 1-200 characters of a-z, A-Z, 0-9, '.', '_', '-'");
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrapServers must be set");
        }
        Objects.requireNonNull(stateDir, "stateDir must be set");
        if (standbyReplicas < 0) {
            throw new IllegalArgumentException("standbyReplicas must be 0 or more, was " + standbyReplicas);
        }
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new IllegalArgumentException("replicationFactor must be -1 (broker default) or at least 1, was "
                    + replicationFactor);
        }
        if (streamThreads < 1) {
            throw new IllegalArgumentException("streamThreads must be at least 1, was " + streamThreads);
        }
        Objects.requireNonNull(overrides, "overrides");
        overrides.forEach(StreamsSettings::checkOverride);
        overrides = Map.copyOf(new TreeMap<>(overrides));
    }

    /** Settings without overrides. */
    public StreamsSettings(String applicationId, String bootstrapServers, Path stateDir, int standbyReplicas,
                           int replicationFactor, int streamThreads) {
        this(applicationId, bootstrapServers, stateDir, standbyReplicas, replicationFactor, streamThreads, Map.of());
    }

    private static void checkOverride(String key, String value) {
        if (value == null) {
            throw new IllegalArgumentException("kafka.properties." + key + " has no value");
        }
        if (OWNED.contains(key) || key.startsWith("kubeproof.")) {
            throw new IllegalArgumentException("kafka.properties." + key + " cannot be overridden: kubeproof sets it"
                    + " (exactly-once, dead-lettering handlers, or a first-class option)");
        }
        if (StreamsConfig.configDef().names().contains(key)) {
            return;
        }
        for (Map.Entry<String, Set<String>> prefix : CLIENT_PREFIXES.entrySet()) {
            if (key.startsWith(prefix.getKey()) && prefix.getValue().contains(key.substring(prefix.getKey().length()))) {
                if (key.endsWith(ConsumerConfig.ISOLATION_LEVEL_CONFIG)
                        || key.endsWith(ProducerConfig.TRANSACTIONAL_ID_CONFIG)
                        || key.endsWith(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)) {
                    throw new IllegalArgumentException("kafka.properties." + key
                            + " cannot be overridden: exactly-once processing decides it");
                }
                return;
            }
        }
        throw new IllegalArgumentException("kafka.properties." + key + " is unknown: use a Kafka Streams config or a "
                + "client config with its prefix (consumer., main.consumer., restore.consumer., producer., admin.)");
    }
}
