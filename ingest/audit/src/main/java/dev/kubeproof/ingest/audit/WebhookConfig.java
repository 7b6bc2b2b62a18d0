package dev.kubeproof.ingest.audit;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.nio.file.Path;
import java.util.List;

import dev.kubeproof.runtime.TlsConfig;

/**
 * The audit webhook receiver: an HTTPS endpoint the kube-apiserver's webhook backend POSTs {@code EventList}s to.
 * Callers authenticate with a client certificate signed by {@code tls.clientCaFile} or with a bearer token from
 * {@code bearerTokenFile}; at least one of the two must be configured.
 *
 * @param host                  interface to bind, default {@code 0.0.0.0}
 * @param port                  port, default 8443; 0 picks a free port
 * @param path                  request path, default {@code /audit}
 * @param tls                   server certificate and key, and the client CA for mTLS (required: HTTPS only)
 * @param bearerTokenFile       file of accepted bearer tokens, one per line; null disables bearer auth
 * @param allowedClientSubjects when not empty, the client certificate subjects (RFC 2253, e.g.
 *                              {@code CN=kube-apiserver}) allowed to post; others get 403
 * @param maxBodyBytes          largest accepted body, default 1 MiB; larger bodies get 413 and are dead-lettered
 * @param ackTimeoutSeconds     how long to wait for Kafka before answering 503 (the apiserver retries), default 30
 * @param threads               request threads, default 4
 */
public record WebhookConfig(
        @JsonPropertyDescription("Interface to bind, default 0.0.0.0.")
        String host,
        @JsonPropertyDescription("Port, default 8443; 0 picks a free port.")
        Integer port,
        @JsonPropertyDescription("Request path, default /audit.")
        String path,
        @JsonPropertyDescription("Server certificate and key, and the client CA for mTLS (required: HTTPS only).")
        TlsConfig tls,
        @JsonPropertyDescription("File of accepted bearer tokens, one per line; null disables bearer auth.")
        Path bearerTokenFile,
        @JsonPropertyDescription("When not empty, the client certificate subjects (RFC 2253, e.g. CN=kube-apiserver) allowed to post; others get 403.")
        List<String> allowedClientSubjects,
        @JsonPropertyDescription("Largest accepted body, default 1 MiB; larger bodies get 413 and are dead-lettered.")
        Integer maxBodyBytes,
        @JsonPropertyDescription("How long to wait for Kafka before answering 503 (the apiserver retries), default 30.")
        Integer ackTimeoutSeconds,
        @JsonPropertyDescription("Request threads, default 4.")
        Integer threads) {
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    public WebhookConfig {
        host = host == null || host.isBlank() ? "0.0.0.0" : host;
        port = port == null ? 8443 : port;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("webhook.port must be 0..65535, was " + port);
        }
        path = path == null || path.isBlank() ? "/audit" : path;
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("webhook.path must start with '/', was '" + path + "'");
        }
        if (tls == null) {
            throw new IllegalArgumentException("webhook.tls must be set: the receiver serves HTTPS only");
        }
        if (!tls.verifiesClientCertificates() && bearerTokenFile == null) {
            throw new IllegalArgumentException("webhook needs a way to authenticate the apiserver: set webhook.tls.clientCaFile"
                    + " (client certificates) or webhook.bearerTokenFile (bearer tokens), or both");
        }
        allowedClientSubjects = allowedClientSubjects == null ? List.of() : List.copyOf(allowedClientSubjects);
        if (!allowedClientSubjects.isEmpty() && !tls.verifiesClientCertificates()) {
            throw new IllegalArgumentException("webhook.allowedClientSubjects needs webhook.tls.clientCaFile");
        }
        maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
        if (maxBodyBytes < 1024 || maxBodyBytes > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("webhook.maxBodyBytes must be between 1024 and 268435456, was " + maxBodyBytes);
        }
        ackTimeoutSeconds = ackTimeoutSeconds == null ? 30 : ackTimeoutSeconds;
        if (ackTimeoutSeconds < 1) {
            throw new IllegalArgumentException("webhook.ackTimeoutSeconds must be at least 1, was " + ackTimeoutSeconds);
        }
        threads = threads == null ? 4 : threads;
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("webhook.threads must be 1..64, was " + threads);
        }
    }
}
