package dev.kubeproof.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.Ports;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackConfig;
import dev.kubeproof.stack.StackEndpoints;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** The whole stack, really started: all three servers healthy together, usable, and gone when stopped. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalStack stack;

    @BeforeAll
    void startAllServers() {
        stack = LocalStack.start(StackConfig.ephemeral(Path.of("target", "it-stack", "local-stack-it"), true),
                EnumSet.allOf(ServerKind.class));
        System.out.printf("local stack healthy in %d ms%n", stack.startupTime().toMillis());
    }

    @AfterAll
    void stopIfStillRunning() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void shouldServeKafkaTopicsOnTheBroker() throws Exception {
        // Given the started broker
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.endpoints().kafkaBootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            // When a topic is created
            admin.createTopics(List.of(new NewTopic("local-stack-it", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            // Then the broker lists it with its partitions
            assertThat(admin.describeTopics(List.of("local-stack-it")).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get("local-stack-it").partitions()).hasSize(3);
        }
    }

    @Test
    @Order(2)
    void shouldServeTheConfluentCompatibleRegistryApiWithBackwardCompatibility() throws Exception {
        // Given the started registry, When its global config is read
        HttpResponse<String> config = http.send(HttpRequest.newBuilder(
                URI.create(stack.endpoints().schemaRegistryUrl() + "/config")).GET().build(), HttpResponse.BodyHandlers.ofString());
        // Then it enforces BACKWARD compatibility
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).contains("BACKWARD");
    }

    @Test
    @Order(3)
    void shouldIndexAndFindADocumentWhenAuthenticatedAndRefuseAnonymousRequests() throws Exception {
        String url = stack.endpoints().elasticsearchUrl();
        StackEndpoints.Credentials credentials = stack.endpoints().elasticsearchCredentials().orElseThrow();
        String auth = basicAuth(credentials);

        // When a document is indexed with the superuser's credentials
        HttpResponse<String> indexed = http.send(HttpRequest.newBuilder(URI.create(url + "/local-stack-it/_doc/1?refresh=true"))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"control\":\"KP-POD-001\",\"status\":\"FAIL\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        // Then it is created and a search finds it
        assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(201);
        HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(url + "/local-stack-it/_search?q=control:KP-POD-001"))
                .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(found.body()).contains("\"value\":1").contains("KP-POD-001");

        // And a request without credentials is refused
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(url + "/local-stack-it/_search"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        // And a wrong password too
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(url + "/local-stack-it/_search"))
                .header("Authorization", basicAuth(new StackEndpoints.Credentials(credentials.username(), "wrong")))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
    }

    private static String basicAuth(StackEndpoints.Credentials credentials) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    @Order(4)
    void shouldLeaveNoProcessAndNoOpenPortWhenStopped() {
        // Given the running servers' processes (with their children) and ports
        Map<ServerKind, Long> pids = stack.pids();
        assertThat(pids).containsOnlyKeys(ServerKind.values());
        List<ProcessHandle> processes = pids.values().stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream)
                .flatMap(root -> java.util.stream.Stream.concat(java.util.stream.Stream.of(root), root.descendants()))
                .toList();
        StackConfig config = stack.config();
        List<Integer> ports = List.of(config.kafkaPort(), config.kafkaControllerPort(), config.schemaRegistryPort(),
                config.elasticsearchPort(), config.elasticsearchTransportPort());
        assertThat(ports).allMatch(Ports::isListening);

        // When the stack is stopped
        stack.close();

        // Then no process of it is left and every port is closed
        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThat(ports).noneMatch(Ports::isListening);
    }

    @Test
    @Order(5)
    void shouldKeepTheRegistrysSchemaIdsAcrossARestartAsKafkaKeepsItsRecords() throws Exception {
        // Given a registry with a schema registered under an id (records on Kafka name their writer schema by it)
        StackConfig fresh = StackConfig.ephemeral(Path.of("target", "it-stack", "local-stack-it-registry"), false);
        String schema = "{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Restart\\\",\\\"fields\\\":[{\\\"name\\\":\\\"x\\\",\\\"type\\\":\\\"int\\\"}]}";
        String id;
        try (LocalStack registry = LocalStack.start(fresh, EnumSet.of(ServerKind.SCHEMA_REGISTRY))) {
            HttpResponse<String> registered = http.send(HttpRequest.newBuilder(URI.create(
                    registry.endpoints().schemaRegistryUrl() + "/subjects/restart-value/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"" + schema + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
            id = registered.body().replaceAll("\\D", "");
        }
        // When the registry is started again on the same home, keeping its data (as `stack up` does)
        StackConfig again = new StackConfig(fresh.home(), fresh.kafkaPort(), fresh.kafkaControllerPort(),
                fresh.schemaRegistryPort(), fresh.elasticsearchPort(), fresh.elasticsearchTransportPort(), false,
                fresh.startTimeout(), true, false);
        try (LocalStack registry = LocalStack.start(again, EnumSet.of(ServerKind.SCHEMA_REGISTRY))) {
            // Then the id still resolves to the same schema
            HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(
                    registry.endpoints().schemaRegistryUrl() + "/schemas/ids/" + id)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
            assertThat(found.body()).contains("Restart");
        }
    }
}
