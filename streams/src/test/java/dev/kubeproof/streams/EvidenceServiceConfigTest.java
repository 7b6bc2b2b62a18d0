package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import dev.kubeproof.streams.config.StreamsConfigFactory;
import dev.kubeproof.streams.errors.DeadLetteringDeserializationHandler;
import dev.kubeproof.streams.errors.DeadLetteringProcessingHandler;
import dev.kubeproof.streams.errors.DeadLetteringProductionHandler;
import dev.kubeproof.streams.support.RecordingDeadLetters;
import picocli.CommandLine;

/** The service's configuration: defaults, validation by key, and what ends up in the Kafka Streams config. */
class EvidenceServiceConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put(EvidenceServiceConfig.BOOTSTRAP_SERVERS, "kafka:9092");
        values.put(EvidenceServiceConfig.SCHEMA_REGISTRY_URL, "http://registry:8081");
        return values;
    }

    @Test
    void shouldApplyDefaultsToTheRequiredKeys() {
        // When
        EvidenceServiceConfig config = EvidenceServiceConfig.fromMap(minimal());

        // Then
        assertThat(config.streams().applicationId()).isEqualTo("kubeproof-evidence");
        assertThat(config.streams().standbyReplicas()).isEqualTo(1);
        assertThat(config.streams().stateDir()).isEqualTo(Path.of("/var/lib/kubeproof/streams"));
        assertThat(config.topicPrefix()).isEqualTo("kubeproof.");
        assertThat(config.clusterId()).isEmpty();
        assertThat(config.violationsFormat()).isEqualTo("ecs");
        assertThat(config.evaluationPartitions()).isEqualTo(6);
        assertThat(config.topology().topics().evidence().name()).isEqualTo("kubeproof.evidence");
    }

    @Test
    void shouldRejectUnknownKeysByName() {
        // Given
        Map<String, String> values = minimal();
        values.put("standby.replicas", "2");

        // Then
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(values))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[standby.replicas]");
    }

    @Test
    void shouldNameTheKeyOfAMissingOrMalformedValue() {
        Map<String, String> noRegistry = minimal();
        noRegistry.remove(EvidenceServiceConfig.SCHEMA_REGISTRY_URL);
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(noRegistry)).hasMessage("schema.registry.url must be set");

        Map<String, String> badStandby = minimal();
        badStandby.put(EvidenceServiceConfig.STANDBY_REPLICAS, "two");
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(badStandby))
                .hasMessage("num.standby.replicas must be an integer, was 'two'");

        Map<String, String> negative = minimal();
        negative.put(EvidenceServiceConfig.STANDBY_REPLICAS, "-1");
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(negative)).hasMessageContaining("num.standby.replicas");

        Map<String, String> format = minimal();
        format.put(EvidenceServiceConfig.VIOLATIONS_FORMAT, "cef");
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(format)).hasMessageContaining("violations.format")
                .hasMessageContaining("cef");

        Map<String, String> registry = minimal();
        registry.put(EvidenceServiceConfig.SCHEMA_REGISTRY_URL, "ftp://registry");
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(registry)).hasMessageContaining("schema.registry.url");

        Map<String, String> prefix = minimal();
        prefix.put(EvidenceServiceConfig.TOPIC_PREFIX, "bad prefix!");
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(prefix)).hasMessageContaining("topic prefix");
    }

    @Test
    void shouldPassKafkaSettingsThroughButNotThoseKubeproofDecides() {
        // Given
        Map<String, String> values = minimal();
        values.put("kafka.consumer.session.timeout.ms", "10000");
        values.put("kafka.commit.interval.ms", "500");

        // When
        EvidenceServiceConfig config = EvidenceServiceConfig.fromMap(values);
        Properties properties = StreamsConfigFactory.properties(config.streams(), new RecordingDeadLetters(),
                java.time.Clock.systemUTC());

        // Then
        assertThat(properties).containsEntry("consumer.session.timeout.ms", "10000")
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "500");
        Map<String, String> guarantee = minimal();
        guarantee.put("kafka.processing.guarantee", "at_least_once");
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(guarantee))
                .hasMessageContaining("processing.guarantee cannot be overridden");
        Map<String, String> isolation = minimal();
        isolation.put("kafka.consumer.isolation.level", "read_uncommitted");
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(isolation))
                .hasMessageContaining("consumer.isolation.level cannot be overridden");
        Map<String, String> typo = minimal();
        typo.put("kafka.consumer.sesion.timeout.ms", "1");
        assertThatThrownBy(() -> EvidenceServiceConfig.fromMap(typo))
                .hasMessageContaining("consumer.sesion.timeout.ms is unknown");
    }

    @Test
    void shouldConfigureExactlyOnceDeadLetteringHandlersStandbysAndStateDir() {
        // Given
        Map<String, String> values = minimal();
        values.put(EvidenceServiceConfig.STATE_DIR, "/data/kubeproof");
        values.put(EvidenceServiceConfig.STANDBY_REPLICAS, "2");
        values.put(EvidenceServiceConfig.APPLICATION_ID, "evidence-eu");
        RecordingDeadLetters deadLetters = new RecordingDeadLetters();

        // When
        Properties properties = StreamsConfigFactory.properties(EvidenceServiceConfig.fromMap(values).streams(),
                deadLetters, java.time.Clock.systemUTC());

        // Then
        assertThat(properties)
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 2)
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, "/data/kubeproof")
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "evidence-eu")
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092")
                .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        DeadLetteringDeserializationHandler.class)
                .containsEntry(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        DeadLetteringProductionHandler.class)
                .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                        DeadLetteringProcessingHandler.class)
                .containsEntry(StreamsConfigFactory.DEAD_LETTER_PUBLISHER, deadLetters);
        assertThat(new StreamsConfig(properties).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .isEqualTo("exactly_once_v2");
    }

    @Test
    void shouldBuildTheConfigFromCommandOptionsOverAConfigFile() throws Exception {
        // Given
        Path file = java.nio.file.Files.createTempFile("streams", ".properties");
        java.nio.file.Files.writeString(file, "bootstrap.servers=file:9092\nschema.registry.url=http://file:8081\n"
                + "cluster.id=from-file\n");
        StreamsCommand command = new StreamsCommand();

        // When
        new CommandLine(command).parseArgs("--config", file.toString(), "--bootstrap-servers", "cli:9092",
                "--topic-prefix", "acme.", "--application-id", "evidence-acme", "--state-dir", "/tmp/state",
                "--violations-format", "ocsf", "--owner-label", "team,owner", "--standby-replicas", "0",
                "--kafka", "consumer.session.timeout.ms=12000");
        EvidenceServiceConfig config = command.config();

        // Then
        assertThat(config.streams().bootstrapServers()).isEqualTo("cli:9092");
        assertThat(config.schemaRegistryUrl()).hasToString("http://file:8081");
        assertThat(config.clusterId()).isEqualTo(Optional.of("from-file"));
        assertThat(config.topicPrefix()).isEqualTo("acme.");
        assertThat(config.streams().applicationId()).isEqualTo("evidence-acme");
        assertThat(config.streams().stateDir()).isEqualTo(Path.of("/tmp/state"));
        assertThat(config.streams().standbyReplicas()).isZero();
        assertThat(config.streams().overrides()).containsEntry("consumer.session.timeout.ms", "12000");
        assertThat(config.violationsFormat()).isEqualTo("ocsf");
        assertThat(config.ownerLabelKeys()).isEqualTo(List.of("team", "owner"));
        assertThat(new CommandLine(new StreamsCommand()).getCommandName()).isEqualTo("streams");
    }
}
