package dev.kubeproof.streams.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;


/** How container image references and scans meet, and how clusters map to evaluation partitions. */
class ClusterPartitionerTest {

    @Test
    void shouldSendAClusterToOnePartitionAndAnUnboundScanToAll() {
        // Given
        ClusterPartitioner<Object> partitioner = new ClusterPartitioner<>();

        // Then
        assertThat(partitioner.partitions("t", "prod-eu", null, 6))
                .contains(Set.of(ClusterPartitioner.partitionOf("prod-eu", 6)));
        assertThat(partitioner.partitions("t", StoreKeys.ANY_CLUSTER, null, 6))
                .contains(IntStream.range(0, 6).boxed().collect(Collectors.toSet()));
        assertThat(IntStream.range(0, 100).mapToObj(i -> ClusterPartitioner.partitionOf("cluster-" + i, 6))
                .collect(Collectors.toSet())).as("clusters spread over partitions").hasSize(6);
    }
}
