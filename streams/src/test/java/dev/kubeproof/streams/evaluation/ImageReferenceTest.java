package dev.kubeproof.streams.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.streams.support.Resources;

/** How container image references and scans meet, and how clusters map to evaluation partitions. */
class ImageReferenceTest {

    @Test
    void shouldNormaliseDockerHubSpellingsToOneKey() {
        assertThat(ImageReference.keysOf("nginx")).containsExactly("docker.io/library/nginx:latest");
        assertThat(ImageReference.keysOf("nginx:1.27")).containsExactly("docker.io/library/nginx:1.27");
        assertThat(ImageReference.keysOf("index.docker.io/library/nginx:1.27"))
                .containsExactly("docker.io/library/nginx:1.27");
        assertThat(ImageReference.keysOf("bitnami/redis:7")).containsExactly("docker.io/bitnami/redis:7");
        assertThat(ImageReference.keysOf("registry.example.com:5000/team/app:2"))
                .containsExactly("registry.example.com:5000/team/app:2");
        assertThat(ImageReference.keysOf("localhost/app")).containsExactly("localhost/app:latest");
        assertThat(ImageReference.keysOf("ghcr.io/acme/app:1.0@sha256:abc")).containsExactly("@sha256:abc");
        assertThat(ImageReference.keysOf("  ")).isEmpty();
    }

    @Test
    void shouldFindAScanByTagOrDigest() {
        // Given
        ImageScan scan = Resources.scan("s1", "index.docker.io/library/nginx:1.27", "index.docker.io/library/nginx",
                "1.27", 0, Instant.EPOCH);
        scan.setDigest("sha256:abc");

        // Then
        assertThat(ImageReference.keysOf(scan)).containsExactly("@sha256:abc", "docker.io/library/nginx:1.27");
        assertThat(ImageReference.keysOf(scan)).containsAll(ImageReference.keysOf("nginx:1.27"));
        assertThat(ImageReference.keysOf(scan)).containsAll(ImageReference.keysOf("nginx@sha256:abc"));
    }

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
