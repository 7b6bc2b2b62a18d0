package dev.kubeproof.ingest.resources.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Reading the compacted topic to its end, with Kafka's MockConsumer. */
class CompactedTopicStateTest {
    private static final String TOPIC = "test.resource-changes";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, false, true);
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final List<String> unreadable = new ArrayList<>();
    private final CompactedTopicState state = new CompactedTopicState(() -> consumer, TOPIC,
            new AvroDeserializer<>(registry, ResourceChange.class), Duration.ofSeconds(10),
            (where, reason, raw) -> unreadable.add(where));

    @Test
    void shouldKeepTheLastLiveRecordPerKeyOfThisCluster() {
        // Given: two partitions, updates, a tombstone, a DELETED without tombstone, another cluster, a corrupt value
        partitions(Map.of(P0, 5L, P1, 3L));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 0, "c1/Pod/shop/web", change("web", "1", ChangeType.ADDED)));
            consumer.addRecord(record(P0, 1, "c1/Pod/shop/web", change("web", "5", ChangeType.MODIFIED)));
            consumer.addRecord(record(P0, 2, "c1/Pod/shop/old", change("old", "2", ChangeType.ADDED)));
            consumer.addRecord(record(P0, 3, "c1/Pod/shop/old", null));
            consumer.addRecord(record(P0, 4, "c2/Pod/shop/web", change("web", "9", ChangeType.ADDED)));
        });
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P1, 0, "c1/Pod/shop/half-deleted", change("half-deleted", "3", ChangeType.DELETED)));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 1, "c1/Pod/shop/corrupt", new byte[]{0, 0, 0}));
            consumer.addRecord(record(P1, 2, "c1/Role/shop/reader", change("reader", "4", ChangeType.SYNC)));
        });

        // When
        Map<String, KnownObject> known = state.load(key -> key.startsWith("c1/"));

        // Then
        assertThat(known).containsOnlyKeys("c1/Pod/shop/web", "c1/Role/shop/reader");
        assertThat(known.get("c1/Pod/shop/web").resourceVersion()).isEqualTo("5");
        assertThat(known.get("c1/Pod/shop/web").lastRecord().get().getChangeType()).isEqualTo(ChangeType.MODIFIED);
        assertThat(unreadable).containsExactly(TOPIC + "-1@1");
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void shouldReturnNothingForAnEmptyTopic() {
        // Given
        partitions(Map.of(P0, 0L, P1, 0L));

        // When / Then
        assertThat(state.load(key -> true)).isEmpty();
    }

    @Test
    void shouldFailRatherThanDropEverythingWhenTheRegistryIsDown() {
        // Given
        partitions(Map.of(P0, 1L, P1, 0L));
        consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 0, "c1/Pod/shop/web",
                change("web", "1", ChangeType.ADDED))));
        CompactedTopicState withRegistryDown = new CompactedTopicState(() -> consumer, TOPIC, (topic, bytes) -> {
            throw new org.apache.kafka.common.errors.SerializationException("cannot resolve writer schema id 1",
                    new dev.kubeproof.contract.registry.SchemaRegistryException("connection refused",
                            new java.io.IOException("connection refused")));
        }, Duration.ofSeconds(10), (where, reason, raw) -> unreadable.add(where));

        // When / Then
        assertThatThrownBy(() -> withRegistryDown.load(key -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema registry unavailable");
        assertThat(unreadable).isEmpty();
    }

    @Test
    void shouldFailWhenTheTopicDoesNotExist() {
        assertThatThrownBy(() -> state.load(key -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topic " + TOPIC + " does not exist");
    }

    private void partitions(Map<TopicPartition, Long> endOffsets) {
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(TOPIC, endOffsets.keySet().stream()
                .map(tp -> new PartitionInfo(TOPIC, tp.partition(), node, new Node[]{node}, new Node[]{node})).toList());
        Map<TopicPartition, Long> beginning = new HashMap<>();
        endOffsets.keySet().forEach(tp -> beginning.put(tp, 0L));
        consumer.updateBeginningOffsets(beginning);
        consumer.updateEndOffsets(endOffsets);
    }

    private ConsumerRecord<String, byte[]> record(TopicPartition partition, long offset, String key, ResourceChange value) {
        return new ConsumerRecord<>(TOPIC, partition.partition(), offset, key,
                value == null ? null : serializer.serialize(TOPIC, value));
    }

    private static ResourceChange change(String name, String resourceVersion, ChangeType type) {
        return ResourceChange.newBuilder().setClusterId("c1").setApiVersion("v1").setKind("Pod").setNamespace("shop")
                .setName(name).setUid("u-" + name).setResourceVersion(resourceVersion).setChangeType(type)
                .setObservedAt(Instant.parse("2026-01-01T00:00:00Z")).build();
    }
}
