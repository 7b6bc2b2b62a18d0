package dev.kubeproof.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The collectors' metrics, in one Prometheus registry that {@link HealthServer} serves on {@code /metrics}.
 * Several collectors in one process share one instance.
 */
public final class IngestMetrics {
    static final String PUBLISHED = "kubeproof.ingest.records.published";
    static final String PUBLISH_FAILURES = "kubeproof.ingest.publish.failures";
    /** The one dead-letter counter of every stage: {@code kubeproof_dead_letters_total{source,error_type}}. */
    public static final String DEAD_LETTERS = "kubeproof.dead.letters";
    static final String RECEIVED = "kubeproof.ingest.inputs.received";

    private final MeterRegistry registry;

    public IngestMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Meters in {@code registry}: a Prometheus one to serve them, any other where nothing scrapes them. */
    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The Prometheus registry the health server serves, for collectors that add their own meters. */
    public PrometheusMeterRegistry registry() {
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return prometheus;
        }
        throw new IllegalStateException("these metrics are not kept in a Prometheus registry");
    }

    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** A record was acknowledged by Kafka: {@code kubeproof_ingest_records_published_total{topic,source}}. */
    public void recordPublished(String topic, String source) {
        published(topic, source).increment();
    }

    /** Kafka refused a record or it could not be serialized: {@code kubeproof_ingest_publish_failures_total}. */
    public void publishFailed(String topic, String source) {
        Counter.builder(PUBLISH_FAILURES).description("Records that could not be written to Kafka")
                .tag("topic", topic).tag("source", source).register(registry).increment();
    }

    /** An input was rejected, by any stage: {@code kubeproof_dead_letters_total{source,error_type}}. */
    public void deadLettered(String source, String errorType) {
        deadLetters(source, errorType).increment();
    }

    /** An input arrived (before parsing): {@code kubeproof_ingest_inputs_received_total{source}}. */
    public void inputReceived(String source) {
        Counter.builder(RECEIVED).description("Inputs received by a collector, good or bad")
                .tag("source", source).register(registry).increment();
    }

    public double publishedCount(String topic, String source) {
        return published(topic, source).count();
    }

    public double deadLetterCount(String source, String errorType) {
        return deadLetters(source, errorType).count();
    }

    /** Total dead letters of one source, over all error types. */
    public double deadLetterCount(String source) {
        return registry.find(DEAD_LETTERS).tag("source", source).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry().scrape();
    }

    private Counter published(String topic, String source) {
        return Counter.builder(PUBLISHED).description("Records acknowledged by Kafka")
                .tag("topic", topic).tag("source", source).register(registry);
    }

    private Counter deadLetters(String source, String errorType) {
        return Counter.builder(DEAD_LETTERS).description("Inputs sent to the dead-letter topic")
                .tag("source", source).tag("error_type", errorType).register(registry);
    }
}
