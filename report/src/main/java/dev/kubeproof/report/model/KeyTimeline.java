package dev.kubeproof.report.model;

import java.util.List;
import java.util.Objects;

/**
 * The evidence of one key (cluster, control, resource) that a period needs: the last record before the period (its
 * {@code anchor}: the status the key was in when the period began, and the hash the period's first record links to)
 * and the records of the period in sequence order. Either may be missing, not both.
 */
public record KeyTimeline(String key, Transition anchor, List<Transition> records) {

    public KeyTimeline {
        Objects.requireNonNull(key, "key");
        records = List.copyOf(records);
        if (anchor == null && records.isEmpty()) {
            throw new IllegalArgumentException("key " + key + " has neither an anchor nor records");
        }
    }

    /** Any record of the key (for its control and resource). */
    public Transition any() {
        return records.isEmpty() ? anchor : records.get(records.size() - 1);
    }
}
