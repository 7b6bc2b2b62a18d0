package dev.kubeproof.runtime;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operational endpoints of every kubeproof process: {@code /healthz} (liveness: the process serves requests and
 * its liveness checks pass), {@code /readyz} (readiness: every registered check passes; the failing ones are named)
 * and {@code /metrics} (the process's Prometheus registry as text). Several services in one process register their
 * checks on one server, an {@link HttpEndpoint} like every other kubeproof listener.
 */
public final class HealthServer implements AutoCloseable {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry metrics;
    private final HttpEndpoint endpoint;
    private final Map<String, Supplier<Boolean>> readiness = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Boolean>> liveness = new ConcurrentHashMap<>();
    private final Map<String, Supplier<String>> states = new ConcurrentHashMap<>();

    /** Binds all interfaces; port 0 picks a free port. The server is not started yet. */
    public HealthServer(int port, PrometheusMeterRegistry metrics) {
        this("0.0.0.0", port, metrics);
    }

    public HealthServer(HealthConfig config, PrometheusMeterRegistry metrics) {
        this(config.host(), config.port(), metrics);
    }

    public HealthServer(String host, int port, PrometheusMeterRegistry metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.endpoint = HttpEndpoint.bind("health-server", host, port, null, 2)
                .handle("/healthz", exchange -> answerChecks(exchange, liveness))
                .handle("/readyz", exchange -> answerChecks(exchange, readiness))
                .handle("/metrics", this::answerMetrics);
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

    /**
     * Adds a state that {@code /readyz} and {@code /healthz} state in their body whatever the answer, e.g. the
     * resource collector's "leader election: standby (leader: pod-2)".
     */
    public HealthServer state(String name, Supplier<String> state) {
        states.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(state, "state"));
        return this;
    }

    public HealthServer start() {
        endpoint.start();
        return this;
    }

    /** The bound port (useful after binding port 0). */
    public int port() {
        return endpoint.port();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    @Override
    public void close() {
        endpoint.close();
    }

    private void answerChecks(HttpExchange exchange, Map<String, Supplier<Boolean>> checks) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                HttpEndpoint.respond(exchange, 405, "method not allowed\n");
                return;
            }
            List<String> failing = new ArrayList<>();
            checks.forEach((name, check) -> {
                if (!passes(check)) {
                    failing.add(name);
                }
            });
            failing.sort(null);
            StringBuilder body = new StringBuilder(failing.isEmpty() ? "ok\n"
                    : "failing: " + String.join(", ", failing) + "\n");
            new java.util.TreeMap<>(states).forEach((name, state) -> {
                String value;
                try {
                    value = state.get();
                } catch (RuntimeException e) {
                    value = "unknown (" + e.getMessage() + ")";
                }
                body.append(name).append(": ").append(value).append('\n');
            });
            HttpEndpoint.respond(exchange, failing.isEmpty() ? 200 : 503, body.toString());
        }
    }

    private void answerMetrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            HttpEndpoint.respond(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
        }
    }

    private static boolean passes(Supplier<Boolean> check) {
        try {
            return Boolean.TRUE.equals(check.get());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
