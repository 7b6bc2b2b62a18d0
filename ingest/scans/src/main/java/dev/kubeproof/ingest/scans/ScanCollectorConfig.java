package dev.kubeproof.ingest.scans;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.KafkaConfig;

/**
 * The scan collector's config file (YAML or JSON; unknown keys are rejected).
 *
 * <pre>
 * clusterId: prod-eu-1            # optional: the cluster the reports are about
 * kafka: {bootstrapServers: kafka:9092, schemaRegistryUrl: http://registry:8081, clientId: kubeproof-scans}
 * directory: {path: /scans, stateFile: /var/lib/kubeproof/scans.state}
 * http:
 *   port: 8444
 *   tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}
 *   bearerTokenFile: /secrets/scan-tokens
 * </pre>
 *
 * @param clusterId      the cluster the reports are about; null when they are not tied to one
 * @param kafka          where to publish
 * @param topicPrefix    topic name prefix, default {@code kubeproof.}
 * @param health         health and metrics endpoint, default port 8080
 * @param directory      the watched directory; null for none
 * @param http           the HTTP endpoint; null for none
 * @param maxReportBytes largest report read from the directory, default 16 MiB
 */
public record ScanCollectorConfig(
        @JsonPropertyDescription("The cluster the reports are about; null when they are not tied to one.")
        String clusterId,
        @JsonPropertyDescription("Where to publish.")
        KafkaConfig kafka,
        @JsonPropertyDescription("Topic name prefix, default kubeproof.")
        String topicPrefix,
        @JsonPropertyDescription("Health and metrics endpoint, default port 8080.")
        HealthConfig health,
        @JsonPropertyDescription("The watched directory; null for none.")
        DirectorySourceConfig directory,
        @JsonPropertyDescription("The HTTP endpoint; null for none.")
        ScanEndpointConfig http,
        @JsonPropertyDescription("Largest report read from the directory, default 16 MiB.")
        Integer maxReportBytes) {

    public ScanCollectorConfig {
        if (clusterId != null && !clusterId.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("clusterId must be 1-128 letters, digits, '.', '_' or '-', was '" + clusterId + "'");
        }
        kafka = KafkaConfig.required(kafka).withDefaultClientId("kubeproof-scans");
        topicPrefix = TopicCatalog.prefixOrDefault(topicPrefix);
        health = HealthConfig.orDefaults(health);
        if (directory == null && http == null) {
            throw new IllegalArgumentException("configure at least one source: directory or http");
        }
        maxReportBytes = maxReportBytes == null ? ScanEndpointConfig.DEFAULT_MAX_BODY_BYTES : maxReportBytes;
        if (maxReportBytes < 1024 || maxReportBytes > 512 * 1024 * 1024) {
            throw new IllegalArgumentException("maxReportBytes must be between 1024 and 536870912, was " + maxReportBytes);
        }
    }

    public TopicCatalog topics() {
        return new TopicCatalog(topicPrefix);
    }
}
