package dev.kubeproof.contract.retry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, initial * 2^(n-1))].
 * The random source is injected so that tests are deterministic.
 *
 * @param maxAttempts total attempts, including the first
 * @param initial     the backoff ceiling after the first failure
 * @param max         the largest backoff ceiling
 */
public record RetryPolicy(
        @JsonPropertyDescription("Total attempts, including the first.")
        int maxAttempts,
        @JsonPropertyDescription("The backoff ceiling after the first failure.")
        Duration initial,
        @JsonPropertyDescription("The largest backoff ceiling.")
        Duration max) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max, was " + initial + ", " + max);
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** The backoff ceiling before attempt {@code attempt + 1}, after {@code attempt} failures (1-based). */
    public Duration ceiling(int attempt) {
        long factor = 1L << Math.min(30, Math.max(0, attempt - 1));
        long millis = Math.min(max.toMillis(), initial.toMillis() * factor);
        return Duration.ofMillis(millis);
    }

    /** The jittered wait after {@code attempt} failures, with {@code random} in [0, 1). */
    public Duration backoff(int attempt, DoubleSupplier random) {
        return Duration.ofMillis((long) (ceiling(attempt).toMillis() * random.getAsDouble()));
    }

    public Duration backoff(int attempt) {
        return backoff(attempt, () -> ThreadLocalRandom.current().nextDouble());
    }

    public boolean canRetry(int attemptsSoFar) {
        return attemptsSoFar < maxAttempts;
    }
}
