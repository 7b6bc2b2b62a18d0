package dev.kubeproof.streams;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.kubeproof.runtime.IngestMetrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Counters of the evaluation. Counted as processed: under exactly-once a task that is retried counts its
 * re-processing again, so these are operational signals, not evidence (the topics are the evidence).
 */
public final class EvidenceMetrics {
    public static final String TRANSITIONS = "kubeproof.streams.evidence.transitions";
    public static final String EVALUATIONS = "kubeproof.streams.evaluations";
    public static final String EVALUATION_LATENCY = "kubeproof.streams.evaluation.latency";
    public static final String EVALUATION_ERRORS = "kubeproof.streams.evaluation.errors";
    public static final String DEAD_LETTERS = IngestMetrics.DEAD_LETTERS;
    public static final String SKIPPED = "kubeproof.streams.skipped";

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public EvidenceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics kept in memory only (tests, or when nothing scrapes them). */
    public static EvidenceMetrics inMemory() {
        return new EvidenceMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void transition(String status) {
        counters.computeIfAbsent(TRANSITIONS + "|" + status, k -> Counter.builder(TRANSITIONS)
                .description("Evidence status transitions emitted").tag("status", status).register(registry)).increment();
    }

    public void evaluation(String kind) {
        counters.computeIfAbsent(EVALUATIONS + "|" + kind, k -> Counter.builder(EVALUATIONS)
                .description("Objects evaluated").tag("kind", kind).register(registry)).increment();
    }

    /** How long evaluating one object against its controls took (cluster-view lookups in the stores included). */
    public void evaluationLatency(String kind, long nanos) {
        Timer.builder(EVALUATION_LATENCY).description("Time to evaluate one object against its controls")
                .tag("kind", kind).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void evaluationError(String kind) {
        Counter.builder(EVALUATION_ERRORS).description("Evaluations that threw and became ERROR evidence")
                .tag("kind", kind).register(registry).increment();
    }


    /** A dead letter written by the topology itself: the counter every stage's dead letters share. */
    public void deadLetter(String source, String errorType) {
        Counter.builder(DEAD_LETTERS).description("Inputs sent to the dead-letter topic").tag("source", source)
                .tag("error_type", errorType).register(registry).increment();
    }

    public void skipped(String reason) {
        Counter.builder(SKIPPED).description("Inputs deliberately not evaluated").tag("reason", reason)
                .register(registry).increment();
    }

    public double count(String name, String tagKey, String tagValue) {
        Counter counter = registry.find(name).tag(tagKey, tagValue).counter();
        return counter == null ? 0 : counter.count();
    }
}
