package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.streams.config.BoundedRocksDbMemory;
import dev.kubeproof.streams.config.StreamsConfigFactory;
import dev.kubeproof.streams.errors.DeadLetteringDeserializationHandler;
import dev.kubeproof.streams.errors.DeadLetteringProcessingHandler;
import dev.kubeproof.streams.errors.DeadLetteringProductionHandler;
import dev.kubeproof.streams.support.RecordingDeadLetters;
import picocli.CommandLine;

/** The service's configuration: defaults, validation by key, and what ends up in the Kafka Streams config. */
class EvidenceServiceConfigTest {
    private static final String MINIMAL = """
            kafka: {bootstrapServers: "kafka:9092", schemaRegistryUrl: "http://registry:8081"}
            """;

    private static EvidenceServiceConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "streams.yaml", EvidenceServiceConfig.class);
    }

    @Test
    void shouldApplyDefaultsThatWorkOnALaptop() {
        // When
        EvidenceServiceConfig config = parse(MINIMAL);

        // Then
        assertThat(config.streams().applicationId()).isEqualTo("kubeproof-evidence");
        assertThat(config.streams().standbyReplicas()).isEqualTo(1);
        assertThat(config.streams().stateDir()).isEqualTo(Path.of(".kubeproof/streams-state")).isRelative();
        assertThat(config.topicPrefix()).isEqualTo("kubeproof.");
        assertThat(config.clusterId()).isNull();
        assertThat(config.health().port()).isEqualTo(8080);
        assertThat(config.violationsFormat()).isEqualTo("ecs");
        assertThat(config.evaluationPartitions()).isEqualTo(6);
        assertThat(config.topology().topics().evidence().name()).isEqualTo("kubeproof.evidence");
    }

    @Test
    void shouldRejectUnknownKeysByName() {
        assertThatThrownBy(() -> parse(MINIMAL + "standby.replicas: 2\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key 'standby.replicas'")
                .hasMessageContaining("standbyReplicas");
    }

    @Test
    void shouldNameTheKeyOfAMissingOrMalformedValue() {
        assertThatThrownBy(() -> parse("kafka: {bootstrapServers: \"k:1\"}\n"))
                .hasMessageContaining("kafka.schemaRegistryUrl must be set");
        assertThatThrownBy(() -> parse(MINIMAL + "standbyReplicas: two\n"))
                .hasMessageContaining("standbyReplicas");
        assertThatThrownBy(() -> parse(MINIMAL + "standbyReplicas: -1\n"))
                .hasMessageContaining("standbyReplicas must be 0 or more");
        assertThatThrownBy(() -> parse(MINIMAL + "violationsFormat: cef\n"))
                .hasMessageContaining("violationsFormat").hasMessageContaining("cef");
        assertThatThrownBy(() -> parse("kafka: {bootstrapServers: \"k:1\", schemaRegistryUrl: \"ftp://r\"}\n"))
                .hasMessageContaining("kafka.schemaRegistryUrl");
        assertThatThrownBy(() -> parse(MINIMAL + "topicPrefix: \"bad prefix!\"\n"))
                .hasMessageContaining("topicPrefix");
    }

    @Test
    void shouldGiveTransactionsAMinuteUnlessOverridden() {
        // Given the minimal configuration, and one that sets the producer's transaction timeout
        Properties defaults = StreamsConfigFactory.properties(parse(MINIMAL).streams(), new RecordingDeadLetters(),
                java.time.Clock.systemUTC());
        Properties overridden = StreamsConfigFactory.properties(parse(MINIMAL.replace("}",
                ", properties: {producer.transaction.timeout.ms: \"30000\"}}")).streams(), new RecordingDeadLetters(),
                java.time.Clock.systemUTC());

        // Then a transaction may last a minute (not Kafka Streams' exactly-once 10 s), or what the operator said
        assertThat(defaults).containsEntry("producer.transaction.timeout.ms", 60_000);
        assertThat(overridden).containsEntry("producer.transaction.timeout.ms", "30000");
    }

    @Test
    void shouldCommitEveryHundredMillisecondsSoThatViolationsArriveWithinASecond() {
        // Given the minimal configuration
        // When
        Properties defaults = StreamsConfigFactory.properties(parse(MINIMAL).streams(), new RecordingDeadLetters(),
                java.time.Clock.systemUTC());

        // Then a change crosses the two sub-topologies' commits in a fraction of a second (streams/README)
        assertThat(defaults).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L);
    }

    @Test
    void shouldPassKafkaSettingsThroughButNotThoseKubeproofDecides() {
        // Given
        EvidenceServiceConfig config = parse(MINIMAL.replace("}", ", properties: {consumer.session.timeout.ms: \"10000\","
                + " commit.interval.ms: \"500\", bearer.auth.token: \"t\"}}"));

        // When
        Properties properties = StreamsConfigFactory.properties(config.streams(), new RecordingDeadLetters(),
                java.time.Clock.systemUTC());

        // Then
        assertThat(properties).containsEntry("consumer.session.timeout.ms", "10000")
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "500").doesNotContainKey("bearer.auth.token");
        assertThatThrownBy(() -> parse(MINIMAL.replace("}", ", properties: {processing.guarantee: at_least_once}}")))
                .hasMessageContaining("kafka.properties.processing.guarantee cannot be overridden");
        assertThatThrownBy(() -> parse(MINIMAL.replace("}", ", properties: {consumer.isolation.level: read_uncommitted}}")))
                .hasMessageContaining("consumer.isolation.level cannot be overridden");
        assertThatThrownBy(() -> parse(MINIMAL.replace("}", ", properties: {consumer.sesion.timeout.ms: \"1\"}}")))
                .hasMessageContaining("consumer.sesion.timeout.ms is unknown");
    }

    @Test
    void shouldConfigureExactlyOnceDeadLetteringHandlersStandbysAndStateDir() {
        // Given
        EvidenceServiceConfig config = parse(MINIMAL + """
                stateDir: /data/kubeproof
                standbyReplicas: 2
                applicationId: evidence-eu
                """);
        RecordingDeadLetters deadLetters = new RecordingDeadLetters();

        // When
        Properties properties = StreamsConfigFactory.properties(config.streams(), deadLetters, java.time.Clock.systemUTC());

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
                .containsEntry(StreamsConfigFactory.DEAD_LETTER_PUBLISHER, deadLetters)
                .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        assertThat(new StreamsConfig(properties).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .isEqualTo("exactly_once_v2");
        // And no JMX reporter (Micrometer reads the metrics; MBeans re-registered per store iterator cost CPU)
        assertThat(new StreamsConfig(properties).getList(StreamsConfig.METRIC_REPORTER_CLASSES_CONFIG)).isEmpty();
    }

    @Test
    void shouldLetEnvironmentVariablesAndSetOverridesOverrideTheFile(@TempDir Path dir) throws Exception {
        // Given
        Path file = Files.writeString(dir.resolve("streams.yaml"), """
                kafka: {bootstrapServers: "file:9092", schemaRegistryUrl: "http://file:8081"}
                clusterId: from-file
                topicPrefix: from-file.
                """);
        StreamsCommand command = new StreamsCommand();
        command.withEnvironment(Map.of("KUBEPROOF_KAFKA_BOOTSTRAP_SERVERS", "env:9092",
                "KUBEPROOF_TOPIC_PREFIX", "env.", "KUBEPROOF_STANDBY_REPLICAS", "0"));

        // When
        new CommandLine(command).parseArgs("--config", file.toString(), "--set", "topicPrefix=acme.",
                "--set", "applicationId=evidence-acme", "--set", "stateDir=/tmp/state", "--set", "violationsFormat=ocsf",
                "--set", "ownerLabelKeys=team,owner", "--set", "kafka.properties.consumer.session.timeout.ms=12000");
        EvidenceServiceConfig config = command.settings();

        // Then
        assertThat(config.streams().bootstrapServers()).isEqualTo("env:9092");
        assertThat(config.schemaRegistryUrl()).hasToString("http://file:8081");
        assertThat(config.clusterId()).isEqualTo("from-file");
        assertThat(config.topicPrefix()).isEqualTo("acme.");
        assertThat(config.streams().applicationId()).isEqualTo("evidence-acme");
        assertThat(config.streams().stateDir()).isEqualTo(Path.of("/tmp/state"));
        assertThat(config.streams().standbyReplicas()).isZero();
        assertThat(config.streams().overrides()).containsEntry("consumer.session.timeout.ms", "12000");
        assertThat(config.violationsFormat()).isEqualTo("ocsf");
        assertThat(config.ownerLabelKeys()).isEqualTo(List.of("team", "owner"));
        assertThat(new CommandLine(new StreamsCommand()).getCommandName()).isEqualTo("streams");
    }

    @Test
    void shouldConfigureSeveralViolationFeedsOrOneFromTheFormat() {
        // Given two feeds, and the default
        EvidenceServiceConfig two = parse(MINIMAL + """
                violationFeeds:
                  - {format: ecs}
                  - {topic: soc.findings, format: ocsf, minimumSeverity: high}
                """);
        EvidenceServiceConfig one = parse(MINIMAL + "violationsFormat: ocsf\n");

        // Then each feed has its topic, format and minimum; the default feed is the catalog's topic
        assertThat(two.feeds(dev.kubeproof.siem.ControlCatalog.empty()))
                .extracting(f -> f.topic() + " " + f.output().formatter().name() + " " + f.output().minimumSeverity())
                .containsExactly("kubeproof.violations ecs INFO", "soc.findings ocsf HIGH");
        assertThat(one.feeds(dev.kubeproof.siem.ControlCatalog.empty()))
                .extracting(f -> f.topic() + " " + f.output().formatter().name())
                .containsExactly("kubeproof.violations ocsf");
        // And mistakes are named
        assertThatThrownBy(() -> parse(MINIMAL + "violationsFormat: ocsf\nviolationFeeds: [{format: ecs}]\n"))
                .hasMessageContaining("violationsFormat and violationFeeds are both set");
        assertThatThrownBy(() -> parse(MINIMAL + "violationFeeds: [{format: ecs, minimumSeverity: severe}]\n"))
                .hasMessageContaining("violationFeeds[].minimumSeverity").hasMessageContaining("severe");
    }
}
