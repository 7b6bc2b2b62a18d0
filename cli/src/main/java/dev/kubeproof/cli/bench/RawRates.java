package dev.kubeproof.cli.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.sink.bench.RawBulk;
import dev.kubeproof.sink.bench.SyntheticEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.stack.StackEndpoints;

/**
 * The ceilings: what this machine's Kafka and Elasticsearch do with nothing but the client in between, for the
 * records and documents kubeproof moves. Measured in the same run as the pipeline, after it stopped.
 */
final class RawRates {
    /** At most this many records are replayed (enough for a steady rate, bounded memory). */
    static final int MAX_KAFKA_RECORDS = 100_000;
    /**
     * Rounds of the raw Kafka measure, of which the median counts: one round of the cold start's 40,020 records took
     * 0.4 to 1.2 s, and its rate varied threefold between runs (the first round also warms the clients up).
     */
    static final int KAFKA_ROUNDS = 3;
    /** Evidence records whose writes raw `_bulk` sends: as many as the cold start had, within these bounds. */
    static final int MIN_BULK_RECORDS = 10_000;
    static final int MAX_BULK_RECORDS = 50_000;
    /** The sink's default operations per bulk request. */
    static final int BULK_BATCH = 1_000;

    private RawRates() {
    }

    /** @param rounds every round's time in seconds, in order */
    record Kafka(int records, double meanRecordBytes, double[] rounds) {
        /** The median round's time: the figure that counts. */
        double seconds() {
            double[] sorted = rounds.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }

        double recordsPerSecond() {
            return records / seconds();
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("what", "the cold start's own resource-change records, produced (acks=all, idempotent) to a fresh "
                    + "topic of as many partitions and consumed (read_committed) at once; first send to last receipt; "
                    + "the median of " + rounds.length + " rounds, each on a fresh topic");
            map.put("records", records);
            map.put("meanRecordBytes", BenchCommand.round(meanRecordBytes, 0));
            map.put("seconds", BenchCommand.round(seconds(), 2));
            map.put("recordsPerSecond", BenchCommand.round(recordsPerSecond(), 0));
            map.put("roundsRecordsPerSecond", Arrays.stream(rounds)
                    .mapToObj(round -> BenchCommand.round(records / round, 0)).toList());
            return map;
        }
    }

    record Bulk(int documents, int batch, double seconds) {
        double documentsPerSecond() {
            return documents / seconds;
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("what", "the sink's writes of synthetic evidence records as it renders them (history document, "
                    + "violation for a FAIL, posture and its misconfiguration finding), plain _bulk requests of " + batch
                    + " into indices templated as the sink's, " + SinkConfig.DEFAULT_BULK_CONCURRENT_REQUESTS
                    + " in flight as the sink keeps them");
            map.put("documents", documents);
            map.put("seconds", BenchCommand.round(seconds(), 2));
            map.put("documentsPerSecond", BenchCommand.round(documentsPerSecond(), 0));
            return map;
        }
    }

    /** Replays the resource-change topic's records, byte for byte, through a fresh topic. */
    static Kafka kafka(StackEndpoints endpoints, String topicPrefix, PrintStream console) throws Exception {
        String source = new TopicCatalog(topicPrefix).resourceChanges().name();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        int partitions;
        long bytes = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(endpoints)) {
            List<TopicPartition> assigned = consumer.partitionsFor(source).stream()
                    .map(p -> new TopicPartition(source, p.partition())).toList();
            partitions = assigned.size();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
            while (records.size() < MAX_KAFKA_RECORDS && assigned.stream()
                    .anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (records.size() < MAX_KAFKA_RECORDS && record.value() != null) {
                        records.add(new ProducerRecord<>("", record.partition(), record.key(), record.value()));
                        bytes += record.value().length + (record.key() == null ? 0 : record.key().length);
                    }
                }
            }
        }
        int n = records.size();
        double[] seconds = new double[KAFKA_ROUNDS];
        for (int round = 0; round < KAFKA_ROUNDS; round++) {
            seconds[round] = kafkaRound(endpoints, records, partitions);
        }
        Kafka kafka = new Kafka(n, bytes / (double) Math.max(1, n), seconds);
        console.printf("  Kafka produce+consume: %,.0f records/s, the median of %d rounds (%,d records of %.0f bytes on "
                + "average)%n", kafka.recordsPerSecond(), KAFKA_ROUNDS, n, kafka.meanRecordBytes());
        return kafka;
    }

    /** One round: the records through a fresh topic, first send to last receipt, in seconds. */
    private static double kafkaRound(StackEndpoints endpoints, List<ProducerRecord<byte[], byte[]>> records,
                                     int partitions) throws Exception {
        String topic = "bench-raw-kafka-" + UUID.randomUUID().toString().substring(0, 8);
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        try (Admin client = Admin.create(admin)) {
            client.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            TopicProvisioner.awaitLeaders(client, List.of(topic)); // KAFKA-15591: no send before the leaders are known
        }
        int n = records.size();
        AtomicLong received = new AtomicLong();
        AtomicLong lastReceipt = new AtomicLong();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(endpoints)) {
                List<TopicPartition> assigned = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(assigned);
                consumer.seekToBeginning(assigned);
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (received.get() < n && System.nanoTime() < deadline) {
                    int count = consumer.poll(Duration.ofMillis(100)).count();
                    if (count > 0) {
                        received.addAndGet(count);
                        lastReceipt.set(System.nanoTime());
                    }
                }
            }
        }, "bench-raw-kafka-reader");
        reader.start();
        Thread.sleep(1000); // the reader is assigned before the first send
        Properties producerProperties = new Properties();
        producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(new ProducerRecord<>(topic, record.partition(), record.key(), record.value()));
            }
            producer.flush();
        }
        reader.join(Duration.ofMinutes(11).toMillis());
        if (received.get() < n) {
            throw new IllegalStateException("raw Kafka: only " + received.get() + " of " + n + " records came back");
        }
        return (lastReceipt.get() - start) / 1e9;
    }

    /** Plain {@code _bulk} of evidence documents as the sink renders them, as many as the cold start had (bounded). */
    static Bulk bulk(ElasticsearchConfig pipelineElasticsearch, long evidenceRecords, PrintStream console)
            throws Exception {
        int records = (int) Math.max(MIN_BULK_RECORDS, Math.min(MAX_BULK_RECORDS, evidenceRecords));
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        List<EvidenceRecord> evidence = new ArrayList<>(records);
        for (int i = 0; i < records; i++) {
            evidence.add(SyntheticEvidence.record(i, base));
        }
        String prefix = "bench-raw-bulk-" + UUID.randomUUID().toString().substring(0, 8);
        RawBulk.Indexed indexed = RawBulk.index(pipelineElasticsearch.withNames(prefix, 0), evidence, BULK_BATCH,
                SinkConfig.DEFAULT_BULK_CONCURRENT_REQUESTS, RawBulk.Writes.ALL);
        Bulk bulk = new Bulk(indexed.documents(), BULK_BATCH, indexed.took().toNanos() / 1e9);
        console.printf("  Elasticsearch _bulk: %,.0f documents/s (%,d documents of %,d evidence records, %d per request, %d in"
                + " flight)%n", bulk.documentsPerSecond(), bulk.documents(), records, BULK_BATCH,
                SinkConfig.DEFAULT_BULK_CONCURRENT_REQUESTS);
        return bulk;
    }

    /** A byte-for-byte, read_committed consumer that commits nothing (the bench's readers and copiers). */
    static KafkaConsumer<byte[], byte[]> consumer(StackEndpoints endpoints) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
