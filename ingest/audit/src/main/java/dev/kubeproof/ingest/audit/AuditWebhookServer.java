package dev.kubeproof.ingest.audit;

import java.io.IOException;
import java.io.InputStream;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;

import dev.kubeproof.runtime.BearerTokens;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.HttpEndpoint;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.runtime.LimitedBody;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kube-apiserver audit webhook backend's receiving end. A POST carries one {@code EventList}; the answer is
 * 200 only once every event (and every dead letter) of the batch is acknowledged by Kafka, so the apiserver's
 * retry on any other answer loses nothing. Unauthenticated callers get 401, authenticated but not allowed ones
 * 403; neither publishes anything, not even a dead letter. Bodies over the limit get 413 and are dead-lettered.
 */
public final class AuditWebhookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditWebhookServer.class);

    private final WebhookConfig config;
    private final AuditIngestor ingestor;
    private final IngestMetrics metrics;
    private final BearerTokens tokens;
    private final Set<X500Principal> allowedSubjects = new HashSet<>();
    private final HttpEndpoint endpoint;

    public AuditWebhookServer(WebhookConfig config, AuditIngestor ingestor, IngestMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.ingestor = Objects.requireNonNull(ingestor, "ingestor");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tokens = config.bearerTokenFile() == null ? null
                : BearerTokens.fromFile(config.bearerTokenFile(), "webhook.bearerTokenFile");
        for (String subject : config.allowedClientSubjects()) {
            try {
                allowedSubjects.add(new X500Principal(subject));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("webhook.allowedClientSubjects: '" + subject + "' is not an X.500 name", e);
            }
        }
        this.endpoint = HttpEndpoint.bind("audit-webhook", config.host(), config.port(), config.tls(), config.threads())
                .handlePost(config.path(), this::handle);
    }

    public AuditWebhookServer start() {
        endpoint.start();
        LOG.info("audit webhook listening on https://{}:{}{}", config.host(), port(), config.path());
        return this;
    }

    public int port() {
        return endpoint.port();
    }

    public boolean isRunning() {
        return endpoint.isRunning();
    }

    /** Lets requests in flight finish (their batches are being written), then drops idle connections. */
    @Override
    public void close() {
        endpoint.close(Duration.ofSeconds(config.ackTimeoutSeconds()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int auth = authenticate(exchange);
            if (auth != 0) {
                if (auth == 401) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"kubeproof-audit\"");
                }
                answer(exchange, auth, auth == 401 ? "authentication required" : "not allowed");
                return;
            }
            LimitedBody body;
            try (InputStream in = exchange.getRequestBody()) {
                body = LimitedBody.read(in, config.maxBodyBytes());
            }
            AuditIngestor.Outcome outcome;
            try {
                if (body.oversized()) {
                    String length = exchange.getRequestHeaders().getFirst("Content-Length");
                    outcome = await(ingestor.reject(AuditIngestor.Source.WEBHOOK, ErrorTypes.OVERSIZED, "webhook body of "
                            + (length == null ? "more than " + config.maxBodyBytes() : length) + " bytes is larger than"
                            + " webhook.maxBodyBytes=" + config.maxBodyBytes(), body.bytes()));
                    answer(exchange, 413, "body larger than " + config.maxBodyBytes() + " bytes");
                    return;
                }
                outcome = await(ingestor.ingestEventList(body.bytes(), AuditIngestor.Source.WEBHOOK));
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("audit batch not confirmed by Kafka, answering 503 so that the apiserver retries: {}",
                        e.getCause() == null ? e.toString() : e.getCause().toString());
                answer(exchange, 503, "not stored, retry");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer(exchange, 503, "shutting down, retry");
                return;
            }
            if (outcome.rejected()) {
                answer(exchange, 400, outcome.rejection());
            } else {
                answer(exchange, 200, "{\"published\":" + outcome.published() + ",\"duplicates\":" + outcome.duplicates()
                        + ",\"deadLettered\":" + outcome.deadLettered() + "}");
            }
        }
    }

    private AuditIngestor.Outcome await(java.util.concurrent.CompletableFuture<AuditIngestor.Outcome> future)
            throws ExecutionException, TimeoutException, InterruptedException {
        return future.get(config.ackTimeoutSeconds(), TimeUnit.SECONDS);
    }

    /** 0 when the caller may post, else the status to answer. */
    private int authenticate(HttpExchange exchange) {
        X509Certificate client = clientCertificate(exchange);
        if (client != null) {
            if (allowedSubjects.isEmpty() || allowedSubjects.contains(client.getSubjectX500Principal())) {
                return 0;
            }
            LOG.warn("audit webhook: client certificate {} is not in webhook.allowedClientSubjects", client.getSubjectX500Principal());
            rejected("subject");
            return 403;
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (tokens != null && tokens.acceptsHeader(authorization)) {
            return 0;
        }
        rejected(authorization == null ? "no-credentials" : "bad-token");
        return 401;
    }

    private static X509Certificate clientCertificate(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https) || https.getSSLSession() == null) {
            return null;
        }
        try {
            // only certificates the trust manager verified against the client CA get here
            Certificate[] chain = https.getSSLSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private void rejected(String reason) {
        Counter.builder("kubeproof.ingest.audit.webhook.rejected").description("Webhook requests refused before reading")
                .tag("reason", reason).register(metrics.meterRegistry()).increment();
    }

    private static void answer(HttpExchange exchange, int status, String message) throws IOException {
        HttpEndpoint.respond(exchange, status, status == 200 ? "application/json" : "text/plain; charset=utf-8",
                message + "\n");
    }
}
