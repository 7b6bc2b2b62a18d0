package dev.kubeproof.streams;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.config.StreamsSettings;

/**
 * Everything the evidence service is configured with, validated on construction. {@link #fromMap(Map)} reads
 * the flat key/value form (a properties file, or the command's options) and rejects unknown keys by name.
 *
 * @param streams              how it runs on Kafka Streams
 * @param schemaRegistryUrl    Confluent-compatible registry base URL
 * @param topicPrefix          prefix of every kubeproof topic
 * @param clusterId            evaluate only this cluster's changes; empty for every cluster
 * @param violationsFormat     SIEM format of the violations topic: ecs or ocsf
 * @param ownerLabelKeys       labels copied into evidence as owner labels
 * @param evaluationPartitions partitions of the evaluation repartition topics
 * @param controlSettings      a YAML/JSON file of control settings (trusted registries, ...); empty for defaults
 */
public record EvidenceServiceConfig(StreamsSettings streams, URI schemaRegistryUrl, String topicPrefix,
                                    Optional<String> clusterId, String violationsFormat, List<String> ownerLabelKeys,
                                    int evaluationPartitions, Optional<Path> controlSettings) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String CLUSTER_ID = "cluster.id";
    public static final String APPLICATION_ID = "application.id";
    public static final String STATE_DIR = "state.dir";
    public static final String VIOLATIONS_FORMAT = "violations.format";
    public static final String STANDBY_REPLICAS = "num.standby.replicas";
    public static final String REPLICATION_FACTOR = "replication.factor";
    public static final String STREAM_THREADS = "num.stream.threads";
    public static final String EVALUATION_PARTITIONS = "evaluation.partitions";
    public static final String OWNER_LABEL_KEYS = "owner.label.keys";
    public static final String CONTROL_SETTINGS = "control.settings";
    /** Prefix of further Kafka settings, e.g. {@code kafka.consumer.session.timeout.ms} (see {@link StreamsSettings}). */
    public static final String KAFKA_PREFIX = "kafka.";
    public static final Set<String> KEYS = Set.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX, CLUSTER_ID,
            APPLICATION_ID, STATE_DIR, VIOLATIONS_FORMAT, STANDBY_REPLICAS, REPLICATION_FACTOR, STREAM_THREADS,
            EVALUATION_PARTITIONS, OWNER_LABEL_KEYS, CONTROL_SETTINGS);

    public static final String DEFAULT_STATE_DIR = "/var/lib/kubeproof/streams";
    public static final String DEFAULT_VIOLATIONS_FORMAT = "ecs";

    public EvidenceServiceConfig {
        Objects.requireNonNull(streams, "streams");
        Objects.requireNonNull(schemaRegistryUrl, SCHEMA_REGISTRY_URL + " must be set");
        if (!"http".equals(schemaRegistryUrl.getScheme()) && !"https".equals(schemaRegistryUrl.getScheme())) {
            throw new IllegalArgumentException(SCHEMA_REGISTRY_URL + " must be an http or https URL, was "
                    + schemaRegistryUrl);
        }
        Objects.requireNonNull(topicPrefix, TOPIC_PREFIX);
        new TopicCatalog(topicPrefix);
        Objects.requireNonNull(clusterId, CLUSTER_ID);
        Objects.requireNonNull(violationsFormat, VIOLATIONS_FORMAT);
        if (!ViolationFormats.NAMES.contains(violationsFormat)) {
            throw new IllegalArgumentException(VIOLATIONS_FORMAT + " must be one of " + ViolationFormats.NAMES
                    + ", was '" + violationsFormat + "'");
        }
        Objects.requireNonNull(controlSettings, CONTROL_SETTINGS);
        // Validates owner labels, partitions and the cluster id with the messages of the topology's own config.
        new EvidenceTopologyConfig(new TopicCatalog(topicPrefix), ownerLabelKeys, evaluationPartitions, clusterId);
        ownerLabelKeys = List.copyOf(ownerLabelKeys);
    }

    /** The topology's part of the configuration. */
    public EvidenceTopologyConfig topology() {
        return new EvidenceTopologyConfig(new TopicCatalog(topicPrefix), ownerLabelKeys, evaluationPartitions, clusterId);
    }

    /**
     * From flat keys ({@link #KEYS}); {@value #BOOTSTRAP_SERVERS} and {@value #SCHEMA_REGISTRY_URL} are required,
     * everything else has a default. Unknown keys and malformed values fail with a message naming the key.
     */
    public static EvidenceServiceConfig fromMap(Map<String, String> values) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(KEYS);
        unknown.removeIf(key -> key.startsWith(KAFKA_PREFIX));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown streams config key(s) " + unknown + "; known keys are "
                    + new TreeSet<>(KEYS) + " and " + KAFKA_PREFIX + "<Kafka Streams or client setting>");
        }
        Map<String, String> given = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (value != null && !value.isBlank()) {
                given.put(key, value.trim());
            }
        });
        StreamsSettings streams = new StreamsSettings(
                given.getOrDefault(APPLICATION_ID, StreamsSettings.DEFAULT_APPLICATION_ID),
                required(given, BOOTSTRAP_SERVERS),
                Path.of(given.getOrDefault(STATE_DIR, DEFAULT_STATE_DIR)),
                integer(given, STANDBY_REPLICAS, StreamsSettings.DEFAULT_STANDBY_REPLICAS),
                integer(given, REPLICATION_FACTOR, -1),
                integer(given, STREAM_THREADS, 1),
                kafkaOverrides(given));
        String registryUrl = required(given, SCHEMA_REGISTRY_URL);
        URI registry;
        try {
            registry = URI.create(registryUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SCHEMA_REGISTRY_URL + " is not a URL: " + e.getMessage(), e);
        }
        List<String> ownerLabels = given.containsKey(OWNER_LABEL_KEYS)
                ? Arrays.stream(given.get(OWNER_LABEL_KEYS).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
                : EvidenceTopologyConfig.DEFAULT_OWNER_LABEL_KEYS;
        return new EvidenceServiceConfig(streams, registry,
                given.getOrDefault(TOPIC_PREFIX, TopicCatalog.DEFAULT_PREFIX),
                Optional.ofNullable(given.get(CLUSTER_ID)),
                given.getOrDefault(VIOLATIONS_FORMAT, DEFAULT_VIOLATIONS_FORMAT).toLowerCase(java.util.Locale.ROOT),
                ownerLabels,
                integer(given, EVALUATION_PARTITIONS, EvidenceTopologyConfig.DEFAULT_EVALUATION_PARTITIONS),
                Optional.ofNullable(given.get(CONTROL_SETTINGS)).map(Path::of));
    }

    private static Map<String, String> kafkaOverrides(Map<String, String> values) {
        Map<String, String> overrides = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(KAFKA_PREFIX)) {
                overrides.put(key.substring(KAFKA_PREFIX.length()), value);
            }
        });
        return overrides;
    }

    private static String required(Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException(key + " must be set");
        }
        return value;
    }

    private static int integer(Map<String, String> values, String key, int fallback) {
        String value = values.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + value + "'");
        }
    }
}
