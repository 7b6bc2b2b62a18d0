package dev.kubeproof.ingest.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.runtime.KafkaConfig;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the last {@code perPartition} records of every partition of the audit-events topic with a plain consumer
 * ({@code assign} and {@code seek}, no consumer group, nothing committed). Records that are not readable audit
 * events are skipped with a warning: they were written by someone else, and are not ours to dead-letter.
 */
public final class KafkaRecentAuditEvents implements RecentAuditEvents {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaRecentAuditEvents.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConfig kafka;
    private final String topic;
    private final int perPartition;

    public KafkaRecentAuditEvents(KafkaConfig kafka, String topic, int perPartition) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.topic = Objects.requireNonNull(topic, "topic");
        if (perPartition < 1) {
            throw new IllegalArgumentException("perPartition must be at least 1, was " + perPartition);
        }
        this.perPartition = perPartition;
    }

    @Override
    public List<AuditEvent> read() {
        AvroDeserializer<AuditEvent> deserializer = new AvroDeserializer<>(new ConfluentRestSchemaRegistryClient(
                kafka.registryClientConfig()), AuditEvent.class);
        List<AuditEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, TIMEOUT));
            consumer.assign(partitions);
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, Math.max(begin.get(partition), end.get(partition) - perPartition));
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the last records of " + topic + " in " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    decode(deserializer, record, events);
                }
            }
        }
        return events;
    }

    private static void decode(AvroDeserializer<AuditEvent> deserializer, ConsumerRecord<byte[], byte[]> record,
                               List<AuditEvent> events) {
        if (record.value() == null) {
            return;
        }
        try {
            events.add(deserializer.deserialize(record.topic(), record.value()));
        } catch (RuntimeException e) {
            LOG.warn("skipping record {}-{}@{}: not a readable audit event ({})", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    /** The publisher's connection settings (security, SASL) for a consumer that joins no group. */
    private Map<String, Object> consumerProperties() {
        Map<String, Object> properties = kafka.clientProperties();
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, kafka.clientIdOr("kubeproof-audit") + "-recent-events");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return properties;
    }

    @Override
    public String toString() {
        return "KafkaRecentAuditEvents[" + topic + ", last " + perPartition + " per partition]";
    }
}
