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

    /**
     * Cuts a key's whole chain (in sequence order) at the period: the anchor is the last record that took effect
     * before {@code from}, the period's records those that took effect in it. A record takes effect at its
     * {@code since}, or when the record before it did if that was later (evidence recorded before the topology
     * kept {@code since} from going back); null when no record falls in or before the period.
     */
    public static KeyTimeline cut(String key, List<Transition> chain, Period period) {
        Transition anchor = null;
        List<Transition> within = new java.util.ArrayList<>();
        java.time.Instant effective = null;
        for (Transition record : chain) {
            effective = effective == null || record.since().isAfter(effective) ? record.since() : effective;
            if (effective.isBefore(period.from())) {
                anchor = record;
            } else if (effective.isBefore(period.to())) {
                within.add(record);
            }
        }
        return anchor == null && within.isEmpty() ? null : new KeyTimeline(key, anchor, within);
    }

    /**
     * Whether the records form one unbroken run of sequences after the anchor (from 1 without one): what a chain
     * whose {@code since} never goes back gives when nothing is missing.
     */
    public boolean contiguous() {
        long expected = anchor == null ? 1 : anchor.sequence() + 1;
        for (Transition record : records) {
            if (record.sequence() != expected++) {
                return false;
            }
        }
        return true;
    }

    /** Any record of the key (for its control and resource). */
    public Transition any() {
        return records.isEmpty() ? anchor : records.get(records.size() - 1);
    }
}
