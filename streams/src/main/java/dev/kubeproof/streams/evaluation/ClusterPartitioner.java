package dev.kubeproof.streams.evaluation;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Routes evaluation inputs keyed by cluster id: one cluster's changes and scans always meet in one partition,
 * so one task holds the cluster's whole inventory; a key of {@link StoreKeys#ANY_CLUSTER} (a scan not tied to
 * a cluster) goes to every partition. Both repartition topics use this one partitioner so they agree.
 */
public final class ClusterPartitioner<V> implements StreamPartitioner<String, V> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String clusterKey, V value, int numPartitions) {
        if (StoreKeys.ANY_CLUSTER.equals(clusterKey)) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
        }
        return Optional.of(Set.of(partitionOf(clusterKey, numPartitions)));
    }

    /** The partition of a cluster's inputs. */
    public static int partitionOf(String clusterId, int numPartitions) {
        return Utils.toPositive(Utils.murmur2(clusterId.getBytes(StandardCharsets.UTF_8))) % numPartitions;
    }
}
