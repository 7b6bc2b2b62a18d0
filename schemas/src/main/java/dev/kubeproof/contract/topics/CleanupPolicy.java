package dev.kubeproof.contract.topics;

/** Kafka's {@code cleanup.policy}. */
public enum CleanupPolicy {
    /** Append-only history, removed by time. */
    DELETE("delete"),
    /** Latest value per key; a null value (tombstone) removes the key. */
    COMPACT("compact");

    private final String config;

    CleanupPolicy(String config) {
        this.config = config;
    }

    public String config() {
        return config;
    }
}
