package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.topics.TopicCatalog;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class DeadLetterPublisherTest {
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final IngestMetrics metrics = new IngestMetrics();
    private final Clock clock = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);
    private final TopicCatalog topics = new TopicCatalog("dl.");

    @Test
    void shouldPublishTheReasonAndRawBytesKeyedBySourceAndCountThem() throws Exception {
        // Given
        DeadLetterPublisher deadLetters = new DeadLetterPublisher(new RecordPublisher(producer, registry, metrics, "x"),
                topics, clock);

        // When
        deadLetters.deadLetter("ingest.audit-file", ErrorTypes.MALFORMED_JSON, "line 3 is not JSON",
                "{oops".getBytes(StandardCharsets.UTF_8)).get();

        // Then
        ProducerRecord<String, byte[]> sent = producer.history().get(0);
        assertThat(sent.topic()).isEqualTo("dl.dead-letters");
        assertThat(sent.key()).isEqualTo("ingest.audit-file");
        DeadLetter letter = new AvroDeserializer<>(registry, DeadLetter.class).deserialize(sent.topic(), sent.value());
        assertThat(letter.getErrorType()).isEqualTo("MALFORMED_JSON");
        assertThat(letter.getReason()).isEqualTo("line 3 is not JSON");
        assertThat(StandardCharsets.UTF_8.decode(letter.getPayload()).toString()).isEqualTo("{oops");
        assertThat(letter.getOccurredAt()).isEqualTo(clock.instant());
        assertThat(metrics.deadLetterCount("ingest.audit-file", "MALFORMED_JSON")).isEqualTo(1.0);
        assertThat(metrics.scrape())
                .contains("kubeproof_dead_letters_total{error_type=\"MALFORMED_JSON\",source=\"ingest.audit-file\"} 1.0");
    }

    @Test
    void shouldTruncateLargePayloads() throws Exception {
        // Given
        DeadLetterPublisher deadLetters = new DeadLetterPublisher(new RecordPublisher(producer, registry, metrics, "x"),
                topics, clock, 10);

        // When
        deadLetters.deadLetter("s", ErrorTypes.OVERSIZED, "too big", new byte[1000]).get();

        // Then
        DeadLetter letter = new AvroDeserializer<>(registry, DeadLetter.class)
                .deserialize("dl.dead-letters", producer.history().get(0).value());
        assertThat(letter.getPayload().remaining()).isEqualTo(10);
        assertThat(letter.getPayloadSize()).isEqualTo(1000);
        assertThat(letter.getTruncated()).isTrue();
    }
}
