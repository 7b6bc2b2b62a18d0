package dev.kubeproof.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operational endpoints of every kubeproof process: {@code /healthz} (liveness: the process serves requests and
 * its liveness checks pass), {@code /readyz} (readiness: every registered check passes; the failing ones are named)
 * and {@code /metrics} (the process's Prometheus registry as text). Several services in one process register their
 * checks on one server.
 *
 * <p>It is the JDK's {@code com.sun.net.httpserver} on purpose: three GET endpoints on a port that only the kubelet
 * and Prometheus call need no routing, async I/O or servlet container, and the JDK server adds no dependency (and no
 * CVE feed) to every service image. The collectors' HTTPS listeners use the same server through
 * {@link TlsConfig#serverContext()}.
 */
public final class HealthServer implements AutoCloseable {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry metrics;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Supplier<Boolean>> readiness = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Boolean>> liveness = new ConcurrentHashMap<>();

    /** Binds all interfaces; port 0 picks a free port. The server is not started yet. */
    public HealthServer(int port, PrometheusMeterRegistry metrics) {
        this("0.0.0.0", port, metrics);
    }

    public HealthServer(HealthConfig config, PrometheusMeterRegistry metrics) {
        this(config.host(), config.port(), metrics);
    }

    public HealthServer(String host, int port, PrometheusMeterRegistry metrics) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("health port must be 0..65535, was " + port);
        }
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        try {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the health server to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        this.executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "health-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/healthz", exchange -> answerChecks(exchange, liveness));
        server.createContext("/readyz", exchange -> answerChecks(exchange, readiness));
        server.createContext("/metrics", this::answerMetrics);
    }

    /** Adds a readiness check (e.g. "webhook listening", "Kafka reachable"); a check that throws counts as failed. */
    public HealthServer readinessCheck(String name, Supplier<Boolean> check) {
        readiness.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(check, "check"));
        return this;
    }

    /** Adds a liveness check (e.g. "tailer thread alive"). */
    public HealthServer livenessCheck(String name, Supplier<Boolean> check) {
        liveness.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(check, "check"));
        return this;
    }

    public HealthServer start() {
        server.start();
        return this;
    }

    /** The bound port (useful after binding port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void answerChecks(HttpExchange exchange, Map<String, Supplier<Boolean>> checks) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            List<String> failing = new ArrayList<>();
            checks.forEach((name, check) -> {
                if (!passes(check)) {
                    failing.add(name);
                }
            });
            failing.sort(null);
            if (failing.isEmpty()) {
                respond(exchange, 200, "text/plain; charset=utf-8", "ok\n");
            } else {
                respond(exchange, 503, "text/plain; charset=utf-8", "failing: " + String.join(", ", failing) + "\n");
            }
        }
    }

    private void answerMetrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            respond(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
        }
    }

    private static boolean passes(Supplier<Boolean> check) {
        try {
            return Boolean.TRUE.equals(check.get());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
