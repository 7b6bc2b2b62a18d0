package dev.kubeproof.sink;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task the sink runs on a schedule beside its batch loop until it stops (the findings' re-stamp, the posture
 * history): waits for the next time, runs, logs a failure and tries again at the following time.
 */
public final class Periodic implements Runnable, AutoCloseable {
    /** The work, given the time it is scheduled for. */
    @FunctionalInterface
    public interface Task {
        void run(Instant at) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Periodic.class);

    private final String name;
    private final Clock clock;
    private final UnaryOperator<Instant> next;
    private final Task task;
    private final LoopControl loop;

    /** @param next the time of the next run after a given time */
    public Periodic(String name, Clock clock, UnaryOperator<Instant> next, Task task) {
        this.name = name;
        this.clock = clock;
        this.next = next;
        this.task = task;
        this.loop = new LoopControl(name);
    }

    @Override
    public void run() {
        loop.markStarted();
        try {
            while (loop.running()) {
                Instant at = next.apply(clock.instant());
                loop.pause(Duration.between(clock.instant(), at));
                if (!loop.running()) {
                    break;
                }
                try {
                    task.run(at);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("{} failed (next at {}): {}", name, next.apply(at), e.getMessage());
                }
            }
        } finally {
            loop.markStopped();
        }
    }

    @Override
    public void close() {
        loop.stop(loop::markStopped, () -> { });
    }
}
