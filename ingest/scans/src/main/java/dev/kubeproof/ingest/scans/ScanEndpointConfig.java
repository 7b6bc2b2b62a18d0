package dev.kubeproof.ingest.scans;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.nio.file.Path;

import dev.kubeproof.runtime.TlsConfig;

/**
 * The HTTP endpoint that takes Trivy reports: {@code POST <path>} with {@code Authorization: Bearer <token>} and a
 * Trivy JSON report (or a Trivy Operator VulnerabilityReport) as the body.
 *
 * @param host              interface to bind, default {@code 0.0.0.0}
 * @param port              port, default 8444; 0 picks a free port
 * @param path              request path, default {@code /scans}
 * @param tls               HTTPS certificate and key; null serves plain HTTP, which must be asked for with
 *                          {@code allowPlainHttp} (tokens would cross the network in clear)
 * @param allowPlainHttp    allow serving without TLS (e.g. behind a TLS-terminating sidecar), default false
 * @param bearerTokenFile   file of accepted bearer tokens, one per line (required)
 * @param maxBodyBytes      largest accepted report, default 16 MiB; larger ones get 413 and are dead-lettered
 * @param ackTimeoutSeconds how long to wait for Kafka before answering 503, default 30
 * @param threads           request threads, default 2
 */
public record ScanEndpointConfig(
        @JsonPropertyDescription("Interface to bind, default 0.0.0.0.")
        String host,
        @JsonPropertyDescription("Port, default 8444; 0 picks a free port.")
        Integer port,
        @JsonPropertyDescription("Request path, default /scans.")
        String path,
        @JsonPropertyDescription("HTTPS certificate and key; null serves plain HTTP, which must be asked for with allowPlainHttp (tokens would cross the network in clear).")
        TlsConfig tls,
        @JsonPropertyDescription("Allow serving without TLS (e.g. behind a TLS-terminating sidecar), default false.")
        Boolean allowPlainHttp,
        @JsonPropertyDescription("File of accepted bearer tokens, one per line (required).")
        Path bearerTokenFile,
        @JsonPropertyDescription("Largest accepted report, default 16 MiB; larger ones get 413 and are dead-lettered.")
        Integer maxBodyBytes,
        @JsonPropertyDescription("How long to wait for Kafka before answering 503, default 30.")
        Integer ackTimeoutSeconds,
        @JsonPropertyDescription("Request threads, default 2.")
        Integer threads) {
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

    public ScanEndpointConfig {
        host = host == null || host.isBlank() ? "0.0.0.0" : host;
        port = port == null ? 8444 : port;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("http.port must be 0..65535, was " + port);
        }
        path = path == null || path.isBlank() ? "/scans" : path;
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("http.path must start with '/', was '" + path + "'");
        }
        allowPlainHttp = allowPlainHttp != null && allowPlainHttp;
        if (tls == null && !allowPlainHttp) {
            throw new IllegalArgumentException("http.tls must be set, or http.allowPlainHttp: true to serve without TLS");
        }
        if (bearerTokenFile == null) {
            throw new IllegalArgumentException("http.bearerTokenFile must be set: the endpoint only takes authenticated reports");
        }
        maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
        if (maxBodyBytes < 1024 || maxBodyBytes > 512 * 1024 * 1024) {
            throw new IllegalArgumentException("http.maxBodyBytes must be between 1024 and 536870912, was " + maxBodyBytes);
        }
        ackTimeoutSeconds = ackTimeoutSeconds == null ? 30 : ackTimeoutSeconds;
        if (ackTimeoutSeconds < 1) {
            throw new IllegalArgumentException("http.ackTimeoutSeconds must be at least 1, was " + ackTimeoutSeconds);
        }
        threads = threads == null ? 2 : threads;
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("http.threads must be 1..64, was " + threads);
        }
    }
}
