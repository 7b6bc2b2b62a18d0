package dev.kubeproof.ingest.scans;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.sun.net.httpserver.HttpExchange;

import dev.kubeproof.runtime.BearerTokens;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.HttpEndpoint;
import dev.kubeproof.runtime.LimitedBody;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /scans} with a bearer token and a Trivy report: answers 200 with the record key once Kafka has the
 * scan, 400 (dead-lettered) for a bad report, 413 (dead-lettered) when too large, 401 without a valid token (nothing
 * published), 503 when Kafka did not confirm in time (the client should retry).
 */
public final class ScanHttpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScanHttpEndpoint.class);

    private final ScanEndpointConfig config;
    private final ScanIngestor ingestor;
    private final BearerTokens tokens;
    private final HttpEndpoint endpoint;

    public ScanHttpEndpoint(ScanEndpointConfig config, ScanIngestor ingestor) {
        this.config = Objects.requireNonNull(config, "config");
        this.ingestor = Objects.requireNonNull(ingestor, "ingestor");
        this.tokens = BearerTokens.fromFile(config.bearerTokenFile(), "http.bearerTokenFile");
        this.endpoint = HttpEndpoint.bind("scan-http", config.host(), config.port(), config.tls(), config.threads())
                .handlePost(config.path(), this::handle);
    }

    public ScanHttpEndpoint start() {
        endpoint.start();
        LOG.info("scan endpoint listening on {}://{}:{}{}", endpoint.scheme(), config.host(), port(), config.path());
        return this;
    }

    public int port() {
        return endpoint.port();
    }

    public boolean isRunning() {
        return endpoint.isRunning();
    }

    /** Lets reports in flight finish (they are being written to Kafka), then stops. */
    @Override
    public void close() {
        endpoint.close(Duration.ofSeconds(config.ackTimeoutSeconds()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!tokens.acceptsHeader(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"kubeproof-scans\"");
                answer(exchange, 401, "a valid bearer token is required\n");
                return;
            }
            LimitedBody body;
            try (InputStream in = exchange.getRequestBody()) {
                body = LimitedBody.read(in, config.maxBodyBytes());
            }
            ScanIngestor.Outcome outcome;
            try {
                outcome = (body.oversized()
                        ? ingestor.reject(ScanIngestor.Source.HTTP, ErrorTypes.OVERSIZED, "posted report larger than"
                        + " http.maxBodyBytes=" + config.maxBodyBytes(), body.bytes())
                        : ingestor.ingest(body.bytes(), ScanIngestor.Source.HTTP))
                        .get(config.ackTimeoutSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("scan report not confirmed by Kafka, answering 503: {}", e.getCause() == null ? e : e.getCause());
                answer(exchange, 503, "not stored, retry\n");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer(exchange, 503, "shutting down, retry\n");
                return;
            }
            if (body.oversized()) {
                answer(exchange, 413, "report larger than " + config.maxBodyBytes() + " bytes\n");
            } else if (!outcome.published()) {
                answer(exchange, 400, outcome.errorType() + ": " + outcome.reason() + "\n");
            } else {
                answer(exchange, 200, "{\"key\":\"" + jsonEscape(outcome.key()) + "\",\"scanId\":\"" + outcome.scanId() + "\"}\n");
            }
        }
    }

    private static String jsonEscape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void answer(HttpExchange exchange, int status, String message) throws IOException {
        HttpEndpoint.respond(exchange, status, status == 200 ? "application/json" : "text/plain; charset=utf-8", message);
    }
}
