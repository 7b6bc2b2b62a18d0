package dev.kubeproof.ingest.scans;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import dev.kubeproof.runtime.BearerTokens;
import dev.kubeproof.runtime.ErrorTypes;
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
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean running = new AtomicBoolean();

    public ScanHttpEndpoint(ScanEndpointConfig config, ScanIngestor ingestor) {
        this.config = Objects.requireNonNull(config, "config");
        this.ingestor = Objects.requireNonNull(ingestor, "ingestor");
        this.tokens = BearerTokens.fromFile(config.bearerTokenFile(), "http.bearerTokenFile");
        try {
            InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
            if (config.tls() != null) {
                SSLContext context = config.tls().serverContext();
                HttpsServer https = HttpsServer.create(address, 32);
                https.setHttpsConfigurator(new HttpsConfigurator(context));
                server = https;
            } else {
                server = HttpServer.create(address, 32);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the scan endpoint to " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        executor = Executors.newFixedThreadPool(config.threads(), runnable -> {
            Thread thread = new Thread(runnable, "scan-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext(config.path(), this::handle);
    }

    public ScanHttpEndpoint start() {
        server.start();
        running.set(true);
        LOG.info("scan endpoint listening on {}://{}:{}{}", config.tls() == null ? "http" : "https", config.host(), port(),
                config.path());
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public boolean isRunning() {
        return running.get();
    }

    @Override
    public void close() {
        if (running.compareAndSet(true, false)) {
            server.stop(0);
        }
        executor.shutdown();
        try {
            executor.awaitTermination(config.ackTimeoutSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(config.path())) {
                answer(exchange, 404, "not found\n");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answer(exchange, 405, "only POST\n");
                return;
            }
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
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                answer(exchange, 200, "{\"key\":\"" + jsonEscape(outcome.key()) + "\",\"scanId\":\"" + outcome.scanId() + "\"}\n");
            }
        }
    }

    private static String jsonEscape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void answer(HttpExchange exchange, int status, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
