package dev.kubeproof.contract.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kubeproof's one retry helper: runs an action until it succeeds, fails in a way that is not worth retrying, runs
 * out of attempts, or would pass its deadline; between attempts it waits the {@link Backoff} of its
 * {@link RetryPolicy} (exponential, full jitter). Clock, sleep and random source are injected, so that tests run
 * with fixed clocks and no real waiting. Used by the registry client, topic provisioning, schema registration and
 * the audit file tailer; the sink's non-blocking loop uses the {@link Backoff} directly.
 */
public final class Retry {
    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    /** How the helper waits; {@code Thread::sleep} in production. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** One attempt. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run();
    }

    private final RetryPolicy policy;
    private final Duration deadline;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier random;

    private Retry(RetryPolicy policy, Duration deadline, Clock clock, Sleeper sleeper, DoubleSupplier random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, was " + deadline);
        }
        this.deadline = deadline;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Retries per {@code policy} on the system clock, without a deadline. */
    public static Retry of(RetryPolicy policy) {
        return new Retry(policy, null, Clock.systemUTC(), duration -> Thread.sleep(duration.toMillis()),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** No attempt starts after {@code limit} has passed since the first. */
    public Retry withDeadline(Duration limit) {
        return new Retry(policy, limit, clock, sleeper, random);
    }

    /** For tests: a fixed or stepping clock, a sleep that records, a fixed random source. */
    public Retry withTime(Clock time, Sleeper sleep, DoubleSupplier jitter) {
        return new Retry(policy, deadline, time, sleep, jitter);
    }

    public RetryPolicy policy() {
        return policy;
    }

    /**
     * Runs {@code attempt} until it returns. A failure that {@code retryable} rejects is thrown at once; when the
     * attempts or the deadline run out the last failure is thrown. {@code what} names the action in log lines.
     *
     * @throws RuntimeException the last failure; on interruption, that failure with the interrupt flag set again
     */
    public <T> T call(String what, Attempt<T> attempt, Predicate<RuntimeException> retryable) {
        Backoff backoff = new Backoff(policy, clock, random);
        Instant giveUpAt = deadline == null ? null : clock.instant().plus(deadline);
        while (true) {
            RuntimeException failure;
            try {
                return attempt.run();
            } catch (RuntimeException e) {
                failure = e;
            }
            if (!retryable.test(failure)) {
                throw failure;
            }
            backoff.recordFailure();
            if (backoff.isOutage() || giveUpAt != null && !clock.instant().plus(backoff.remaining()).isBefore(giveUpAt)) {
                throw failure;
            }
            LOG.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", what, backoff.failures(),
                    policy.maxAttempts(), backoff.remaining().toMillis(), failure.getMessage());
            try {
                sleeper.sleep(backoff.remaining());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.addSuppressed(e);
                throw failure;
            }
        }
    }

    /** {@link #call} for an action without a result. */
    public void run(String what, Runnable attempt, Predicate<RuntimeException> retryable) {
        call(what, () -> {
            attempt.run();
            return null;
        }, retryable);
    }
}
