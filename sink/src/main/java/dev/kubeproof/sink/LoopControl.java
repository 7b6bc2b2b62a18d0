package dev.kubeproof.sink;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run and stop state of a consumer loop (the sink's, the policy-report writer's): a stop request ends waits at
 * once, wakes the consumer, and waits for the loop to close its clients.
 */
public final class LoopControl {
    private static final Logger LOG = LoggerFactory.getLogger(LoopControl.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean started;

    public LoopControl(String name) {
        this.name = name;
    }

    public boolean running() {
        return running;
    }

    /** The loop's thread has begun. */
    public void markStarted() {
        started = true;
    }

    public boolean isStopped() {
        return stopped.getCount() == 0;
    }

    /** The loop has closed its clients. */
    public void markStopped() {
        stopped.countDown();
    }

    /** Waits for {@code duration}, or less when a stop is requested (an interrupt stops the loop). */
    public void pause(Duration duration) {
        try {
            stopRequested.await(Math.max(1, duration.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /**
     * Stops the loop: a loop that never started is closed here ({@code closeUnstarted}); a running one is woken
     * ({@code wakeup}) and given 30 s to close its clients.
     */
    public void stop(Runnable closeUnstarted, Runnable wakeup) {
        running = false;
        stopRequested.countDown();
        if (isStopped()) {
            return;
        }
        if (!started) {
            closeUnstarted.run();
            return;
        }
        wakeup.run();
        try {
            if (!stopped.await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("the {} did not stop within {} s", name, STOP_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
