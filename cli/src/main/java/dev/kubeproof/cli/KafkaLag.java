package dev.kubeproof.cli;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.streams.EvidenceTopology;

/** How far a consumer group lags behind its inputs, as {@code run}'s progress and {@code bench} measure it. */
public final class KafkaLag {
    private KafkaLag() {
    }

    /** The end offset of every partition of these topics. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topicNames) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topicNames).allTopicNames().get(10, TimeUnit.SECONDS).forEach((name, description) ->
                description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets =
                admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
        return offsets.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /**
     * The evidence application's lag: its input topics and its own repartition topics, where most of a big cold
     * start waits; -1 while it has committed nothing.
     */
    public static long streamsLag(Admin admin, String applicationId, TopicCatalog topics) throws Exception {
        return lag(admin, applicationId, Set.of(topics.resourceChanges().name(), topics.imageScans().name(),
                repartition(applicationId, EvidenceTopology.REPARTITION_CHANGES),
                repartition(applicationId, EvidenceTopology.REPARTITION_SCANS)));
    }

    /** Records the group has not committed yet on its input topics; -1 while it has committed nothing. */
    public static long lag(Admin admin, String group, Set<String> inputs) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        // internal topics appear when the application starts: count what exists
        Map<TopicPartition, Long> ends = endOffsets(admin, inputs.stream().filter(existing::contains).toList());
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            OffsetAndMetadata offset = committed.get(end.getKey());
            // Transaction markers take an offset: a fully consumed partition may sit one short of the end.
            long position = offset == null ? 0 : offset.offset();
            lag += Math.max(0, end.getValue() - position - (offset == null ? 0 : 1));
        }
        return committed.isEmpty() ? -1 : lag;
    }

    /** Kafka Streams' name for a repartition topic of an application. */
    static String repartition(String applicationId, String name) {
        return applicationId + "-" + name + "-repartition";
    }
}
