package dev.kubeproof.contract.topics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One topic of kubeproof: its name, what it carries and how Kafka keeps it.
 *
 * @param name          full topic name (with the catalog's prefix)
 * @param purpose       one line on what the topic carries
 * @param key           what the key is made of
 * @param valueFormat   how values are encoded
 * @param valueType     the Avro class of the values, or {@code String.class} for JSON
 * @param partitions    partition count when the topic is created
 * @param cleanupPolicy delete (history) or compact (latest per key)
 * @param retention     how long records are kept; null for forever
 */
public record TopicSpec(String name, String purpose, String key, ValueFormat valueFormat, Class<?> valueType,
                        int partitions, CleanupPolicy cleanupPolicy, Duration retention) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(valueFormat, "valueFormat");
        Objects.requireNonNull(valueType, "valueType");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of " + name + " must be at least 1, was " + partitions);
        }
    }

    /** The registry subject of the values (TopicNameStrategy: {@code <topic>-value}). */
    public String valueSubject() {
        return name + "-value";
    }

    /** Topic-level configs to create the topic with. */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", cleanupPolicy.config());
        configs.put("retention.ms", retention == null ? "-1" : Long.toString(retention.toMillis()));
        if (cleanupPolicy == CleanupPolicy.COMPACT) {
            // Keep tombstones a day so that consumers that were down see deletes.
            configs.put("delete.retention.ms", Long.toString(Duration.ofDays(1).toMillis()));
            configs.put("min.compaction.lag.ms", Long.toString(Duration.ofMinutes(10).toMillis()));
        }
        return configs;
    }
}
