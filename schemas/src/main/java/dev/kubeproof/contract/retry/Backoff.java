package dev.kubeproof.contract.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * When the next attempt is due after consecutive failures, exponential with full jitter per {@link RetryPolicy}, on
 * an injected clock and random source: the non-blocking half of kubeproof's one retry helper (loops that must not
 * block, like the sink's, ask it; {@link Retry} sleeps on it). It never gives up by itself: after
 * {@code maxAttempts} failures it keeps the largest backoff and reports {@link #isOutage()}, so that a caller
 * such as the sink keeps its records (paused) instead of skipping them.
 */
public final class Backoff {
    private final RetryPolicy policy;
    private final Clock clock;
    private final DoubleSupplier random;
    private int failures;
    private Instant nextAttempt;

    public Backoff(RetryPolicy policy, Clock clock, DoubleSupplier random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Records a failed attempt; returns when the next one is due. */
    public Instant recordFailure() {
        failures++;
        Duration wait = policy.backoff(Math.min(failures, 31), random);
        nextAttempt = clock.instant().plus(wait);
        return nextAttempt;
    }

    /** True when no attempt is waiting for its backoff to pass. */
    public boolean isDue() {
        return nextAttempt == null || !clock.instant().isBefore(nextAttempt);
    }

    /** Time until the next attempt is due; zero when due. */
    public Duration remaining() {
        if (nextAttempt == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), nextAttempt);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public int failures() {
        return failures;
    }

    /** More consecutive failures than the policy's attempts: Elasticsearch is treated as down. */
    public boolean isOutage() {
        return !policy.canRetry(failures);
    }

    public void reset() {
        failures = 0;
        nextAttempt = null;
    }
}
