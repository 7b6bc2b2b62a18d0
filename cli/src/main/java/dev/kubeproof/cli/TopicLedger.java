package dev.kubeproof.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicSpec;

/**
 * A compacted topic of records people manage with the CLI (control exceptions, attestations): read to its end for
 * the current state per key, written in one Kafka transaction so that a batch ({@code exception apply -f}) lands
 * whole or not at all.
 */
public final class TopicLedger<V extends SpecificRecord> {
    private static final Duration DEFAULT_LIMIT = Duration.ofSeconds(30);

    private final KafkaOptions kafka;
    private final SchemaRegistryClient registry;
    private final String topic;
    private final Class<V> type;

    private final Duration limit;

    public TopicLedger(KafkaOptions kafka, TopicSpec topic, Class<V> type) {
        this(kafka, topic, type, DEFAULT_LIMIT);
    }

    /** With {@code limit}: how long Kafka may take to answer before the command gives up, saying why. */
    TopicLedger(KafkaOptions kafka, TopicSpec topic, Class<V> type, Duration limit) {
        this.limit = limit;
        this.kafka = kafka;
        this.registry = kafka.registry();
        this.topic = topic.name();
        this.type = type;
    }

    private String topic() {
        return topic;
    }

    /** Every record on the topic, latest state per key, in key order (deleted ones absent). */
    public Map<String, V> current() {
        return current(true);
    }

    /** The same, or nothing when the topic does not exist (yet: installed before the topic was added). */
    public Map<String, V> currentIfExists() {
        return current(false);
    }

    private Map<String, V> current(boolean required) {
        Map<String, Object> configs = new HashMap<>();
        configs.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers);
        configs.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        configs.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, V> latest = new TreeMap<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(configs, new StringDeserializer(),
                new AvroDeserializer<>(registry, type))) {
            List<TopicPartition> partitions;
            try {
                partitions = consumer.partitionsFor(topic(), limit).stream()
                        .map(p -> new TopicPartition(topic(), p.partition())).toList();
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw unreachable();
            }
            if (partitions.isEmpty() && !required) {
                return latest;
            }
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic() + " does not exist: run `kubeproof topics create` first");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, limit);
            long deadline = System.nanoTime() + limit.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic() + " to its end within " + limit);
                }
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                }
            }
        }
        return latest;
    }

    /** Writes every record under its key in one transaction: all of them land, or none. */
    public void write(Map<String, V> records) {
        Map<String, Object> configs = new HashMap<>();
        configs.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers);
        configs.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kubeproof-cli-" + UUID.randomUUID());
        configs.put(ProducerConfig.ACKS_CONFIG, "all");
        configs.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) limit.toMillis());
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(configs, new StringSerializer(),
                new AvroSerializer<>(registry, false, true))) {
            try {
                producer.initTransactions();
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw unreachable();
            }
            producer.beginTransaction();
            try {
                List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                for (Map.Entry<String, V> record : records.entrySet()) {
                    sent.add(producer.send(new ProducerRecord<>(topic(), record.getKey(), record.getValue())));
                }
                producer.flush();
                for (java.util.concurrent.Future<?> future : sent) {
                    future.get();
                }
                producer.commitTransaction();
            } catch (Exception e) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException ignored) {
                    // the transaction is already doomed; the abort is best effort
                }
                throw new IllegalStateException("nothing written to " + topic() + ": " + rootMessage(e), e);
            }
        }
    }

    private IllegalStateException unreachable() {
        return new IllegalStateException("Kafka at " + kafka.bootstrapServers + " did not answer within " + limit.toSeconds()
                + " s: is it running? (`./kubeproof stack up` starts a local one; --bootstrap-servers names another)");
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
