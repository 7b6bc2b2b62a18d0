package dev.kubeproof.contract.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The one retry helper, on a clock that only its sleeps move: no real waiting. */
class RetryTest {
    private final SleeplessRetry time = new SleeplessRetry();
    private final Retry retry = time.retry(new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1)));

    @Test
    void shouldRetryATransientFailureWithGrowingJitteredBackoffUntilItSucceeds() {
        // Given an action that fails twice
        AtomicInteger calls = new AtomicInteger();

        // When
        String result = retry.call("fetch", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("unavailable");
            }
            return "ok";
        }, failure -> true);

        // Then it waited half of 100 ms, then half of 200 ms
        assertThat(result).isEqualTo("ok");
        assertThat(time.slept()).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void shouldThrowAFailureThatIsNotWorthRetryingAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("register", () -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("incompatible");
        }, failure -> failure instanceof IllegalStateException)).hasMessage("incompatible");
        assertThat(calls).hasValue(1);
        assertThat(time.slept()).isEmpty();
    }

    @Test
    void shouldGiveUpWithTheLastFailureWhenAttemptsRunOut() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("create topics", () -> {
            throw new IllegalStateException("attempt " + calls.incrementAndGet());
        }, failure -> true)).hasMessage("attempt 5");
        assertThat(time.slept()).hasSize(4);
    }

    @Test
    void shouldStartNoAttemptPastItsDeadline() {
        // Given a deadline of 300 ms: waits of 50, 100 and 200 ms would end past it
        AtomicInteger calls = new AtomicInteger();
        Retry bounded = retry.withDeadline(Duration.ofMillis(300));

        // Then
        assertThatThrownBy(() -> bounded.run("reach the broker", () -> {
            throw new IllegalStateException("attempt " + calls.incrementAndGet());
        }, failure -> true)).hasMessage("attempt 3");
        assertThat(time.slept()).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    }
}
