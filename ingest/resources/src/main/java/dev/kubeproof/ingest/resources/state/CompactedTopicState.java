package dev.kubeproof.ingest.resources.state;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.SchemaRegistryException;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted resource-changes topic from the beginning to the end offsets taken when the read starts:
 * all partitions assigned by hand (no consumer group, nothing committed), the last value per key kept, a
 * tombstone removing its key. Values stay as bytes until needed; only the resourceVersion is decoded up front.
 * A record that cannot be decoded is reported and its key treated as unknown (the informer then republishes
 * the object as ADDED); an unreachable registry fails the read instead.
 */
public final class CompactedTopicState implements PublishedState {
    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicState.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /** Called for a record that cannot be decoded: where it was, why, and its raw value. */
    @FunctionalInterface
    public interface UnreadableRecords {
        void unreadable(String where, String reason, byte[] value);
    }

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final String topic;
    private final Deserializer<ResourceChange> deserializer;
    private final Duration timeout;
    private final UnreadableRecords unreadable;

    /**
     * @param consumers    creates the consumer to read with (closed after each read)
     * @param topic        the resource-changes topic
     * @param deserializer reads the values
     * @param timeout      how long a read may take before it fails
     * @param unreadable   told about records that cannot be decoded
     */
    public CompactedTopicState(Supplier<Consumer<String, byte[]>> consumers, String topic,
                               Deserializer<ResourceChange> deserializer, Duration timeout,
                               UnreadableRecords unreadable) {
        this.consumers = Objects.requireNonNull(consumers, "consumers");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.unreadable = Objects.requireNonNull(unreadable, "unreadable");
    }

    @Override
    public Map<String, KnownObject> load(Predicate<String> keyFilter) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Consumer<String, byte[]> consumer = consumers.get()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (create it with 'topics create')");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            Map<String, KnownObject> state = new HashMap<>();
            long records = 0;
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout
                            + " (read " + records + " records)");
                }
                ConsumerRecords<String, byte[]> batch = consumer.poll(POLL);
                for (ConsumerRecord<String, byte[]> record : batch) {
                    records++;
                    apply(record, keyFilter, state);
                }
            }
            LOG.info("read {} records of {}: {} live keys of this collector", records, topic, state.size());
            return state;
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record, Predicate<String> keyFilter,
                       Map<String, KnownObject> state) {
        String key = record.key();
        if (key == null || !keyFilter.test(key)) {
            return;
        }
        byte[] value = record.value();
        if (value == null) {
            state.remove(key);
            return;
        }
        ResourceChange change;
        try {
            change = deserializer.deserialize(record.topic(), value);
        } catch (SerializationException e) {
            if (e.getCause() instanceof SchemaRegistryException registry
                    && (registry.httpStatus() < 0 || registry.httpStatus() >= 500)) {
                // The registry is down, not the record bad: fail this read (the session retries) rather than
                // treat the whole topic as unreadable.
                throw new IllegalStateException("schema registry unavailable while reading " + record.topic() + ": "
                        + registry.getMessage(), e);
            }
            state.remove(key);
            unreadable.unreadable(record.topic() + "-" + record.partition() + "@" + record.offset(), e.getMessage(), value);
            return;
        }
        if (change.getChangeType() == ChangeType.DELETED) {
            // A DELETED record whose tombstone is missing (or not yet written): the object is gone all the same.
            state.remove(key);
            return;
        }
        String resourceVersion = change.getResourceVersion();
        String topicName = record.topic();
        state.put(key, new KnownObject(resourceVersion, () -> deserializer.deserialize(topicName, value)));
    }

    private static boolean reachedEnd(Consumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        end.entrySet().removeIf(entry -> consumer.position(entry.getKey()) >= entry.getValue());
        return end.isEmpty();
    }
}
