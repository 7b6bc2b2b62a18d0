package dev.kubeproof.contract.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import dev.kubeproof.testkit.MutableClock;

class BackoffTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

    @Test
    void shouldWaitExponentiallyLongerUpToTheMaximumWithJitter() {
        // Given a policy of 100 ms doubling up to 1 s, with the largest jitter
        Backoff backoff = new Backoff(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)), clock, () -> 0.999);
        // Then each failure waits about twice as long, capped
        assertThat(Duration.between(clock.instant(), backoff.recordFailure())).isEqualTo(Duration.ofMillis(99));
        assertThat(Duration.between(clock.instant(), backoff.recordFailure())).isEqualTo(Duration.ofMillis(199));
        assertThat(Duration.between(clock.instant(), backoff.recordFailure())).isEqualTo(Duration.ofMillis(399));
        for (int i = 0; i < 10; i++) {
            backoff.recordFailure();
        }
        assertThat(Duration.between(clock.instant(), backoff.recordFailure())).isEqualTo(Duration.ofMillis(999));
    }

    @Test
    void shouldJitterWithTheInjectedRandomSource() {
        Backoff backoff = new Backoff(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)), clock, () -> 0.5);
        backoff.recordFailure();
        backoff.recordFailure();
        assertThat(backoff.remaining()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void shouldBeDueOnlyOnceTheClockPassesTheBackoff() {
        Backoff backoff = new Backoff(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)), clock, () -> 0.999);
        assertThat(backoff.isDue()).isTrue();
        backoff.recordFailure();
        assertThat(backoff.isDue()).isFalse();
        clock.advance(Duration.ofMillis(98));
        assertThat(backoff.isDue()).isFalse();
        assertThat(backoff.remaining()).isEqualTo(Duration.ofMillis(1));
        clock.advance(Duration.ofMillis(1));
        assertThat(backoff.isDue()).isTrue();
        assertThat(backoff.remaining()).isZero();
    }

    @Test
    void shouldReportAnOutageBeyondTheAttemptsButNeverGiveUpAndResetOnSuccess() {
        Backoff backoff = new Backoff(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10)), clock, () -> 0.0);
        backoff.recordFailure();
        assertThat(backoff.isOutage()).isFalse();
        backoff.recordFailure();
        assertThat(backoff.isOutage()).isTrue();
        // still schedules the next attempt
        assertThat(backoff.recordFailure()).isNotNull();
        assertThat(backoff.failures()).isEqualTo(3);
        backoff.reset();
        assertThat(backoff.failures()).isZero();
        assertThat(backoff.isOutage()).isFalse();
        assertThat(backoff.isDue()).isTrue();
    }
}
