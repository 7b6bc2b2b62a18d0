package dev.kubeproof.contract.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.retry.RetryPolicy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's own behaviour — retries, error mapping, caching, auth header — against a scripted HTTP endpoint.
 * The real registry is exercised by the *IT tests.
 */
class ConfluentRestSchemaRegistryClientTest {
    private record Answer(int status, String body) {
    }

    private record Seen(String method, String path, String authorization, String body) {
    }

    private HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Seen> seen = new ArrayList<>();

    @BeforeEach
    void startScriptedEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private synchronized void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestHeaders().getFirst("Authorization"), body));
        Answer answer = script.isEmpty() ? new Answer(500, "{\"message\":\"unscripted\"}") : script.poll();
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private ConfluentRestSchemaRegistryClient client(Optional<String> basicAuth) {
        return new ConfluentRestSchemaRegistryClient(new RegistryClientConfig(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7"), basicAuth,
                Optional.empty(), Duration.ofSeconds(5), new RetryPolicy(3, Duration.ZERO, Duration.ZERO)));
    }

    @Test
    void shouldRetryUnavailableRegistryAndCacheTheId() {
        // Given a registry that answers 503 once, then the id
        script.add(new Answer(503, "{\"message\":\"starting\",\"error_code\":50301}"));
        script.add(new Answer(200, "{\"id\":7}"));
        ConfluentRestSchemaRegistryClient client = client(Optional.empty());

        // When the same schema is registered twice
        int first = client.register("t-value", DeadLetter.getClassSchema());
        int second = client.register("t-value", DeadLetter.getClassSchema());

        // Then both get id 7, with two requests only (one retried), to the subject's versions path
        assertThat(first).isEqualTo(7);
        assertThat(second).isEqualTo(7);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).method()).isEqualTo("POST");
        assertThat(seen.get(1).path()).isEqualTo("/apis/ccompat/v7/subjects/t-value/versions");
        assertThat(seen.get(1).body()).contains("\"schema\"").contains("DeadLetter");
    }

    @Test
    void shouldReportAnIncompatibleSchemaWithTheRegistrysMessageAndNotRetry() {
        // Given a registry that refuses the schema, and does not have it under the subject either
        script.add(new Answer(409, "{\"message\":\"Incompatible artifact: b at /fields/1\",\"error_code\":0}"));
        script.add(new Answer(404, "{\"message\":\"Schema not found\",\"error_code\":40403}"));

        // When registering, Then the error says so, with no retry of the refusal
        assertThatThrownBy(() -> client(Optional.empty()).register("t-value", DeadLetter.getClassSchema()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("t-value")
                .hasMessageContaining("Incompatible artifact");
        assertThat(seen).extracting(Seen::path).containsExactly("/apis/ccompat/v7/subjects/t-value/versions",
                "/apis/ccompat/v7/subjects/t-value");
    }

    @Test
    void shouldTakeTheExistingIdWhenAConcurrentRegistrationWonTheRace() {
        // Given a registry that answers 409 because another client just registered the same schema
        script.add(new Answer(409, "{\"message\":\"Artifact with ID 't-value' already exists\",\"error_code\":0}"));
        script.add(new Answer(200, "{\"subject\":\"t-value\",\"version\":1,\"id\":5}"));

        // When registering, Then the existing id is used
        assertThat(client(Optional.empty()).register("t-value", DeadLetter.getClassSchema())).isEqualTo(5);
    }

    @Test
    void shouldRegisterAgainWhenTheRaceWinnersVersionIsNotVisibleYet() {
        // Given a registry that answers 409 "already exists" while the winner's version cannot be looked up yet
        script.add(new Answer(409, "{\"message\":\"An artifact with ID 't-value' in group 'null' already exists.\",\"error_code\":0}"));
        script.add(new Answer(404, "{\"message\":\"Schema not found\",\"error_code\":40403}"));
        script.add(new Answer(200, "{\"id\":9}"));

        // When registering, Then the registration is tried again after the backoff and gets the id
        assertThat(client(Optional.empty()).register("t-value", DeadLetter.getClassSchema())).isEqualTo(9);
        assertThat(seen).extracting(Seen::path).containsExactly("/apis/ccompat/v7/subjects/t-value/versions",
                "/apis/ccompat/v7/subjects/t-value", "/apis/ccompat/v7/subjects/t-value/versions");
    }

    @Test
    void shouldSendBasicAuthAndNeverShowThePasswordInErrors() {
        // Given a registry that refuses the credentials
        script.add(new Answer(401, "{\"message\":\"Unauthorized\",\"error_code\":40101}"));

        // When resolving an id with user:password
        assertThatThrownBy(() -> client(Optional.of("svc:s3cret")).schemaById(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("s3cret");

        // Then the header carried the credentials
        assertThat(seen.get(0).authorization()).isEqualTo("Basic c3ZjOnMzY3JldA==");
    }

    @Test
    void shouldResolveAnIdOnceAndFailClearlyForAnUnknownOne() {
        // Given a registry that knows id 3 only
        script.add(new Answer(200, "{\"schema\":" + quoted(DeadLetter.getClassSchema().toString()) + "}"));
        script.add(new Answer(404, "{\"message\":\"No content with id/hash 'contentId-99' was found.\",\"error_code\":40403}"));
        ConfluentRestSchemaRegistryClient client = client(Optional.empty());

        // When resolving id 3 twice and id 99
        assertThat(client.schemaById(3)).isEqualTo(DeadLetter.getClassSchema());
        assertThat(client.schemaById(3)).isEqualTo(DeadLetter.getClassSchema());
        assertThatThrownBy(() -> client.schemaById(99))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("schema id 99")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));

        // Then id 3 was fetched once
        assertThat(seen).extracting(Seen::path).containsExactly("/apis/ccompat/v7/schemas/ids/3", "/apis/ccompat/v7/schemas/ids/99");
    }

    @Test
    void shouldRejectConfigWithBothAuthMethodsNamingTheKeys() {
        assertThatThrownBy(() -> new RegistryClientConfig(URI.create("http://x"), Optional.of("a:b"), Optional.of("t"),
                Duration.ofSeconds(1), RetryPolicy.defaults()))
                .hasMessageContaining(RegistryClientConfig.BASIC_AUTH_USER_INFO)
                .hasMessageContaining(RegistryClientConfig.BEARER_TOKEN);
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
