package dev.kubeproof.sink.config;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.kubeproof.contract.retry.RetryPolicy;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.siem.EcsViolationFormatter;
import dev.kubeproof.siem.ViolationFormats;

/**
 * The sink's configuration file (YAML; read by {@code ConfigLoader}, unknown keys rejected), immutable and validated
 * on construction; every message names the key.
 *
 * <pre>
 * kafka: {bootstrapServers: kafka:9092, schemaRegistryUrl: http://registry:8081}
 * health: {port: 8080}
 * elasticsearch:
 *   urls: [https://elasticsearch:9200]
 *   username: kubeproof-sink
 *   password: {file: /etc/kubeproof/elasticsearch/password}
 *   caFile: /etc/kubeproof/elasticsearch/ca.crt
 * </pre>
 */
public record SinkConfig(
        @JsonPropertyDescription("Kafka and the schema registry; kafka.properties takes consumer settings.")
        KafkaConfig kafka,
        @JsonProperty(defaultValue = TopicCatalog.DEFAULT_PREFIX)
        @JsonPropertyDescription("Prefix of every kubeproof topic.")
        String topicPrefix,
        @JsonPropertyDescription("Health, readiness and metrics endpoint.")
        HealthConfig health,
        @JsonProperty(defaultValue = SinkConfig.DEFAULT_GROUP_ID)
        @JsonPropertyDescription("Consumer group of the sink.")
        String groupId,
        @JsonProperty(defaultValue = "[evidence, posture, misconfigurations, violations, audit, checkpoints, scanner_findings]")
        @JsonPropertyDescription("What to index: evidence (history), posture (current state), misconfigurations (the"
                + " posture again as Elastic Security misconfiguration findings, for Kibana's Findings view: about a"
                + " third of the writes; leave it out where nobody uses that view), violations (made from the evidence"
                + " records), audit (audit events), checkpoints (signed checkpoints of the evidence chains),"
                + " scanner_findings (Trivy's configuration checks per resource).")
        Set<Input> inputs,
        @JsonProperty(defaultValue = "ecs")
        @JsonPropertyDescription("Format of the violation documents indexed (ecs or ocsf): the streams service's"
                + " violationsFormat, so that Elasticsearch holds what the SIEM reads.")
        String violationsFormat,
        @JsonProperty(defaultValue = "2000")
        @JsonPropertyDescription("Largest batch taken from Kafka at once.")
        Integer maxPollRecords,
        @JsonProperty(defaultValue = "500ms")
        @JsonPropertyDescription("How long one poll waits for records.")
        Duration pollTimeout,
        @JsonProperty(defaultValue = "{maxAttempts: 8, initial: 200ms, max: 30s}")
        @JsonPropertyDescription("Backoff of retried items and of an unreachable Elasticsearch; past maxAttempts the"
                + " sink keeps the largest backoff: it never gives up, it pauses.")
        RetryPolicy retry,
        @JsonProperty(defaultValue = "1000")
        @JsonPropertyDescription("Operations per bulk request.")
        Integer bulkMaxOperations,
        @JsonProperty(defaultValue = "5242880")
        @JsonPropertyDescription("Bytes per bulk request.")
        Long bulkMaxBytes,
        @JsonProperty(defaultValue = "2")
        @JsonPropertyDescription("Bulk requests in flight at once.")
        Integer bulkConcurrentRequests,
        @JsonPropertyDescription("How to reach Elasticsearch and name its indices. Required.")
        ElasticsearchConfig elasticsearch,
        @JsonPropertyDescription("Optional write-back of results as wg-policy PolicyReports. Default: off.")
        PolicyReportConfig policyReports) {
    /** The sink's {@code _bulk} requests in flight by default; raw {@code _bulk} in the benchmarks sends as many. */
    public static final int DEFAULT_BULK_CONCURRENT_REQUESTS = 2;

    public static final String DEFAULT_GROUP_ID = "kubeproof-sink";

    /**
     * What the sink can index. Each is a topic, except VIOLATIONS (made from the evidence topic's records) and
     * MISCONFIGURATIONS (made from the evidence-state topic's, as POSTURE is).
     */
    public enum Input {
        EVIDENCE, POSTURE, MISCONFIGURATIONS, VIOLATIONS, AUDIT, CHECKPOINTS, SCANNER_FINDINGS
    }

    public SinkConfig {
        kafka = KafkaConfig.required(kafka);
        for (String key : kafka.properties().keySet()) {
            if (key.equals("enable.auto.commit") || key.equals("group.id") || key.endsWith("deserializer")
                    || key.endsWith(".serializer")) {
                throw new IllegalArgumentException("kafka.properties." + key
                        + " is set by the sink itself and cannot be overridden");
            }
        }
        topicPrefix = TopicCatalog.prefixOrDefault(topicPrefix);
        health = HealthConfig.orDefaults(health);
        groupId = groupId == null || groupId.isBlank() ? DEFAULT_GROUP_ID : groupId;
        inputs = inputs == null ? EnumSet.allOf(Input.class) : Set.copyOf(inputs);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("inputs must name at least one of "
                    + java.util.Arrays.stream(Input.values()).map(i -> i.name().toLowerCase(java.util.Locale.ROOT)).toList());
        }
        violationsFormat = violationsFormat == null ? EcsViolationFormatter.NAME
                : violationsFormat.toLowerCase(java.util.Locale.ROOT);
        if (!ViolationFormats.NAMES.contains(violationsFormat)) {
            throw new IllegalArgumentException("violationsFormat must be one of " + ViolationFormats.NAMES + ", was '"
                    + violationsFormat + "'");
        }
        // 2,000: each poll's batch ends in a barrier (every request answered, then the commit), during which
        // Elasticsearch waits for the next batch; larger polls pay it less often. `sink bench`, 50,000 records, 1,000
        // operations per request, 2 in flight: 4,800-4,930 docs/s at 500 a poll, 6,450 at 1,000, 7,300-8,500 at 2,000,
        // 7,040 at 4,000. A batch holds at most this many records and their documents.
        maxPollRecords = maxPollRecords == null ? 2000 : maxPollRecords;
        if (maxPollRecords < 1 || maxPollRecords > 100_000) {
            throw new IllegalArgumentException("maxPollRecords must be between 1 and 100000, was " + maxPollRecords);
        }
        pollTimeout = pollTimeout == null ? Duration.ofMillis(500) : pollTimeout;
        if (pollTimeout.isNegative() || pollTimeout.isZero()) {
            throw new IllegalArgumentException("pollTimeout must be positive, was " + pollTimeout);
        }
        retry = retry == null ? new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(30)) : retry;
        bulkMaxOperations = bulkMaxOperations == null ? 1000 : bulkMaxOperations;
        bulkMaxBytes = bulkMaxBytes == null ? 5L * 1024 * 1024 : bulkMaxBytes;
        // Two: a poll's writes (about 3 per evidence record) span several requests, and they are independent: every
        // state write is versioned by its chain sequence, so an older one that lands last conflicts. Measured with
        // `sink bench`: 2,670 -> 3,631 docs/s when a poll spans four requests; no gain when it fits in one.
        bulkConcurrentRequests = bulkConcurrentRequests == null ? DEFAULT_BULK_CONCURRENT_REQUESTS : bulkConcurrentRequests;
        if (bulkMaxOperations < 1 || bulkMaxOperations > 100_000) {
            throw new IllegalArgumentException("bulkMaxOperations must be between 1 and 100000, was " + bulkMaxOperations);
        }
        if (bulkMaxBytes < 1024) {
            throw new IllegalArgumentException("bulkMaxBytes must be at least 1024, was " + bulkMaxBytes);
        }
        if (bulkConcurrentRequests < 1 || bulkConcurrentRequests > 64) {
            throw new IllegalArgumentException("bulkConcurrentRequests must be between 1 and 64, was "
                    + bulkConcurrentRequests);
        }
        if (elasticsearch == null) {
            throw new IllegalArgumentException("elasticsearch must be set (at least elasticsearch.urls)");
        }
        policyReports = policyReports == null ? PolicyReportConfig.disabled() : policyReports;
    }

    /** Defaults for everything but the endpoints: for tests and the benchmark. */
    public static SinkConfig of(String bootstrapServers, String schemaRegistryUrl, TopicCatalog topics,
                                ElasticsearchConfig elasticsearch) {
        return new SinkConfig(KafkaConfig.of(bootstrapServers, schemaRegistryUrl, null), topics.prefix(), null, null,
                null, null, null, null, new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(10)), null, null, null,
                elasticsearch, null);
    }

    public TopicCatalog topics() {
        return new TopicCatalog(topicPrefix);
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return kafka.schemaRegistryUrl();
    }

    /** Kafka client settings beyond the bootstrap servers (security, SASL), without the registry's. */
    public Map<String, String> kafkaClient() {
        return kafka.clientSettings();
    }

    public SinkConfig withGroupId(String group) {
        return new SinkConfig(kafka, topicPrefix, health, group, inputs, violationsFormat, maxPollRecords, pollTimeout, retry,
                bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withInputs(Set<Input> chosen) {
        return new SinkConfig(kafka, topicPrefix, health, groupId, chosen, violationsFormat, maxPollRecords, pollTimeout, retry,
                bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withRetry(RetryPolicy policy) {
        return new SinkConfig(kafka, topicPrefix, health, groupId, inputs, violationsFormat, maxPollRecords, pollTimeout, policy,
                bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withBatching(int pollRecords, int bulkOperations) {
        return new SinkConfig(kafka, topicPrefix, health, groupId, inputs, violationsFormat, pollRecords, pollTimeout, retry,
                bulkOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withConcurrentRequests(int requests) {
        return new SinkConfig(kafka, topicPrefix, health, groupId, inputs, violationsFormat, maxPollRecords, pollTimeout, retry,
                bulkMaxOperations, bulkMaxBytes, requests, elasticsearch, policyReports);
    }

    public SinkConfig withPolicyReports(PolicyReportConfig reports) {
        return new SinkConfig(kafka, topicPrefix, health, groupId, inputs, violationsFormat, maxPollRecords, pollTimeout, retry,
                bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, reports);
    }

    public SinkConfig withViolationsFormat(String format) {
        return new SinkConfig(kafka, topicPrefix, health, groupId, inputs, format, maxPollRecords, pollTimeout, retry,
                bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }

    public SinkConfig withHealth(HealthConfig endpoint) {
        return new SinkConfig(kafka, topicPrefix, endpoint, groupId, inputs, violationsFormat, maxPollRecords, pollTimeout, retry,
                bulkMaxOperations, bulkMaxBytes, bulkConcurrentRequests, elasticsearch, policyReports);
    }
}
