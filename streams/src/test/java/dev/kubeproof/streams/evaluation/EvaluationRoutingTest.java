package dev.kubeproof.streams.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.streams.support.Resources;

/** Which evaluation partition sees which input, with the real control catalog's dependencies. */
class EvaluationRoutingTest {
    private static final int PARTITIONS = 6;
    private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");
    private final EvaluationRouting routing = new EvaluationRouting(ControlEngine.withDefaults(), PARTITIONS);

    @Test
    void shouldSendANamespaceAndEverythingInItToOnePartition() {
        // Given a Namespace and a NetworkPolicy and a Pod in it
        ResourceChange namespace = change(Resources.namespace("shop", "u-ns"));
        ResourceChange policy = change(Resources.networkPolicy("shop", "deny-all", "u-np"));
        ResourceChange pod = change(Resources.pod("shop", "web", "u-pod", false, "nginx:1.27"));

        // Then they share one scope, are not broadcast, and are evaluated where they arrive
        assertThat(List.of(EvaluationRouting.scope(namespace), EvaluationRouting.scope(policy),
                EvaluationRouting.scope(pod))).containsOnly("prod/shop");
        assertThat(partitions(namespace)).containsExactly(EvaluationRouting.partitionOf("prod/shop", PARTITIONS));
        assertThat(partitions(pod)).isEqualTo(partitions(namespace));
        assertThat(routing.broadcast(namespace) || routing.broadcast(pod)).isFalse();
        assertThat(routing.evaluatedIn(pod, 0) && routing.evaluatedIn(pod, 5)).isTrue();
    }

    @Test
    void shouldBroadcastClusterScopedObjectsThatControlsReadAndEvaluateThemOnce() {
        // Given a ClusterRole (read by the ClusterRoleBinding control) and a Node (read by none)
        ResourceChange role = change(clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole", "admin-ish"));
        ResourceChange node = change(clusterScoped("v1", "Node", "node-1"));

        // Then the role reaches every partition and is evaluated in exactly one; the node goes to its home only
        assertThat(partitions(role)).hasSize(PARTITIONS);
        assertThat(IntStream.range(0, PARTITIONS).filter(p -> routing.evaluatedIn(role, p)).boxed().toList())
                .containsExactly(EvaluationRouting.partitionOf("prod/", PARTITIONS));
        assertThat(partitions(node)).containsExactly(EvaluationRouting.partitionOf("prod/", PARTITIONS));
        assertThat(routing.broadcast(node)).isFalse();
    }

    @Test
    void shouldSendEveryScanToEveryPartitionAndSpreadNamespaces() {
        // Given a scan
        ImageScan scan = Resources.scan("s1", "nginx:1.27", "nginx", "1.27", 0, NOW);

        // Then every partition gets it, and a cluster's namespaces spread over every partition
        assertThat(EvaluationRouting.<ImageScan>everyPartition().partitions("t", "*", scan, PARTITIONS).orElseThrow())
                .hasSize(PARTITIONS);
        assertThat(IntStream.range(0, 100).mapToObj(i -> EvaluationRouting.partitionOf("prod/team-" + i, PARTITIONS))
                .collect(Collectors.toSet())).as("namespaces spread over partitions").hasSize(PARTITIONS);
    }

    private Set<Integer> partitions(ResourceChange change) {
        return routing.changePartitioner().partitions("t", EvaluationRouting.scope(change), change, PARTITIONS).orElseThrow();
    }

    private static ResourceChange change(ObjectNode object) {
        return Resources.change("prod", ChangeType.ADDED, object, "1", NOW);
    }

    private static ObjectNode clusterScoped(String apiVersion, String kind, String name) {
        ObjectNode object = Resources.namespace(name, "u-" + name);
        object.put("apiVersion", apiVersion).put("kind", kind);
        return object;
    }
}
