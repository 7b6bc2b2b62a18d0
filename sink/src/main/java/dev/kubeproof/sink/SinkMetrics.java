package dev.kubeproof.sink;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.kubeproof.sink.config.SinkConfig.Input;

/** The sink's meters, all prefixed {@code kubeproof.sink.}. */
public final class SinkMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger paused = new AtomicInteger();

    public SinkMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("kubeproof.sink.paused", paused);
    }

    public void records(Input input, int count) {
        Counter.builder("kubeproof.sink.records").tag("input", input.name().toLowerCase(java.util.Locale.ROOT))
                .description("records taken from Kafka").register(registry).increment(count);
    }

    public void writes(String outcome, int count) {
        if (count > 0) {
            Counter.builder("kubeproof.sink.writes").tag("outcome", outcome)
                    .description("Elasticsearch writes by outcome: written, already_done, retry, dead_letter")
                    .register(registry).increment(count);
        }
    }


    public void failedAttempt() {
        Counter.builder("kubeproof.sink.attempts.failed").description("batch attempts that left work to retry")
                .register(registry).increment();
    }

    public void committed(int records) {
        Counter.builder("kubeproof.sink.committed").description("records whose offsets were committed")
                .register(registry).increment(records);
    }

    /**
     * Time spent in one phase of a batch attempt: prepare (decode, render), send (hand the writes to the bulk
     * ingester, which waits while its requests in flight are at the limit), write (wait for Elasticsearch's answers),
     * dead_letters.
     */
    public void phase(String phase, long nanos) {
        Timer.builder("kubeproof.sink.attempt.phase").tag("phase", phase)
                .description("time per batch attempt phase").register(registry).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Total seconds spent in a phase so far. */
    public double phaseSeconds(String phase) {
        Timer timer = registry.find("kubeproof.sink.attempt.phase").tag("phase", phase).timer();
        return timer == null ? 0 : timer.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e9;
    }

    public void paused(boolean value) {
        paused.set(value ? 1 : 0);
    }

    public double count(String name, String... tags) {
        Counter counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
