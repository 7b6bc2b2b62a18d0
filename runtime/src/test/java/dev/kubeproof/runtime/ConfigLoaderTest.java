package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    record Listener(String host, int port) {
        Listener {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("listener.port must be 0..65535, was " + port);
            }
        }
    }

    record Sample(String clusterId, Listener listener, List<String> kinds, KafkaConfig kafka) {
        Sample {
            if (clusterId == null || clusterId.isBlank()) {
                throw new IllegalArgumentException("clusterId must be set");
            }
            kinds = kinds == null ? List.of() : List.copyOf(kinds);
        }
    }

    @Test
    void shouldLoadYamlIntoARecord(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
                clusterId: prod
                listener: {host: 0.0.0.0, port: 8443}
                kinds: [Secret, ConfigMap]
                kafka:
                  bootstrapServers: k:9092
                  schemaRegistryUrl: http://r:8081
                  clientId: audit
                  properties: {security.protocol: SSL}
                """);

        // When
        Sample sample = ConfigLoader.load(file, Sample.class);

        // Then
        assertThat(sample.clusterId()).isEqualTo("prod");
        assertThat(sample.listener().port()).isEqualTo(8443);
        assertThat(sample.kinds()).containsExactly("Secret", "ConfigMap");
        assertThat(sample.kafka().producerProperties()).containsEntry("security.protocol", "SSL").containsEntry("acks", "all");
    }

    @Test
    void shouldLetTheRecordSayWhatIsMissingWhenNothingIsGiven() {
        // Given no file, no variables and no --set
        // When / Then the record's own validation speaks (a command whose keys are all optional binds its defaults)
        assertThatThrownBy(() -> ConfigLoader.load(null, Sample.class, java.util.Map.of(), java.util.Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clusterId must be set");
    }

    @Test
    void shouldLoadJson(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("c.json");
        Files.writeString(file, "{\"clusterId\": \"a\", \"listener\": {\"host\": \"h\", \"port\": 1}}");

        // When
        Sample sample = ConfigLoader.load(file, Sample.class);

        // Then
        assertThat(sample.listener().host()).isEqualTo("h");
        assertThat(sample.kinds()).isEmpty();
    }

    @Test
    void shouldRejectAnUnknownKeyNamingItAndTheFile() {
        assertThatThrownBy(() -> ConfigLoader.parse("clusterId: a\nlistener: {host: h, prot: 1}\n", "/etc/c.yaml", Sample.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key 'prot'")
                .hasMessageContaining("at 'listener'")
                .hasMessageContaining("/etc/c.yaml")
                .hasMessageContaining("port");
    }

    @Test
    void shouldReportATypoAsTheUnknownKeyNotAsTheValueItLeavesMissing() {
        assertThatThrownBy(() -> ConfigLoader.parse("clusterID: a\n", "c.yaml", Sample.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key 'clusterID'");
        assertThatThrownBy(() -> ConfigLoader.parse("clusterId: a\nkafka: {bootstrapServers: k:1, schemaRegistryUrl: http://r,"
                + " clientID: c}\n", "c.yaml", Sample.class))
                .hasMessageContaining("unknown key 'clientID' at 'kafka'");
        assertThatThrownBy(() -> ConfigLoader.parse("{\"clusterId\": \"a\", \"kinds\": [], \"listeners\": []}", "c.json", Sample.class))
                .hasMessageContaining("unknown key 'listeners'").hasMessageContaining("known keys there: clusterId, kafka, kinds, listener");
    }

    @Test
    void shouldPassOnTheRecordsOwnValidationMessageWithTheFile() {
        assertThatThrownBy(() -> ConfigLoader.parse("clusterId: a\nlistener: {host: h, port: 70000}\n", "c.yaml", Sample.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listener.port must be 0..65535, was 70000")
                .hasMessageContaining("c.yaml");
    }

    @Test
    void shouldRejectMissingRequiredValuesAndWrongTypes() {
        assertThatThrownBy(() -> ConfigLoader.parse("listener: {host: h, port: 1}\n", "c.yaml", Sample.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clusterId must be set");
        assertThatThrownBy(() -> ConfigLoader.parse("clusterId: a\nlistener: {host: h, port: many}\n", "c.yaml", Sample.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listener.port");
    }

    @Test
    void shouldRejectDuplicateKeysAndEmptyFiles() {
        assertThatThrownBy(() -> ConfigLoader.parse("clusterId: a\nclusterId: b\n", "c.yaml", Sample.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clusterId");
        assertThatThrownBy(() -> ConfigLoader.parse("", "c.yaml", Sample.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void shouldRejectAKafkaConfigThatWeakensDurability() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusterId: a
                kafka: {bootstrapServers: k:1, schemaRegistryUrl: http://r, clientId: c, properties: {acks: "1"}}
                """, "c.yaml", Sample.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kafka.properties.acks must be 'all'");
    }

    record Timed(@com.fasterxml.jackson.annotation.JsonPropertyDescription("How long.") java.time.Duration timeout,
                 java.util.List<String> names, KafkaConfig kafka, Secret token) {
    }

    @Test
    void shouldApplyEnvironmentThenSetOverridesAndReadShortAndIsoDurations(@TempDir Path dir) throws Exception {
        // Given a file, an environment and --set overrides
        Path file = Files.writeString(dir.resolve("t.yaml"), """
                timeout: PT1M
                kafka: {bootstrapServers: "file:1", schemaRegistryUrl: "http://r"}
                """);
        java.util.Map<String, String> environment = java.util.Map.of("KUBEPROOF_KAFKA_BOOTSTRAP_SERVERS", "env:1",
                "KUBEPROOF_TIMEOUT", "90s", "KUBEPROOF_TOKEN_ENV", "TOKEN");

        // When
        Timed timed = ConfigLoader.load(file, Timed.class, java.util.Map.of("names", "a, b",
                "kafka.properties.security.protocol", "SSL", "timeout", "500ms"), environment);

        // Then the file is overridden by the environment, and that by --set
        assertThat(timed.kafka().bootstrapServers()).isEqualTo("env:1");
        assertThat(timed.timeout()).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(timed.names()).containsExactly("a", "b");
        assertThat(timed.kafka().properties()).containsEntry("security.protocol", "SSL");
        assertThat(timed.token().source()).isEqualTo("env:TOKEN");
        assertThat(ConfigLoader.load(file, Timed.class, java.util.Map.of(), java.util.Map.of("KUBEPROOF_TIMEOUT", "2h"))
                .timeout()).isEqualTo(java.time.Duration.ofHours(2));
        assertThatThrownBy(() -> ConfigLoader.load(file, Timed.class, java.util.Map.of("timeout", "soon"), java.util.Map.of()))
                .hasMessageContaining("timeout").hasMessageContaining("not a duration");
        assertThatThrownBy(() -> ConfigLoader.load(file, Timed.class, java.util.Map.of("kafka.bootstrap", "x"), java.util.Map.of()))
                .hasMessageContaining("unknown key 'kafka.bootstrap' in --set").hasMessageContaining("kafka.bootstrapServers");
    }

    @Test
    void shouldListEveryDeclaredKeyWithItsEnvironmentVariableAndMeaning() {
        // When
        java.util.List<ConfigKeys.ConfigKey> keys = ConfigKeys.of(Timed.class);

        // Then
        assertThat(keys).extracting(ConfigKeys.ConfigKey::path).contains("timeout", "names", "kafka",
                "kafka.bootstrapServers", "kafka.properties", "token.file", "token.env");
        assertThat(ConfigKeys.find(Timed.class, "kafka.schemaRegistryUrl").orElseThrow().environmentVariable())
                .contains("KUBEPROOF_KAFKA_SCHEMA_REGISTRY_URL");
        assertThat(ConfigKeys.find(Timed.class, "timeout").orElseThrow().description()).isEqualTo("How long.");
        assertThat(ConfigKeys.find(Timed.class, "kafka.properties").orElseThrow().environmentVariable()).isEmpty();
    }
}
