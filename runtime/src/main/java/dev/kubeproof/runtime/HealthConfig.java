package dev.kubeproof.runtime;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Where a collector process serves {@code /healthz}, {@code /readyz} and {@code /metrics}.
 *
 * @param host interface to bind, default {@code 0.0.0.0}
 * @param port port, default 8080; 0 picks a free port
 */
public record HealthConfig(
        @JsonPropertyDescription("Interface to bind, default 0.0.0.0.")
        String host,
        @JsonPropertyDescription("Port, default 8080; 0 picks a free port.")
        Integer port) {
    public static final int DEFAULT_PORT = 8080;

    public HealthConfig {
        host = host == null || host.isBlank() ? "0.0.0.0" : host;
        port = port == null ? DEFAULT_PORT : port;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("health.port must be 0..65535, was " + port);
        }
    }

    /** {@code health} as configured, or the defaults when the section is absent. */
    public static HealthConfig orDefaults(HealthConfig health) {
        return health == null ? defaults() : health;
    }

    public static HealthConfig defaults() {
        return new HealthConfig(null, null);
    }
}
