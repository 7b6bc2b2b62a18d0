package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.SSLContext;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.runtime.TestCertificates;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditWebhookServerTest {
    private static final String TOKEN = "apiserver-token-0123456789abcdef";

    @TempDir
    Path dir;
    private TestCertificates certificates;
    private Path tokenFile;
    private AuditHarness harness;
    private AuditWebhookServer server;
    private final byte[] execBatch = AuditFixtures.eventList(AuditFixtures.events(AuditFixtures.trace("exec_pod.json")));

    @BeforeEach
    void setUp() throws IOException {
        certificates = TestCertificates.generate(dir.resolve("tls"));
        tokenFile = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private void start(AuditHarness with, List<String> allowedSubjects, int maxBodyBytes) {
        harness = with;
        WebhookConfig config = new WebhookConfig("127.0.0.1", 0, "/audit", certificates.serverTls(), tokenFile,
                allowedSubjects, maxBodyBytes, 5, 2);
        server = new AuditWebhookServer(config, harness.ingestor, harness.metrics).start();
    }

    private void start() {
        start(new AuditHarness(), List.of(), WebhookConfig.DEFAULT_MAX_BODY_BYTES);
    }

    private CompletableFuture<HttpResponse<String>> post(SSLContext tls, String authorization, byte[] body) {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/audit"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAcceptABatchFromAClientCertificate() {
        // Given
        start();

        // When
        HttpResponse<String> response = post(certificates.clientWithCertificate(), null, execBatch).join();

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"published\":1");
        assertThat(harness.auditRecords()).singleElement()
                .satisfies(r -> assertThat(r.key()).isEqualTo("c1/default/pods/nginx-deployment-7998647bdf-phvq7"));
    }

    @Test
    void shouldAcceptABatchWithABearerToken() {
        // Given
        start();

        // When
        HttpResponse<String> response = post(certificates.clientWithoutCertificate(), "Bearer " + TOKEN, execBatch).join();

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(harness.auditEvents()).hasSize(1);
    }

    @Test
    void shouldRefuseCallersWithoutValidCredentialsAndPublishNothing() {
        // Given
        start();

        // When
        HttpResponse<String> none = post(certificates.clientWithoutCertificate(), null, execBatch).join();
        HttpResponse<String> wrongToken = post(certificates.clientWithoutCertificate(), "Bearer " + TOKEN + "x", execBatch).join();
        HttpResponse<String> basic = post(certificates.clientWithoutCertificate(), "Basic " + TOKEN, execBatch).join();

        // Then
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(harness.producer.history()).isEmpty();
    }

    @Test
    void shouldRefuseACertificateFromAnotherCa() {
        // Given
        start();

        // When: the client either offers the certificate (the handshake fails) or, seeing it is not asked for,
        // offers none (401)
        CompletableFuture<HttpResponse<String>> response = post(certificates.clientWithUntrustedCertificate(), null, execBatch);

        // Then
        assertThat(response).satisfiesAnyOf(
                r -> assertThatThrownBy(r::join).hasCauseInstanceOf(IOException.class),
                r -> assertThat(r.join().statusCode()).isEqualTo(401));
        assertThat(harness.producer.history()).isEmpty();
    }

    @Test
    void shouldAnswer403ToACertificateWhoseSubjectIsNotAllowed() {
        // Given
        start(new AuditHarness(), List.of("CN=someone-else"), WebhookConfig.DEFAULT_MAX_BODY_BYTES);

        // When
        HttpResponse<String> response = post(certificates.clientWithCertificate(), null, execBatch).join();

        // Then
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(harness.producer.history()).isEmpty();
    }

    @Test
    void shouldAllowAListedSubject() {
        // Given
        start(new AuditHarness(), List.of("O=system:masters,CN=kube-apiserver"), WebhookConfig.DEFAULT_MAX_BODY_BYTES);

        // Then
        assertThat(post(certificates.clientWithCertificate(), null, execBatch).join().statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRejectOversizedBodiesWith413AndDeadLetterThem() {
        // Given
        start(new AuditHarness(), List.of(), 2048);
        byte[] big = AuditFixtures.eventList(AuditFixtures.events(AuditFixtures.trace("create_configmap_sensitive_values.json")));

        // When
        HttpResponse<String> response = post(certificates.clientWithCertificate(), null, big).join();

        // Then
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(harness.auditRecords()).isEmpty();
        assertThat(harness.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo("OVERSIZED");
            assertThat(letter.getReason()).contains("webhook.maxBodyBytes=2048");
        });
    }

    @Test
    void shouldRejectAMalformedBodyWith400AndDeadLetterIt() {
        // Given
        start();

        // When
        HttpResponse<String> response = post(certificates.clientWithCertificate(), null, "{\"items\": [".getBytes()).join();

        // Then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(harness.deadLetters()).extracting(DeadLetter::getErrorType).containsExactly("MALFORMED_JSON");
    }

    @Test
    void shouldAnswerOnlyAfterKafkaAcknowledgedTheBatch() {
        // Given: a producer that answers only when told
        start(new AuditHarness(false, RedactionConfig.none()), List.of(), WebhookConfig.DEFAULT_MAX_BODY_BYTES);

        // When
        CompletableFuture<HttpResponse<String>> response = post(certificates.clientWithCertificate(), null, execBatch);

        // Then: no answer while the record is unacknowledged
        await().atMost(Duration.ofSeconds(5)).until(() -> harness.producer.history().size() == 1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !response.isDone());
        harness.producer.completeNext();
        assertThat(response.join().statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer503WhenKafkaRefusesSoThatTheApiserverRetries() {
        // Given
        start(new AuditHarness(false, RedactionConfig.none()), List.of(), WebhookConfig.DEFAULT_MAX_BODY_BYTES);

        // When
        CompletableFuture<HttpResponse<String>> first = post(certificates.clientWithCertificate(), null, execBatch);
        await().atMost(Duration.ofSeconds(5)).until(() -> harness.producer.history().size() == 1);
        harness.producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker gone"));
        CompletableFuture<HttpResponse<String>> retry = post(certificates.clientWithCertificate(), null, execBatch);
        await().atMost(Duration.ofSeconds(5)).until(() -> harness.producer.history().size() == 2);
        harness.producer.completeNext();

        // Then
        assertThat(first.join().statusCode()).isEqualTo(503);
        assertThat(retry.join().statusCode()).isEqualTo(200);
    }

    @Test
    void shouldOnlyAcceptPostOnTheConfiguredPath() throws Exception {
        // Given
        start();
        HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientWithCertificate())
                .version(HttpClient.Version.HTTP_1_1).build();

        // When
        int get = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/audit")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        int other = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/auditx"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(execBatch)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();

        // Then
        assertThat(get).isEqualTo(405);
        assertThat(other).isEqualTo(404);
        assertThat(harness.producer.history()).isEmpty();
    }
}
