package dev.kubeproof.ingest.resources;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.runtime.RecordPublisher;
import dev.kubeproof.ingest.resources.state.KnownObject;
import dev.kubeproof.ingest.resources.state.PublishedState;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka for unit tests: one {@link MockProducer} that every collector of a test writes to (so it behaves like
 * the shared topics), an in-memory registry, and a {@link PublishedState} that compacts the producer's history of
 * the resource-changes topic the way Kafka would.
 */
public final class MockTopics implements PublishedState {
    public final TopicCatalog topics = new TopicCatalog("test.");
    public final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    public final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroDeserializer<ResourceChange> changes = new AvroDeserializer<>(registry, ResourceChange.class);
    private final AvroDeserializer<DeadLetter> deadLetters = new AvroDeserializer<>(registry, DeadLetter.class);
    private final AvroDeserializer<ImageScan> imageScans = new AvroDeserializer<>(registry, ImageScan.class);
    private final RecordPublisher primer = new RecordPublisher(producer, registry, new IngestMetrics(), "primer");

    /** A record of the resource-changes topic; value null for a tombstone. */
    public record Published(String key, ResourceChange value) {
        public boolean tombstone() {
            return value == null;
        }

        public ChangeType type() {
            return value == null ? null : value.getChangeType();
        }
    }

    public RecordPublisher publisher(IngestMetrics metrics) {
        return new RecordPublisher(producer, registry, metrics, ResourceCollector.SOURCE);
    }

    /** Writes a record as an earlier collector run would have. */
    public void prime(String key, ResourceChange change) {
        primer.publish(topics.resourceChanges(), key, change).join();
    }

    public void primeTombstone(String key) {
        primer.publishTombstone(topics.resourceChanges(), key).join();
    }

    /** Every record of the resource-changes topic, in order. */
    public List<Published> resourceChanges() {
        List<Published> result = new ArrayList<>();
        for (ProducerRecord<String, byte[]> record : history(topics.resourceChanges().name())) {
            result.add(new Published(record.key(), changes.deserialize(record.topic(), record.value())));
        }
        return result;
    }

    /** The records of one key, in order. */
    public List<Published> resourceChanges(String key) {
        return resourceChanges().stream().filter(p -> p.key().equals(key)).toList();
    }

    /** The image-scans topic: key and scan, in order. */
    public List<Map.Entry<String, ImageScan>> imageScans() {
        return history(topics.imageScans().name()).stream()
                .map(record -> Map.entry(record.key(), imageScans.deserialize(record.topic(), record.value()))).toList();
    }

    public List<DeadLetter> deadLetters() {
        return history(topics.deadLetters().name()).stream()
                .map(record -> deadLetters.deserialize(record.topic(), record.value())).toList();
    }

    /** Every byte written to any topic (keys and values), for leak checks. */
    public List<byte[]> allBytes() {
        List<byte[]> bytes = new ArrayList<>();
        for (ProducerRecord<String, byte[]> record : producer.history()) {
            if (record.key() != null) {
                bytes.add(record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (record.value() != null) {
                bytes.add(record.value());
            }
        }
        return bytes;
    }

    @Override
    public Map<String, KnownObject> load(Predicate<String> keyFilter) {
        Map<String, KnownObject> state = new LinkedHashMap<>();
        for (Published published : resourceChanges()) {
            if (!keyFilter.test(published.key())) {
                continue;
            }
            if (published.tombstone() || published.type() == ChangeType.DELETED) {
                state.remove(published.key());
            } else {
                state.put(published.key(), KnownObject.of(published.value()));
            }
        }
        return state;
    }

    private List<ProducerRecord<String, byte[]>> history(String topic) {
        return producer.history().stream().filter(record -> record.topic().equals(topic)).toList();
    }
}
