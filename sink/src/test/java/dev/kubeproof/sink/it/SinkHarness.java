package dev.kubeproof.sink.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicSpec;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.runtime.Secret;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.testkit.RealServers;

/**
 * One isolated installation on the shared real servers: its own topics (one partition each, so that a test's
 * records arrive in one batch), its own indices, the superuser's password in a 0600 file (the sink reads secrets
 * from files), producers for every input, and sinks run on threads.
 */
final class SinkHarness implements AutoCloseable {
    final RealServers servers;
    final String name;
    final TopicCatalog topics;
    final ElasticsearchConfig elasticsearch;
    final IndexNames names;
    final ElasticsearchClient client;
    final SchemaRegistryClient registry;
    private final KafkaProducer<String, EvidenceRecord> evidenceProducer;
    private final KafkaProducer<String, AuditEvent> auditProducer;
    private final KafkaProducer<String, dev.kubeproof.avro.ScannerFinding> findingProducer;
    private final List<Running> sinks = new ArrayList<>();

    record Running(SinkService service, Thread thread) {
    }

    SinkHarness(RealServers servers, Path tempDir) {
        this.servers = servers;
        this.name = servers.uniqueName("sink");
        this.topics = new TopicCatalog(name + ".");
        servers.createTopics(1, topics.all().stream().map(TopicSpec::name).toArray(String[]::new));
        this.elasticsearch = ElasticsearchConfig.of(URI.create(servers.elasticsearchUrl()))
                .withNames(name, 0)
                .withBasicAuth(credentials().username(), passwordFile(tempDir));
        this.names = IndexNames.of(elasticsearch);
        this.client = ElasticsearchClients.create(elasticsearch);
        this.registry = new ConfluentRestSchemaRegistryClient(RegistryClientConfig.of(servers.schemaRegistryUrl()));
        Map<String, Object> producer = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        this.evidenceProducer = new KafkaProducer<>(producer, new StringSerializer(), new AvroSerializer<>(registry, false, true));
        this.auditProducer = new KafkaProducer<>(producer, new StringSerializer(), new AvroSerializer<>(registry, false, true));
        this.findingProducer = new KafkaProducer<>(producer, new StringSerializer(), new AvroSerializer<>(registry, false, true));
    }

    StackEndpoints.Credentials credentials() {
        return servers.endpoints().elasticsearchCredentials().orElseThrow(
                () -> new IllegalStateException("the testkit's Elasticsearch runs with security: it must give credentials"));
    }

    private Secret passwordFile(Path dir) {
        try {
            Path file = Files.writeString(dir.resolve(name + ".password"), credentials().password() + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return Secret.fromFile("elasticsearch.password-file", file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    SinkConfig config(String group) {
        return config(group, elasticsearch);
    }

    /** The sink's configuration with another way to Elasticsearch (a proxy) but the same indices. */
    SinkConfig config(String group, ElasticsearchConfig es) {
        return SinkConfig.of(servers.kafkaBootstrapServers(), servers.schemaRegistryUrl(), topics, es)
                .withGroupId(name + "-" + group);
    }

    SinkService start(SinkConfig config) {
        SinkService service = SinkService.create(config, ControlCatalog.empty(), new SimpleMeterRegistry());
        Thread thread = new Thread(service, "sink-" + config.groupId());
        thread.start();
        sinks.add(new Running(service, thread));
        try {
            if (!service.awaitConsuming(Duration.ofSeconds(60))) {
                throw new IllegalStateException("the sink did not start consuming within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return service;
    }

    void stop(SinkService service) throws InterruptedException {
        for (Running running : sinks) {
            if (running.service() == service) {
                service.close();
                running.thread().join(30_000);
            }
        }
    }

    void evidence(String topic, EvidenceRecord... records) {
        for (EvidenceRecord record : records) {
            evidenceProducer.send(new ProducerRecord<>(topic, TestEvidence.key(record), record));
        }
        evidenceProducer.flush();
    }

    void tombstone(String topic, String key) {
        evidenceProducer.send(new ProducerRecord<>(topic, key, null));
        evidenceProducer.flush();
    }

    /** Publishes scanner findings as the scan collector does: keyed by finding id; null value: the key's tombstone. */
    void scannerFinding(String key, dev.kubeproof.avro.ScannerFinding finding) {
        findingProducer.send(new ProducerRecord<>(topics.scannerFindings().name(), key, finding));
        findingProducer.flush();
    }

    void audit(AuditEvent... events) {
        for (AuditEvent event : events) {
            auditProducer.send(new ProducerRecord<>(topics.auditEvents().name(), event.getAuditId(), event));
        }
        auditProducer.flush();
    }

    /** Creates {@code index} with the given JSON body (settings, mappings) before the sink does. */
    void createIndex(String index, String body) throws IOException {
        client.indices().create(c -> c.index(index).withJson(new java.io.StringReader(body)));
    }

    long count(String index) throws IOException {
        return count(index, Query.of(q -> q.matchAll(m -> m)));
    }

    long count(String index, Query query) throws IOException {
        client.indices().refresh(r -> r.index(index).ignoreUnavailable(true).allowNoIndices(true));
        return client.count(c -> c.index(index).query(query).ignoreUnavailable(true).allowNoIndices(true)).count();
    }

    static Query term(String field, String value) {
        return Query.of(q -> q.term(t -> t.field(field).value(value)));
    }

    /** The group's committed offsets, summed over partitions. */
    long committed(String group) throws Exception {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(name + "-" + group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return offsets.values().stream().filter(java.util.Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    /** Every dead letter on the topic so far. */
    List<DeadLetter> deadLetters() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new AvroDeserializer<>(registry, DeadLetter.class))) {
            TopicPartition partition = new TopicPartition(topics.deadLetters().name(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, DeadLetter> record : consumer.poll(Duration.ofMillis(500))) {
                    letters.add(record.value());
                }
            }
        }
        return letters;
    }

    @Override
    public void close() {
        for (Running running : sinks) {
            running.service().close();
            try {
                running.thread().join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        evidenceProducer.close();
        auditProducer.close();
        findingProducer.close();
        try {
            client.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
