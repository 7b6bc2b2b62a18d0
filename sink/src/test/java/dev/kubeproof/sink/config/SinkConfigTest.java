package dev.kubeproof.sink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kubeproof.runtime.ConfigLoader;
import org.junit.jupiter.api.io.TempDir;

class SinkConfigTest {
    /** The sink's config as --set overrides give it, through the one loader every service uses. */
    static SinkConfig from(Map<String, String> values) {
        return ConfigLoader.load(null, SinkConfig.class, values, Map.of());
    }

    @TempDir
    Path dir;

    private Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrapServers", "127.0.0.1:9092");
        values.put("kafka.schemaRegistryUrl", "http://127.0.0.1:8081");
        values.put("elasticsearch.urls", "http://127.0.0.1:9200");
        return values;
    }

    @Test
    void shouldApplyDefaultsToAMinimalConfiguration() {
        // When only the endpoints are given
        SinkConfig config = from(minimal());
        // Then everything else has its documented default
        assertThat(config.groupId()).isEqualTo("kubeproof-sink");
        assertThat(config.topics().evidence().name()).isEqualTo("kubeproof.evidence");
        assertThat(config.inputs()).containsExactlyInAnyOrder(SinkConfig.Input.values());
        assertThat(config.maxPollRecords()).isEqualTo(2000);
        assertThat(config.elasticsearch().indexPrefix()).isEqualTo("kubeproof");
        assertThat(config.elasticsearch().auditDataStream()).isEqualTo("logs-kubernetes.audit_logs-kubeproof");
        assertThat(config.elasticsearch().auditRetention()).isEqualTo(Duration.ofDays(90));
        assertThat(config.elasticsearch().evidenceRetention()).isNull();
        assertThat(config.elasticsearch().username()).isNull();
        assertThat(config.retry().maxAttempts()).isEqualTo(8);
    }

    @Test
    void shouldNameTheAuditDataStreamAfterTheIndexPrefixUnlessItIsSet() {
        // Given an index prefix with a '-', which a data stream's namespace may not contain
        Map<String, String> values = minimal();
        values.put("elasticsearch.indexPrefix", "kp-staging");
        // When the audit data stream is not set, Then its namespace is the prefix, '-' written '_'
        assertThat(from(values).elasticsearch().auditDataStream()).isEqualTo("logs-kubernetes.audit_logs-kp_staging");
        // When it is set, Then it is used as given
        values.put("elasticsearch.auditDataStream", "logs-kubernetes.audit_logs-shared");
        assertThat(from(values).elasticsearch().auditDataStream()).isEqualTo("logs-kubernetes.audit_logs-shared");
    }

    @Test
    void shouldReadEveryKeyAndPassKafkaClientPropertiesThrough() throws Exception {
        // Given a full configuration with a password file
        Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
        Map<String, String> values = minimal();
        values.putAll(Map.of("groupId", "g", "kafka.properties.security.protocol", "SSL", "topicPrefix", "t.",
                "inputs", "evidence, audit", "retry.initial", "50ms", "retry.max", "2m",
                "elasticsearch.username", "writer", "elasticsearch.password.file", password.toString(),
                "elasticsearch.auditRetention", "30d", "elasticsearch.replicas", "0"));
        values.put("bulkMaxOperations", "200");
        values.put("retry.maxAttempts", "8");
        // When parsed
        SinkConfig config = from(values);
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
    void shouldLetAnInstallationLeaveOutTheMisconfigurationFindings() {
        // Given the inputs without misconfigurations (an Elasticsearch whose users never open Kibana's Findings view)
        Map<String, String> values = minimal();
        values.put("inputs", "evidence, posture, violations, audit, checkpoints, scanner_findings");
        // When parsed, Then the posture is indexed and its copy as misconfiguration findings is not
        assertThat(from(values).inputs()).contains(SinkConfig.Input.POSTURE)
                .doesNotContain(SinkConfig.Input.MISCONFIGURATIONS);
        // and the copy alone is a valid choice too
        values.put("inputs", "Misconfigurations");
        assertThat(from(values).inputs()).containsExactly(SinkConfig.Input.MISCONFIGURATIONS);
    }

    @Test
    void shouldRejectUnknownKeysNamingThem() {
        Map<String, String> values = minimal();
        values.put("elasticsearch.pasword.file", "/x");
        assertThatThrownBy(() -> from(values))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key 'elasticsearch.pasword.file'");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                kafka: {bootstrapServers: "b:9092", schemaRegistryUrl: "http://r"}
                elasticsearch: {urls: ["http://es:9200"]}
                batchsize: 5
                """, "sink.yaml", SinkConfig.class)).hasMessageContaining("unknown key 'batchsize'")
                .hasMessageContaining("sink.yaml").hasMessageContaining("bulkMaxOperations");
    }

    @Test
    void shouldNameTheMissingOrBadKey() {
        Map<String, String> noUrls = minimal();
        noUrls.remove("elasticsearch.urls");
        assertThatThrownBy(() -> from(noUrls)).hasMessageContaining("elasticsearch must be set");

        Map<String, String> badDuration = minimal();
        badDuration.put("pollTimeout", "soon");
        assertThatThrownBy(() -> from(badDuration)).hasMessageContaining("pollTimeout");

        Map<String, String> badInput = minimal();
        badInput.put("inputs", "evidence,metrics");
        assertThatThrownBy(() -> from(badInput)).hasMessageContaining("metrics").hasMessageContaining("inputs");

        Map<String, String> badUrl = minimal();
        badUrl.put("elasticsearch.urls", "ftp://es:9200");
        assertThatThrownBy(() -> from(badUrl)).hasMessageContaining("ftp://es:9200");

        Map<String, String> reserved = minimal();
        reserved.put("kafka.properties.enable.auto.commit", "true");
        assertThatThrownBy(() -> from(reserved)).hasMessageContaining("kafka.properties.enable.auto.commit");
    }

    @Test
    void shouldRequireExactlyOneWayToAuthenticate() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "x");
        Map<String, String> userWithoutPassword = minimal();
        userWithoutPassword.put("elasticsearch.username", "writer");
        assertThatThrownBy(() -> from(userWithoutPassword)).hasMessageContaining("elasticsearch.password");

        Map<String, String> both = minimal();
        both.put("elasticsearch.username", "writer");
        both.put("elasticsearch.password.env", "ES_PASSWORD");
        both.put("elasticsearch.apiKey.file", secret.toString());
        assertThatThrownBy(() -> from(both)).hasMessageContaining("exclude each other");

        Map<String, String> fileAndEnv = minimal();
        fileAndEnv.put("elasticsearch.apiKey.file", secret.toString());
        fileAndEnv.put("elasticsearch.apiKey.env", "ES_API_KEY");
        assertThatThrownBy(() -> from(fileAndEnv)).hasMessageContaining("exactly one of 'file' or 'env'")
                .hasMessageContaining("elasticsearch.apiKey");

        Map<String, String> apiKey = minimal();
        apiKey.put("elasticsearch.apiKey.env", "ES_API_KEY");
        assertThat(from(apiKey).elasticsearch().apiKey().source()).isEqualTo("env:ES_API_KEY");
    }

    @Test
    void shouldRequireHttpsForACaFileAndAReadableFile() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not checked here");
        Map<String, String> http = minimal();
        http.put("elasticsearch.caFile", ca.toString());
        assertThatThrownBy(() -> from(http)).hasMessageContaining("not https");

        Map<String, String> missing = minimal();
        missing.put("elasticsearch.urls", "https://es:9200");
        missing.put("elasticsearch.caFile", dir.resolve("absent.pem").toString());
        assertThatThrownBy(() -> from(missing)).hasMessageContaining("elasticsearch.caFile").hasMessageContaining("absent.pem");

        Map<String, String> https = minimal();
        https.put("elasticsearch.urls", "https://es:9200");
        https.put("elasticsearch.caFile", ca.toString());
        assertThat(from(https).elasticsearch().caFile()).isEqualTo(ca);
    }

    @Test
    void shouldNeverShowASecretWhenPrinted() throws Exception {
        // Given a password file
        Path password = Files.writeString(dir.resolve("password"), "hunter2-very-secret");
        Map<String, String> values = minimal();
        values.put("elasticsearch.username", "writer");
        values.put("elasticsearch.password.file", password.toString());
        // When the configuration is printed, as logs do
        String printed = from(values).toString();
        // Then the source is named and the value is not
        assertThat(printed).contains(password.toString()).doesNotContain("hunter2");
    }

    @Test
    void shouldLoadAYamlFileWithEnvironmentAndSetOverrides() throws Exception {
        Path file = Files.writeString(dir.resolve("sink.yaml"), """
                kafka: {bootstrapServers: "broker:9092", schemaRegistryUrl: "http://registry:8081"}
                elasticsearch:
                  urls: [http://es1:9200, http://es2:9200]
                  password: {env: ES_PASSWORD}
                  username: writer
                groupId: from-file
                """);
        SinkConfig config = ConfigLoader.load(file, SinkConfig.class, Map.of("groupId", "from-command-line"),
                Map.of("KUBEPROOF_ELASTICSEARCH_USERNAME", "from-env"));
        assertThat(config.elasticsearch().username()).isEqualTo("from-env");
        assertThat(config.elasticsearch().password().source()).isEqualTo("env:ES_PASSWORD");
        assertThat(config.groupId()).isEqualTo("from-command-line");
        assertThat(config.elasticsearch().urls()).hasSize(2);
    }
}
