package dev.kubeproof.contract.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.kubeproof.testkit.MutableClock;

/**
 * The one retry helper on a clock that only its own sleeps move, each sleep recorded and the jitter fixed at half:
 * retries that are specified by their waits without waiting. (Here rather than in testkit: testkit cannot depend on
 * this module, whose tests depend on it.)
 */
public final class SleeplessRetry {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<Duration> slept = new ArrayList<>();

    /** A retry helper of {@code policy} on this clock. */
    public Retry retry(RetryPolicy policy) {
        return Retry.of(policy).withTime(clock, duration -> {
            slept.add(duration);
            clock.advance(duration);
        }, () -> 0.5);
    }

    /** Every sleep so far, in order. */
    public List<Duration> slept() {
        return slept;
    }
}
