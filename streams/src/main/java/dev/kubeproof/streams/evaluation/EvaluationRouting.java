package dev.kubeproof.streams.evaluation;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.contract.k8s.ResourceNames;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.Evaluator;

/**
 * Which evaluation partition sees which input, so that one cluster's work spreads over partitions (and so over
 * stream threads and instances) while every control still sees the objects it reads.
 *
 * <ul>
 *   <li>A namespaced object goes to the partition of its <em>evaluation scope</em> {@code cluster/namespace}; a
 *       Namespace named x goes to the scope of x, beside the NetworkPolicies, quotas and workloads its controls
 *       read. Every cross-object control of the catalog reads within one namespace, so it stays exact.</li>
 *   <li>A cluster-scoped object that some control reads ({@code dependsOn}, e.g. ClusterRole for ClusterRoleBindings)
 *       is <em>broadcast</em> to every partition and stored there; it is evaluated only in its home partition
 *       (scope {@code cluster/}), so its evidence is written once. Other cluster-scoped objects (Nodes,
 *       ClusterRoleBindings...) go to the home partition only.</li>
 *   <li>Image scans are broadcast: workloads of any namespace may run the image.</li>
 * </ul>
 *
 * The partition of a scope is the murmur2 hash of its key modulo the partition count, as Kafka's default
 * partitioner computes it. Changing the partition count moves scopes between partitions: it needs a new
 * application id (or a reset), like any change of a Kafka Streams repartition topic.
 */
public final class EvaluationRouting {
    private static final String NAMESPACE_KIND = "Namespace";

    private final Evaluator evaluator;
    private final int partitions;

    public EvaluationRouting(Evaluator evaluator, int partitions) {
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        this.partitions = partitions;
    }

    /** The repartition key of a change: {@code cluster/namespace}, the namespace a Namespace names, or {@code cluster/}. */
    public static String scope(ResourceChange change) {
        String namespace = NAMESPACE_KIND.equals(change.getKind()) ? change.getName() : change.getNamespace();
        return change.getClusterId() + "/" + (namespace == null ? "" : namespace);
    }

    /** Whether every partition needs the object, because a control evaluated there may read it. */
    public boolean broadcast(ResourceChange change) {
        return change.getNamespace() == null && !NAMESPACE_KIND.equals(change.getKind())
                && !evaluator.kindsToReevaluate(change.getKind()).isEmpty();
    }

    /** Whether the task of {@code partition} evaluates the object (it may only store a broadcast copy). */
    public boolean evaluatedIn(ResourceChange change, int partition) {
        return !broadcast(change) || partitionOf(scope(change), partitions) == partition;
    }

    /**
     * Whether the task of {@code partition} is the home of the cluster: the partition of its cluster-scoped objects
     * (scope {@code cluster/}), which writes the cluster's own evidence (attestations).
     */
    public boolean isHomeOf(String clusterId, int partition) {
        return partitionOf(clusterId + "/", partitions) == partition;
    }

    /** The partitioner of the resource-change repartition topic. */
    public StreamPartitioner<String, ResourceChange> changePartitioner() {
        return new ScopePartitioner<>(this::broadcast);
    }

    /**
     * The partitioner of the audit-write repartition topic: a write goes where its object is evaluated, and a write of
     * a broadcast kind (a ClusterRole) to every partition, as the object's changes do.
     */
    public StreamPartitioner<String, AuditEvent> writePartitioner() {
        Set<String> broadcastResources = new HashSet<>();
        for (ControlDefinition control : evaluator.controls()) {
            for (String kind : control.dependsOn()) {
                broadcastResources.add(ResourceNames.plural(kind));
            }
        }
        return new ScopePartitioner<>(write -> write.getObjectRef().getNamespace() == null
                && broadcastResources.contains(write.getObjectRef().getResource()));
    }

    /** The partitioner of the image-scan repartition topic: every partition gets every scan. */
    public static <V> StreamPartitioner<String, V> everyPartition() {
        return new ScopePartitioner<>(value -> true);
    }

    /** The partition of a scope key among {@code numPartitions}. */
    public static int partitionOf(String scope, int numPartitions) {
        return Utils.toPositive(Utils.murmur2(scope.getBytes(StandardCharsets.UTF_8))) % numPartitions;
    }

    private record ScopePartitioner<V>(Predicate<V> broadcast) implements StreamPartitioner<String, V> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String scope, V value, int numPartitions) {
            if (broadcast.test(value)) {
                return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
            }
            return Optional.of(Set.of(partitionOf(scope, numPartitions)));
        }
    }
}
