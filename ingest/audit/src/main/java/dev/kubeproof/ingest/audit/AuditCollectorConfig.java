package dev.kubeproof.ingest.audit;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.KafkaConfig;

/**
 * The audit collector's config file (YAML or JSON; unknown keys are rejected).
 *
 * <pre>
 * clusterId: prod-eu-1
 * kafka: {bootstrapServers: kafka:9092, schemaRegistryUrl: http://registry:8081, clientId: kubeproof-audit}
 * health: {port: 8080}
 * webhook:
 *   port: 8443
 *   tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key, clientCaFile: /tls/apiserver-ca.crt}
 *   bearerTokenFile: /secrets/webhook-tokens
 * files:
 *   - {path: /var/log/kubernetes/audit/audit.log, positionFile: /var/lib/kubeproof/audit.log.position}
 * redaction: {kinds: [ConfigMap]}
 * </pre>
 *
 * @param clusterId      the cluster the events come from (in every record and key); letters, digits, '.', '_', '-'
 * @param kafka          where to publish
 * @param topicPrefix    topic name prefix, default {@code kubeproof.}
 * @param health         health and metrics endpoint, default port 8080
 * @param webhook        the webhook receiver; null for none
 * @param files          audit log files to tail; empty for none
 * @param redaction      extra kinds whose bodies are dropped (Secrets always are)
 * @param maxEventBytes  largest single event (log line) accepted, default 1 MiB
 * @param dedupCacheSize how many recent events are remembered to drop resent duplicates, default 100000
 */
public record AuditCollectorConfig(
        @JsonPropertyDescription("The cluster the events come from (in every record and key); letters, digits, '.', '_', '-'.")
        String clusterId,
        @JsonPropertyDescription("Where to publish.")
        KafkaConfig kafka,
        @JsonPropertyDescription("Topic name prefix, default kubeproof.")
        String topicPrefix,
        @JsonPropertyDescription("Health and metrics endpoint, default port 8080.")
        HealthConfig health,
        @JsonPropertyDescription("The webhook receiver; null for none.")
        WebhookConfig webhook,
        @JsonPropertyDescription("Audit log files to tail; empty for none.")
        List<FileSourceConfig> files,
        @JsonPropertyDescription("Extra kinds whose bodies are dropped (Secrets always are).")
        RedactionConfig redaction,
        @JsonPropertyDescription("Largest single event (log line) accepted, default 1 MiB.")
        Integer maxEventBytes,
        @JsonPropertyDescription("How many recent events are remembered to drop resent duplicates, default 100000.")
        Integer dedupCacheSize) {

    public AuditCollectorConfig {
        if (clusterId == null || !clusterId.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("clusterId must be 1-128 letters, digits, '.', '_' or '-', was '" + clusterId + "'");
        }
        kafka = KafkaConfig.required(kafka).withDefaultClientId("kubeproof-audit");
        topicPrefix = TopicCatalog.prefixOrDefault(topicPrefix);
        health = HealthConfig.orDefaults(health);
        files = files == null ? List.of() : List.copyOf(files);
        if (webhook == null && files.isEmpty()) {
            throw new IllegalArgumentException("configure at least one source: webhook or files");
        }
        Set<String> paths = new HashSet<>();
        Set<String> positions = new HashSet<>();
        for (FileSourceConfig file : files) {
            if (!paths.add(file.path().toAbsolutePath().normalize().toString())) {
                throw new IllegalArgumentException("files: " + file.path() + " is listed twice");
            }
            if (!positions.add(file.positionFile().toAbsolutePath().normalize().toString())) {
                throw new IllegalArgumentException("files: position file " + file.positionFile() + " is used twice");
            }
        }
        redaction = redaction == null ? RedactionConfig.none() : redaction;
        maxEventBytes = maxEventBytes == null ? WebhookConfig.DEFAULT_MAX_BODY_BYTES : maxEventBytes;
        if (maxEventBytes < 1024 || maxEventBytes > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("maxEventBytes must be between 1024 and 268435456, was " + maxEventBytes);
        }
        dedupCacheSize = dedupCacheSize == null ? 100_000 : dedupCacheSize;
        if (dedupCacheSize < 1) {
            throw new IllegalArgumentException("dedupCacheSize must be at least 1, was " + dedupCacheSize);
        }
    }

    public TopicCatalog topics() {
        return new TopicCatalog(topicPrefix);
    }
}
