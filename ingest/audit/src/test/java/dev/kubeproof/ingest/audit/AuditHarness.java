package dev.kubeproof.ingest.audit;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.DeadLetter;
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

/** The real audit path (parser, redactor, ingestor, publisher, serializer) over a MockProducer. */
final class AuditHarness {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneOffset.UTC);

    final MockProducer<String, byte[]> producer;
    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final IngestMetrics metrics = new IngestMetrics();
    final TopicCatalog topics = new TopicCatalog("test.");
    final RecordPublisher publisher;
    final DeadLetterPublisher deadLetters;
    final AuditRedactor redactor;
    final AuditIngestor ingestor;
    final ObjectMapper mapper = AuditJson.mapper();

    AuditHarness() {
        this(true, RedactionConfig.none());
    }

    AuditHarness(boolean autoComplete, RedactionConfig redaction) {
        this(new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer()), redaction);
    }

    AuditHarness(MockProducer<String, byte[]> producer, RedactionConfig redaction) {
        this.producer = producer;
        publisher = new RecordPublisher(producer, registry, metrics, "test");
        deadLetters = new DeadLetterPublisher(publisher, topics, CLOCK);
        redactor = new AuditRedactor(redaction, mapper);
        ingestor = new AuditIngestor(new AuditEventParser("c1", redactor, mapper), redactor, publisher, deadLetters, topics,
                new EventDeduplicator(10_000), mapper, 1024 * 1024);
    }

    List<ProducerRecord<String, byte[]>> sent(String topic) {
        return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    List<ProducerRecord<String, byte[]>> auditRecords() {
        return sent(topics.auditEvents().name());
    }

    List<AuditEvent> auditEvents() {
        AvroDeserializer<AuditEvent> deserializer = new AvroDeserializer<>(registry, AuditEvent.class);
        return auditRecords().stream().map(r -> deserializer.deserialize(r.topic(), r.value())).toList();
    }

    List<DeadLetter> deadLetters() {
        AvroDeserializer<DeadLetter> deserializer = new AvroDeserializer<>(registry, DeadLetter.class);
        return sent(topics.deadLetters().name()).stream().map(r -> deserializer.deserialize(r.topic(), r.value())).toList();
    }

    static String payloadOf(DeadLetter letter) {
        return StandardCharsets.UTF_8.decode(letter.getPayload().duplicate()).toString();
    }
}
