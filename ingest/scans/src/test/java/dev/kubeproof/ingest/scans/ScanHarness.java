package dev.kubeproof.ingest.scans;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.runtime.RecordPublisher;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The real scan path (parsers, ingestor, publisher, serializer) over a MockProducer. */
final class ScanHarness {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneOffset.UTC);

    final MockProducer<String, byte[]> producer;
    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final IngestMetrics metrics = new IngestMetrics();
    final TopicCatalog topics = new TopicCatalog("test.");
    final RecordPublisher publisher;
    final DeadLetterPublisher deadLetters;
    final ScanIngestor ingestor;

    ScanHarness() {
        this(true, "c1", ScanEndpointConfig.DEFAULT_MAX_BODY_BYTES);
    }

    ScanHarness(boolean autoComplete, String clusterId, int maxReportBytes) {
        producer = new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer());
        publisher = new RecordPublisher(producer, registry, metrics, "test");
        deadLetters = new DeadLetterPublisher(publisher, topics, CLOCK);
        ingestor = new ScanIngestor(new TrivyReportParser(CLOCK), clusterId, publisher, deadLetters, topics, ScanJson.mapper(),
                maxReportBytes);
    }

    List<ProducerRecord<String, byte[]>> scanRecords() {
        return producer.history().stream().filter(r -> r.topic().equals(topics.imageScans().name())).toList();
    }

    List<ImageScan> scans() {
        AvroDeserializer<ImageScan> deserializer = new AvroDeserializer<>(registry, ImageScan.class);
        return scanRecords().stream().map(r -> deserializer.deserialize(r.topic(), r.value())).toList();
    }

    List<dev.kubeproof.avro.ScannerFinding> findings() {
        AvroDeserializer<dev.kubeproof.avro.ScannerFinding> deserializer = new AvroDeserializer<>(registry,
                dev.kubeproof.avro.ScannerFinding.class);
        return producer.history().stream().filter(r -> r.topic().equals(topics.scannerFindings().name()))
                .map(r -> deserializer.deserialize(r.topic(), r.value())).toList();
    }

    List<DeadLetter> deadLetters() {
        AvroDeserializer<DeadLetter> deserializer = new AvroDeserializer<>(registry, DeadLetter.class);
        return producer.history().stream().filter(r -> r.topic().equals(topics.deadLetters().name()))
                .map(r -> deserializer.deserialize(r.topic(), r.value())).toList();
    }
}
