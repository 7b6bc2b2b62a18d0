package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class HealthServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldReportReadinessFromTheRegisteredChecks() throws Exception {
        // Given
        AtomicBoolean kafkaReachable = new AtomicBoolean(false);
        try (HealthServer server = new HealthServer("127.0.0.1", 0, new IngestMetrics().registry())
                .readinessCheck("kafka", kafkaReachable::get)
                .readinessCheck("listener", () -> true)
                .start()) {
            // When
            HttpResponse<String> notReady = get(server.baseUri().resolve("/readyz"));
            kafkaReachable.set(true);
            HttpResponse<String> ready = get(server.baseUri().resolve("/readyz"));

            // Then
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("kafka").doesNotContain("listener");
            assertThat(ready.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldTreatAThrowingCheckAsFailing() throws Exception {
        // Given
        try (HealthServer server = new HealthServer("127.0.0.1", 0, new IngestMetrics().registry())
                .livenessCheck("tailer", () -> {
                    throw new IllegalStateException("boom");
                }).start()) {
            // When
            HttpResponse<String> response = get(server.baseUri().resolve("/healthz"));

            // Then
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("tailer");
        }
    }

    @Test
    void shouldServeLivenessAndPrometheusMetrics() throws Exception {
        // Given
        IngestMetrics metrics = new IngestMetrics();
        metrics.recordPublished("kubeproof.audit-events", "audit-webhook");
        try (HealthServer server = new HealthServer("127.0.0.1", 0, metrics.registry()).start()) {
            // When
            HttpResponse<String> health = get(server.baseUri().resolve("/healthz"));
            HttpResponse<String> scrape = get(server.baseUri().resolve("/metrics"));

            // Then
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(scrape.body()).contains(
                    "kubeproof_ingest_records_published_total{source=\"audit-webhook\",topic=\"kubeproof.audit-events\"} 1.0");
        }
    }
}
