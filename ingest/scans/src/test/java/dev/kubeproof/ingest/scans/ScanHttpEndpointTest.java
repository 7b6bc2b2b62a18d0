package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.runtime.TestCertificates;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanHttpEndpointTest {
    private static final String TOKEN = "scanner-token-0123456789abcdef";

    @TempDir
    Path dir;
    private Path tokens;
    private ScanHarness harness;
    private ScanHttpEndpoint endpoint;

    @BeforeEach
    void setUp() throws Exception {
        tokens = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        harness = new ScanHarness();
    }

    @AfterEach
    void tearDown() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private HttpResponse<String> post(HttpClient client, String scheme, String authorization, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + endpoint.port() + "/scans"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpClient plain() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private void startPlain(int maxBodyBytes) {
        endpoint = new ScanHttpEndpoint(new ScanEndpointConfig("127.0.0.1", 0, null, null, true, tokens, maxBodyBytes, 5, 2),
                harness.ingestor).start();
    }

    @Test
    void shouldPublishAPostedReportAndAnswerWithItsKey() throws Exception {
        // Given
        startPlain(ScanEndpointConfig.DEFAULT_MAX_BODY_BYTES);

        // When
        HttpResponse<String> response = post(plain(), "http", "Bearer " + TOKEN,
                ScanFixtures.bytes(ScanFixtures.trivy("alpine-310.json.golden")));

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"key\":\"sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4\"");
        assertThat(harness.scans()).singleElement().satisfies(scan -> assertThat(scan.getSource()).isEqualTo("http"));
    }

    @Test
    void shouldRefuseRequestsWithoutAValidTokenAndPublishNothing() throws Exception {
        // Given
        startPlain(ScanEndpointConfig.DEFAULT_MAX_BODY_BYTES);
        byte[] report = ScanFixtures.bytes(ScanFixtures.trivy("alpine-310.json.golden"));

        // When
        HttpResponse<String> none = post(plain(), "http", null, report);
        HttpResponse<String> wrong = post(plain(), "http", "Bearer " + TOKEN.toUpperCase(), report);

        // Then
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(harness.producer.history()).isEmpty();
    }

    @Test
    void shouldAnswer400ForABadReportAnd413ForAnOversizedOneAndDeadLetterBoth() throws Exception {
        // Given
        startPlain(4096);

        // When
        HttpResponse<String> bad = post(plain(), "http", "Bearer " + TOKEN, "{\"SchemaVersion\": 1}".getBytes());
        HttpResponse<String> big = post(plain(), "http", "Bearer " + TOKEN,
                ScanFixtures.bytes(ScanFixtures.trivy("alpine-310.json.golden")));

        // Then
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("WRONG_API_VERSION");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(harness.deadLetters()).extracting(DeadLetter::getErrorType).containsExactly("WRONG_API_VERSION", "OVERSIZED");
        assertThat(harness.scanRecords()).isEmpty();
    }

    @Test
    void shouldServeHttpsWhenTlsIsConfigured() throws Exception {
        // Given
        TestCertificates certificates = TestCertificates.generate(dir.resolve("tls"));
        endpoint = new ScanHttpEndpoint(new ScanEndpointConfig("127.0.0.1", 0, "/scans", certificates.serverTlsWithoutClientCa(),
                null, tokens, null, null, null), harness.ingestor).start();
        HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientWithoutCertificate())
                .version(HttpClient.Version.HTTP_1_1).build();

        // When
        HttpResponse<String> response = post(client, "https", "Bearer " + TOKEN,
                ScanFixtures.bytes(ScanFixtures.trivy("pom.json.golden")));

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(harness.scanRecords()).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("testdata/fixtures/repo/pom"));
    }

    @Test
    void shouldRequireTlsUnlessPlainHttpIsAskedFor() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new ScanEndpointConfig(null, null, null, null, null, tokens, null, null, null))
                .hasMessageContaining("http.tls must be set, or http.allowPlainHttp: true");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new ScanEndpointConfig(null, null, null, null, true, null, null, null, null))
                .hasMessageContaining("http.bearerTokenFile");
    }
}
