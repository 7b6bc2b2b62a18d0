package dev.kubeproof.sink.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import dev.kubeproof.contract.retry.RetryPolicy;
import dev.kubeproof.contract.topics.TopicCatalog;

/**
 * The sink's whole configuration, immutable and validated on construction; {@link #from(Map)} rejects unknown
 * keys and names the key in every message. Kafka client settings beyond the basic ones pass through under
 * {@code kafka.client.} (e.g. {@code kafka.client.security.protocol}).
 *
 * @param kafkaBootstrapServers   the brokers
 * @param groupId                 consumer group of the sink
 * @param kafkaClient             extra Kafka client properties
 * @param schemaRegistryUrl       Confluent-compatible registry URL
 * @param topics                  the topic catalog (by prefix)
 * @param inputs                  which topics to index
 * @param maxPollRecords          largest batch taken from Kafka at once
 * @param pollTimeout             how long one poll waits for records
 * @param retry                   backoff of retried items and of an unreachable Elasticsearch (attempts beyond
 *                                {@code maxAttempts} keep the largest backoff: the sink never gives up, it pauses)
 * @param bulkMaxOperations       operations per bulk request
 * @param bulkMaxBytes            bytes per bulk request
 * @param bulkConcurrentRequests  bulk requests in flight at once
 * @param elasticsearch           how to reach Elasticsearch and name its indices
 * @param policyReports           optional write-back of results as wg-policy PolicyReports (off by default)
 */
