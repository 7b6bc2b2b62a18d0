package dev.kubeproof.report.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The half-open interval {@code [from, to)} a report covers: a transition at exactly {@code to} belongs to the next
 * period, one at exactly {@code from} to this one.
 */
public record Period(Instant from, Instant to) {

    public Period {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the period must end after it begins: --from " + from + " --to " + to);
        }
    }

    public Duration length() {
        return Duration.between(from, to);
    }

    public boolean contains(Instant instant) {
        return !instant.isBefore(from) && instant.isBefore(to);
    }

    /** {@code instant} moved into the period's bounds. */
    public Instant clamp(Instant instant) {
        return instant.isBefore(from) ? from : instant.isAfter(to) ? to : instant;
    }
}
