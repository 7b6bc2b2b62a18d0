package dev.kubeproof.streams;

import java.security.PrivateKey;
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
 * @param attributionWait      how long a change of a cluster with an audit stream waits for the audit event of its
 *                             write before it is evaluated with an unknown actor; also how far apart a change and a
 *                             write without resourceVersion may be to match. Zero: changes never wait
 * @param checkpointInterval   wall-clock time between checkpoints of the evidence chains' heads
 * @param checkpointKey        Ed25519 key that signs the checkpoints; empty for unsigned checkpoints
 */
public record EvidenceTopologyConfig(TopicCatalog topics, List<String> ownerLabelKeys, int evaluationPartitions,
                                     Optional<String> clusterId, Duration exceptionCheck, Duration attributionWait,
                                     Duration checkpointInterval, Optional<PrivateKey> checkpointKey) {
    public static final List<String> DEFAULT_OWNER_LABEL_KEYS = List.of("owner", "team", "app.kubernetes.io/part-of");
    public static final int DEFAULT_EVALUATION_PARTITIONS = 6;
    public static final Duration DEFAULT_EXCEPTION_CHECK = Duration.ofSeconds(10);
    /** The API server's webhook batching waits up to 30 s (--audit-webhook-batch-max-wait) before it sends. */
    public static final Duration DEFAULT_ATTRIBUTION_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofHours(1);

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
        Objects.requireNonNull(attributionWait, "attributionWait");
        if (attributionWait.isNegative()) {
            throw new IllegalArgumentException("attributionWait must not be negative, was " + attributionWait);
        }
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        if (checkpointInterval.toMillis() < 1) {
            throw new IllegalArgumentException("checkpointInterval must be at least 1ms, was " + checkpointInterval);
        }
        Objects.requireNonNull(checkpointKey, "checkpointKey");
        clusterId.ifPresent(id -> {
            if (id.isBlank()) {
                throw new IllegalArgumentException("clusterId must not be blank when set");
            }
        });
    }

    /** Every cluster, default owner labels and partitions, on the given topics. */
    public static EvidenceTopologyConfig of(TopicCatalog topics) {
        return new EvidenceTopologyConfig(topics, DEFAULT_OWNER_LABEL_KEYS, DEFAULT_EVALUATION_PARTITIONS,
                Optional.empty(), DEFAULT_EXCEPTION_CHECK, DEFAULT_ATTRIBUTION_WAIT, DEFAULT_CHECKPOINT_INTERVAL, Optional.empty());
    }
}
