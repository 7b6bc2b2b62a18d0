package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.ingest.audit.AuditCollectorConfig;
import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig;
import dev.kubeproof.ingest.scans.ScanCollectorConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.streams.EvidenceServiceConfig;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml agrees with the code (no Docker engine here to run it): every kubeproof command parses with
 * the CLI, every config file is accepted by its component's config record, and the topics, ports and environment
 * the configs name are the ones the compose services provide.
 */
class DockerComposeTest {
    private static JsonNode compose;
    private static Path root;

    @BeforeAll
    static void readCompose() throws Exception {
        root = DeployManifestsTest.repoRoot();
        compose = new ObjectMapper(new YAMLFactory()).readTree(root.resolve("docker-compose.yml").toFile());
    }

    private static List<String> command(String service) {
        List<String> command = new ArrayList<>();
        compose.path("services").path(service).path("command").forEach(arg -> command.add(arg.asText()));
        return command;
    }

    private static Path configFile(List<String> command) {
        int index = command.indexOf("--config");
        assertThat(index).as("--config in " + command).isNotNegative();
        String inContainer = command.get(index + 1);
        assertThat(inContainer).startsWith("/etc/kubeproof/config/");
        Path file = root.resolve("deploy/compose").resolve(inContainer.substring("/etc/kubeproof/config/".length()));
        assertThat(file).exists();
        return file;
    }

    @Test
    void shouldRunOnlyCommandsTheCliAccepts() {
        compose.path("services").fields().forEachRemaining(service -> {
            if (service.getValue().path("image").asText().startsWith("ghcr.io/kubeproof/")
                    || service.getKey().startsWith("kubeproof-")) {
                List<String> command = command(service.getKey());
                assertThat(command).as(service.getKey()).isNotEmpty();
                // parseArgs throws on an unknown command or option
                Kubeproof.commandLine().parseArgs(command.toArray(String[]::new));
            }
        });
    }

    @Test
    void shouldGiveEveryComponentAConfigItsRecordAccepts() throws Exception {
        AuditCollectorConfig audit = ConfigLoader.parse(Files.readString(configFile(command("kubeproof-audit"))),
                "audit-collector.yaml", AuditCollectorConfig.class);
        ResourceCollectorConfig resources = ConfigLoader.parse(Files.readString(configFile(command("kubeproof-resources"))),
                "resource-collector.yaml", ResourceCollectorConfig.class);
        ScanCollectorConfig scans = ConfigLoader.parse(Files.readString(configFile(command("kubeproof-scans"))),
                "scan-collector.yaml", ScanCollectorConfig.class);
        EvidenceServiceConfig streams = ConfigLoader.load(configFile(command("kubeproof-streams")),
                EvidenceServiceConfig.class);
        SinkConfig sink = ConfigLoader.load(configFile(command("kubeproof-sink")), SinkConfig.class);

        // Every component talks to the compose Kafka and registry, on the catalog's topics
        String kafka = "kafka:" + containerPort(compose.path("services").path("kafka").path("ports").get(0).asText());
        assertThat(List.of(audit.kafka().bootstrapServers(), resources.kafka().bootstrapServers(), scans.kafka().bootstrapServers(),
                streams.streams().bootstrapServers(), sink.kafkaBootstrapServers())).containsOnly(kafka);
        String registry = "http://schema-registry:" + containerPort(
                compose.path("services").path("schema-registry").path("ports").get(0).asText());
        assertThat(List.of(audit.kafka().schemaRegistryUrl(), resources.kafka().schemaRegistryUrl(), scans.kafka().schemaRegistryUrl(),
                streams.schemaRegistryUrl().toString(), sink.schemaRegistryUrl())).containsOnly(registry);
        assertThat(List.of(audit.topicPrefix(), resources.topicPrefix(), scans.topicPrefix(), streams.topicPrefix(),
                sink.topics().prefix())).containsOnly(TopicCatalog.DEFAULT_PREFIX);
        assertThat(command("kubeproof-setup")).contains("topics", "create", kafka, registry);
        // and serves health on the container port compose publishes
        for (String service : List.of("kubeproof-audit", "kubeproof-resources", "kubeproof-scans", "kubeproof-streams",
                "kubeproof-sink")) {
            for (JsonNode mapping : compose.path("services").path(service).path("ports")) {
                assertThat(containerPort(mapping.asText())).as(service).isEqualTo("8080");
            }
        }
        assertThat(List.of(audit.health().port(), resources.health().port(), scans.health().port(),
                streams.health().port(), sink.health().port())).containsOnly(8080);
        assertThat(sink.elasticsearch().urls()).extracting(Object::toString).containsExactly("http://elasticsearch:"
                + containerPort(compose.path("services").path("elasticsearch").path("ports").get(0).asText()));
    }

    @Test
    void shouldProvideTheEnvironmentTheConfigsReadSecretsFrom() throws Exception {
        SinkConfig sink = ConfigLoader.load(configFile(command("kubeproof-sink")), SinkConfig.class);
        String variable = sink.elasticsearch().password().env();
        assertThat(variable).isNotNull();
        assertThat(compose.path("services").path("kubeproof-sink").path("environment").has(variable))
                .as("kubeproof-sink environment has " + variable).isTrue();
    }

    @Test
    void shouldStartServicesOnlyWhenWhatTheyNeedIsHealthy() {
        for (String infra : List.of("kafka", "schema-registry", "elasticsearch", "kibana")) {
            assertThat(compose.path("services").path(infra).has("healthcheck")).as(infra + " healthcheck").isTrue();
        }
        compose.path("services").fields().forEachRemaining(service -> {
            if (service.getKey().startsWith("kubeproof-") && !service.getKey().equals("kubeproof-setup")) {
                assertThat(service.getValue().path("depends_on").path("kubeproof-setup").path("condition").asText())
                        .as(service.getKey()).isEqualTo("service_completed_successfully");
                assertThat(service.getValue().path("read_only").asBoolean()).as(service.getKey() + " read_only").isTrue();
                assertThat(service.getValue().path("cap_drop").toString()).as(service.getKey()).contains("ALL");
            }
        });
        assertThat(compose.path("services").path("kubeproof-setup").path("depends_on").path("kafka").path("condition")
                .asText()).isEqualTo("service_healthy");
    }

    private static String containerPort(String mapping) {
        String[] parts = mapping.split(":");
        return parts[parts.length - 1];
    }

}
