package dev.kubeproof.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.sink.config.ElasticsearchConfig;

/**
 * What {@code kubeproof report} and {@code kubeproof evidence verify} read: the sink's Elasticsearch (the same keys
 * as the sink's {@code elasticsearch} section, so one file's section serves both), and how much to fetch at once.
 *
 * <pre>
 * elasticsearch:
 *   urls: [https://elasticsearch:9200]
 *   username: kubeproof-report
 *   password: {file: /etc/kubeproof/elasticsearch/password}
 * kafka: {bootstrapServers: kafka:9092, schemaRegistryUrl: http://registry:8081}   # evidence verify --source kafka
 * </pre>
 */
public record ReportConfig(
        @JsonPropertyDescription("The Elasticsearch the sink writes to, and its index prefix. Required unless --home"
                + " names the local servers of ./kubeproof run.")
        ElasticsearchConfig elasticsearch,
        @JsonProperty(defaultValue = "5000")
        @JsonPropertyDescription("Evidence records per search request (and keys per aggregation page), 1..10000. Each"
                + " sorted page costs Elasticsearch a pass over the period's records, so fewer, larger pages read faster;"
                + " the export holds about three pages at a time.")
        Integer pageSize,
        @JsonPropertyDescription("Kafka and the schema registry, for evidence verify --source kafka (or --home).")
        KafkaConfig kafka,
        @JsonProperty(defaultValue = TopicCatalog.DEFAULT_PREFIX)
        @JsonPropertyDescription("Prefix of every kubeproof topic.")
        String topicPrefix) {

    /** Evidence records per search request unless configured. */
    public static final int DEFAULT_PAGE_SIZE = 5000;

    public ReportConfig {
        // 1,000,000 records on this 2-core machine: 84 s with pages of 1,000 (reading 59 s), 51 s with 5,000 (26 s),
        // at 376 MB peak heap of the 512 MB target (README, Performance)
        pageSize = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
        topicPrefix = TopicCatalog.prefixOrDefault(topicPrefix);
        if (pageSize < 1 || pageSize > 10_000) {
            throw new IllegalArgumentException("pageSize must be between 1 and 10000, was " + pageSize);
        }
    }
}