public record SinkConfig(String kafkaBootstrapServers, String groupId, Map<String, String> kafkaClient,
                         String schemaRegistryUrl, TopicCatalog topics, Set<Input> inputs, int maxPollRecords,
                         Duration pollTimeout, RetryPolicy retry, int bulkMaxOperations, long bulkMaxBytes,
                         int bulkConcurrentRequests, ElasticsearchConfig elasticsearch,
                         PolicyReportConfig policyReports) {

    /** The topics the sink can index. */
    public enum Input {
        EVIDENCE, POSTURE, VIOLATIONS, AUDIT;

        static Input parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sink.inputs: '" + value
                        + "' is unknown; use evidence, posture, violations, audit", e);
            }
        }
    }

    public SinkConfig {
        requireText("kafka.bootstrap-servers", kafkaBootstrapServers);
        requireText("kafka.group-id", groupId);
        kafkaClient = Map.copyOf(kafkaClient == null ? Map.of() : kafkaClient);
        for (String key : kafkaClient.keySet()) {
            if (key.equals("enable.auto.commit") || key.equals("group.id") || key.equals("bootstrap.servers")
                    || key.endsWith("deserializer") || key.endsWith(".serializer")) {
                throw new IllegalArgumentException("kafka.client." + key + " is set by the sink itself and cannot be overridden");
            }
        }
        requireText("schema-registry.url", schemaRegistryUrl);
        Objects.requireNonNull(topics, "topics.prefix");
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("sink.inputs must name at least one of evidence, posture, violations, audit");
        }
        inputs = Set.copyOf(inputs);
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("kafka.max-poll-records must be at least 1, was " + maxPollRecords);
        }
        if (pollTimeout == null || pollTimeout.isNegative() || pollTimeout.isZero()) {
            throw new IllegalArgumentException("sink.poll-timeout must be positive, was " + pollTimeout);
        }
        Objects.requireNonNull(retry, "sink.retry.*");
        if (bulkMaxOperations < 1 || bulkMaxBytes < 1024 || bulkConcurrentRequests < 1) {
            throw new IllegalArgumentException("sink.bulk.max-operations (>= 1), sink.bulk.max-bytes (>= 1024) and "
                    + "sink.bulk.concurrent-requests (>= 1) must be positive");
        }
        Objects.requireNonNull(elasticsearch, "elasticsearch.*");
        policyReports = policyReports == null ? PolicyReportConfig.disabled() : policyReports;
    }

    /** Defaults for everything but the endpoints: for tests and the benchmark. */
    public static SinkConfig of(String bootstrapServers, String schemaRegistryUrl, TopicCatalog topics,
                                ElasticsearchConfig elasticsearch) {
        return new SinkConfig(bootstrapServers, "kubeproof-sink", Map.of(), schemaRegistryUrl, topics,
                EnumSet.allOf(Input.class), 500, Duration.ofMillis(500),
                new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(10)), 1000, 5L * 1024 * 1024, 1,
                elasticsearch, PolicyReportConfig.disabled());
    }

    public SinkConfig withGroupId(String group) {
        return new SinkConfig(kafkaBootstrapServers, group, kafkaClient, schemaRegistryUrl, topics, inputs, maxPollRecords,
                pollTimeout, retry, bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withInputs(Set<Input> chosen) {
        return new SinkConfig(kafkaBootstrapServers, groupId, kafkaClient, schemaRegistryUrl, topics, chosen, maxPollRecords,
                pollTimeout, retry, bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withRetry(RetryPolicy policy) {
        return new SinkConfig(kafkaBootstrapServers, groupId, kafkaClient, schemaRegistryUrl, topics, inputs, maxPollRecords,
                pollTimeout, policy, bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withBatching(int pollRecords, int bulkOperations) {
        return new SinkConfig(kafkaBootstrapServers, groupId, kafkaClient, schemaRegistryUrl, topics, inputs, pollRecords,
                pollTimeout, retry, bulkOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withPolicyReports(PolicyReportConfig reports) {
        return new SinkConfig(kafkaBootstrapServers, groupId, kafkaClient, schemaRegistryUrl, topics, inputs, maxPollRecords,
                pollTimeout, retry, bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, reports);
    }

    /** From flat keys (a properties file, command-line {@code --set}); unknown keys are rejected. */
    public static SinkConfig from(Map<String, String> values) {
        Settings settings = new Settings(values);
        settings.allowPrefix("kafka.client.");
        Map<String, String> kafkaClient = settings.withPrefix("kafka.client.");

        Set<Input> inputs = EnumSet.noneOf(Input.class);
        settings.list("sink.inputs", List.of("evidence", "posture", "violations", "audit")).forEach(i -> inputs.add(Input.parse(i)));

        RetryPolicy retry;
        try {
            retry = new RetryPolicy(settings.integer("sink.retry.max-attempts", 8, 1, 1000),
                    settings.duration("sink.retry.initial-backoff", Duration.ofMillis(200)),
                    settings.duration("sink.retry.max-backoff", Duration.ofSeconds(30)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sink.retry.*: " + e.getMessage(), e);
        }

        String username = settings.string("elasticsearch.username", null);
        Secret password = secret(settings, "elasticsearch.password");
        Secret apiKey = secret(settings, "elasticsearch.api-key");
        List<URI> urls = settings.list("elasticsearch.urls", List.of()).stream().map(u -> {
            try {
                return URI.create(u);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("elasticsearch.urls: '" + u + "' is not a URL", e);
            }
        }).toList();
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("elasticsearch.urls is required");
        }
        ElasticsearchConfig elasticsearch = new ElasticsearchConfig(urls, username, password, apiKey,
                settings.path("elasticsearch.ca-file"),
                settings.duration("elasticsearch.connect-timeout", Duration.ofSeconds(5)),
                settings.duration("elasticsearch.response-timeout", Duration.ofSeconds(30)),
                settings.string("elasticsearch.index-prefix", ElasticsearchConfig.DEFAULT_INDEX_PREFIX),
                settings.string("elasticsearch.audit-data-stream", ElasticsearchConfig.DEFAULT_AUDIT_DATA_STREAM),
                settings.integer("elasticsearch.replicas", 1, 0, 10),
                settings.duration("elasticsearch.retention.audit", Duration.ofDays(90)),
                settings.duration("elasticsearch.retention.violations", Duration.ofDays(365)),
                settings.duration("elasticsearch.retention.evidence", null));

        SinkConfig config = new SinkConfig(
                settings.required("kafka.bootstrap-servers"),
                settings.string("kafka.group-id", "kubeproof-sink"),
                kafkaClient,
                settings.required("schema-registry.url"),
                new TopicCatalog(settings.string("topics.prefix", TopicCatalog.DEFAULT_PREFIX)),
                inputs,
                settings.integer("kafka.max-poll-records", 500, 1, 100_000),
                settings.duration("sink.poll-timeout", Duration.ofMillis(500)),
                retry,
                settings.integer("sink.bulk.max-operations", 1000, 1, 100_000),
                settings.longValue("sink.bulk.max-bytes", 5L * 1024 * 1024, 1024),
                settings.integer("sink.bulk.concurrent-requests", 1, 1, 64),
                elasticsearch,
                PolicyReportConfig.from(settings));
        settings.rejectUnknown();
        return config;
    }

    /** A properties file, then overrides (e.g. from the command line). */
    public static SinkConfig load(Path file, Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        if (file != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the configuration " + file + ": " + e.getMessage(), e);
            }
            properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
        }
        values.putAll(overrides);
        return from(values);
    }

    private static Secret secret(Settings settings, String key) {
        Path file = settings.path(key + "-file");
        String env = settings.string(key + "-env", null);
        if (file != null && env != null) {
            throw new IllegalArgumentException(key + "-file and " + key + "-env exclude each other: use one");
        }
        if (file != null) {
            return Secret.fromFile(key + "-file", file);
        }
        return env == null ? null : Secret.fromEnvironment(key + "-env", env);
    }

    private static void requireText(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
    }
}
