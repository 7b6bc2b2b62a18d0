package dev.kubeproof.streams.support;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.EvidenceSerdes;
import dev.kubeproof.streams.EvidenceService;
import dev.kubeproof.streams.EvidenceTopology;
import dev.kubeproof.streams.EvidenceTopologyConfig;

/** Which evaluation tasks (partitions of the evaluation sub-topology) a running instance holds. */
public final class EvaluationTasks {
    private EvaluationTasks() {
    }

    /** The id of the sub-topology that holds the {@link EvidenceTopology#EVALUATE} processor. */
    public static int subtopology(TopicCatalog topics) {
        return EvidenceTopology.build(EvidenceTopologyConfig.of(topics), ControlEngine.withDefaults(),
                        ViolationFormats.named("ecs"), EvidenceSerdes.avro(new InMemorySchemaRegistryClient()))
                .describe().subtopologies().stream()
                .filter(s -> s.nodes().stream().anyMatch(node -> node.name().equals(EvidenceTopology.EVALUATE)))
                .findFirst().orElseThrow().id();
    }

    /** The partitions of {@code subtopology} whose tasks (active or standby, as chosen) run in the instance. */
    public static Set<Integer> partitions(EvidenceService service, int subtopology,
                                          Function<ThreadMetadata, Set<TaskMetadata>> tasks) {
        Set<Integer> partitions = new HashSet<>();
        for (ThreadMetadata thread : service.streams().metadataForLocalThreads()) {
            for (TaskMetadata task : tasks.apply(thread)) {
                if (task.taskId().subtopology() == subtopology) {
                    partitions.add(task.taskId().partition());
                }
            }
        }
        return partitions;
    }
}
