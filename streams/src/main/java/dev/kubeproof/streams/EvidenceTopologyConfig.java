package dev.kubeproof.streams;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.kubeproof.contract.topics.TopicCatalog;

/**
 * What the evidence topology needs to know, validated on construction.
 *
 * @param topics               where to read and write
 * @param ownerLabelKeys       label keys copied into each record's resource reference (owner/team routing)
 * @param evaluationPartitions partitions of the evaluation repartition topics (the unit of parallelism: one
 *                             cluster's inputs always meet in one partition)
 * @param clusterId            evaluate only this cluster's changes; empty for every cluster
 * @param exceptionCheck       how often (wall-clock) expired control exceptions are looked for
 */
public record EvidenceTopologyConfig(TopicCatalog topics, List<String> ownerLabelKeys, int evaluationPartitions,
                                     Optional<String> clusterId, Duration exceptionCheck) {
    public static final List<String> DEFAULT_OWNER_LABEL_KEYS = List.of("owner", "team", "app.kubernetes.io/part-of");
    public static final int DEFAULT_EVALUATION_PARTITIONS = 6;
    public static final Duration DEFAULT_EXCEPTION_CHECK = Duration.ofSeconds(10);

    public EvidenceTopologyConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(ownerLabelKeys, "ownerLabelKeys");
        for (String key : ownerLabelKeys) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("ownerLabelKeys must not contain blank label keys");
            }
        }
        ownerLabelKeys = List.copyOf(ownerLabelKeys);
        if (evaluationPartitions < 1) {
            throw new IllegalArgumentException("evaluationPartitions must be at least 1, was " + evaluationPartitions);
        }
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(exceptionCheck, "exceptionCheck");
        if (exceptionCheck.isNegative() || exceptionCheck.isZero()) {
            throw new IllegalArgumentException("exceptionCheck must be positive, was " + exceptionCheck);
        }
        clusterId.ifPresent(id -> {
            if (id.isBlank()) {
                throw new IllegalArgumentException("clusterId must not be blank when set");
            }
        });
    }

    /** Every cluster, default owner labels and partitions, on the given topics. */
    public static EvidenceTopologyConfig of(TopicCatalog topics) {
        return new EvidenceTopologyConfig(topics, DEFAULT_OWNER_LABEL_KEYS, DEFAULT_EVALUATION_PARTITIONS,
                Optional.empty(), DEFAULT_EXCEPTION_CHECK);
    }
}
