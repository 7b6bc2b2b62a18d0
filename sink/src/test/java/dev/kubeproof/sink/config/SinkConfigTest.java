package dev.kubeproof.sink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkConfigTest {
    @TempDir
    Path dir;

    private Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        values.put("schema-registry.url", "http://127.0.0.1:8081");
        values.put("elasticsearch.urls", "http://127.0.0.1:9200");
        return values;
    }

    @Test
    void shouldApplyDefaultsToAMinimalConfiguration() {
        // When only the endpoints are given
        SinkConfig config = SinkConfig.from(minimal());
        // Then everything else has its documented default
        assertThat(config.groupId()).isEqualTo("kubeproof-sink");
        assertThat(config.topics().evidence().name()).isEqualTo("kubeproof.evidence");
        assertThat(config.inputs()).containsExactlyInAnyOrder(SinkConfig.Input.values());
        assertThat(config.maxPollRecords()).isEqualTo(500);
        assertThat(config.elasticsearch().indexPrefix()).isEqualTo("kubeproof");
        assertThat(config.elasticsearch().auditDataStream()).isEqualTo("logs-kubernetes.audit_logs-kubeproof");
        assertThat(config.elasticsearch().auditRetention()).isEqualTo(Duration.ofDays(90));
        assertThat(config.elasticsearch().evidenceRetention()).isNull();
        assertThat(config.elasticsearch().username()).isNull();
        assertThat(config.retry().maxAttempts()).isEqualTo(8);
    }

    @Test
    void shouldReadEveryKeyAndPassKafkaClientPropertiesThrough() throws Exception {
        // Given a full configuration with a password file
        Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
        Map<String, String> values = minimal();
        values.putAll(Map.of("kafka.group-id", "g", "kafka.client.security.protocol", "SSL", "topics.prefix", "t.",
                "sink.inputs", "evidence, audit", "sink.retry.initial-backoff", "50ms", "sink.retry.max-backoff", "2m",
                "elasticsearch.username", "writer", "elasticsearch.password-file", password.toString(),
                "elasticsearch.retention.audit", "30d", "elasticsearch.replicas", "0"));
        values.put("sink.bulk.max-operations", "200");
        // When parsed
        SinkConfig config = SinkConfig.from(values);
        // Then each value is where it belongs
        assertThat(config.groupId()).isEqualTo("g");
        assertThat(config.kafkaClient()).containsEntry("security.protocol", "SSL");
        assertThat(config.topics().auditEvents().name()).isEqualTo("t.audit-events");
        assertThat(config.inputs()).containsExactlyInAnyOrder(SinkConfig.Input.EVIDENCE, SinkConfig.Input.AUDIT);
        assertThat(config.retry().initial()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.retry().max()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.bulkMaxOperations()).isEqualTo(200);
        assertThat(config.elasticsearch().username()).isEqualTo("writer");
        assertThat(config.elasticsearch().password().read(name -> null)).isEqualTo("s3cret");
        assertThat(config.elasticsearch().auditRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(config.elasticsearch().replicas()).isZero();
    }

    @Test
    void shouldRejectUnknownKeysNamingThem() {
        Map<String, String> values = minimal();
        values.put("elasticsearch.pasword-file", "/x");
        values.put("sink.batchsize", "5");
        assertThatThrownBy(() -> SinkConfig.from(values))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("elasticsearch.pasword-file").hasMessageContaining("sink.batchsize");
    }

    @Test
    void shouldNameTheMissingOrBadKey() {
        Map<String, String> noUrls = minimal();
        noUrls.remove("elasticsearch.urls");
        assertThatThrownBy(() -> SinkConfig.from(noUrls)).hasMessageContaining("elasticsearch.urls is required");

        Map<String, String> badDuration = minimal();
        badDuration.put("sink.poll-timeout", "soon");
        assertThatThrownBy(() -> SinkConfig.from(badDuration)).hasMessageContaining("sink.poll-timeout");

        Map<String, String> badInput = minimal();
        badInput.put("sink.inputs", "evidence,metrics");
        assertThatThrownBy(() -> SinkConfig.from(badInput)).hasMessageContaining("'metrics'");

        Map<String, String> badUrl = minimal();
        badUrl.put("elasticsearch.urls", "ftp://es:9200");
        assertThatThrownBy(() -> SinkConfig.from(badUrl)).hasMessageContaining("ftp://es:9200");

        Map<String, String> reserved = minimal();
        reserved.put("kafka.client.enable.auto.commit", "true");
        assertThatThrownBy(() -> SinkConfig.from(reserved)).hasMessageContaining("kafka.client.enable.auto.commit");
    }

    @Test
    void shouldRequireExactlyOneWayToAuthenticate() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "x");
        Map<String, String> userWithoutPassword = minimal();
        userWithoutPassword.put("elasticsearch.username", "writer");
        assertThatThrownBy(() -> SinkConfig.from(userWithoutPassword)).hasMessageContaining("elasticsearch.password-file");

        Map<String, String> both = minimal();
        both.put("elasticsearch.username", "writer");
        both.put("elasticsearch.password-env", "ES_PASSWORD");
        both.put("elasticsearch.api-key-file", secret.toString());
        assertThatThrownBy(() -> SinkConfig.from(both)).hasMessageContaining("exclude each other");

        Map<String, String> fileAndEnv = minimal();
        fileAndEnv.put("elasticsearch.api-key-file", secret.toString());
        fileAndEnv.put("elasticsearch.api-key-env", "ES_API_KEY");
        assertThatThrownBy(() -> SinkConfig.from(fileAndEnv)).hasMessageContaining("elasticsearch.api-key-file and elasticsearch.api-key-env");

        Map<String, String> apiKey = minimal();
        apiKey.put("elasticsearch.api-key-env", "ES_API_KEY");
        assertThat(SinkConfig.from(apiKey).elasticsearch().apiKey().source()).isEqualTo("env:ES_API_KEY");
    }

    @Test
    void shouldRequireHttpsForACaFileAndAReadableFile() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not checked here");
        Map<String, String> http = minimal();
        http.put("elasticsearch.ca-file", ca.toString());
        assertThatThrownBy(() -> SinkConfig.from(http)).hasMessageContaining("not https");

        Map<String, String> missing = minimal();
        missing.put("elasticsearch.urls", "https://es:9200");
        missing.put("elasticsearch.ca-file", dir.resolve("absent.pem").toString());
        assertThatThrownBy(() -> SinkConfig.from(missing)).hasMessageContaining("elasticsearch.ca-file").hasMessageContaining("absent.pem");

        Map<String, String> https = minimal();
        https.put("elasticsearch.urls", "https://es:9200");
        https.put("elasticsearch.ca-file", ca.toString());
        assertThat(SinkConfig.from(https).elasticsearch().caFile()).isEqualTo(ca);
    }

    @Test
    void shouldNeverShowASecretWhenPrinted() throws Exception {
        // Given a password file
        Path password = Files.writeString(dir.resolve("password"), "hunter2-very-secret");
        Map<String, String> values = minimal();
        values.put("elasticsearch.username", "writer");
        values.put("elasticsearch.password-file", password.toString());
        // When the configuration is printed, as logs do
        String printed = SinkConfig.from(values).toString();
        // Then the source is named and the value is not
        assertThat(printed).contains(password.toString()).doesNotContain("hunter2");
    }

    @Test
    void shouldLoadAPropertiesFileWithOverrides() throws Exception {
        Path file = Files.writeString(dir.resolve("sink.properties"), """
                kafka.bootstrap-servers=broker:9092
                schema-registry.url=http://registry:8081
                elasticsearch.urls=http://es1:9200,http://es2:9200
                kafka.group-id=from-file
                """);
        SinkConfig config = SinkConfig.load(file, Map.of("kafka.group-id", "from-command-line"));
        assertThat(config.groupId()).isEqualTo("from-command-line");
        assertThat(config.elasticsearch().urls()).hasSize(2);
    }
}
