package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.topics.TopicCatalog;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RecordPublisherTest {
    private final TopicCatalog topics = new TopicCatalog("t.");
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final IngestMetrics metrics = new IngestMetrics();

    private static DeadLetter letter(String reason) {
        return DeadLetter.newBuilder().setSource("s").setErrorType("E").setReason(reason)
                .setOccurredAt(Instant.parse("2024-01-01T00:00:00Z")).setPayload(ByteBuffer.wrap(new byte[] {1}))
                .setPayloadSize(1).build();
    }

    @Test
    void shouldSendConfluentWireFormatBytesAndCompleteOnAcknowledgement() throws Exception {
        // Given
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        RecordPublisher publisher = new RecordPublisher(producer, registry, metrics, "unit");

        // When
        CompletableFuture<RecordMetadata> future = publisher.publish(topics.deadLetters(), "k", letter("why"));

        // Then: not complete until Kafka answers
        assertThat(future).isNotDone();
        producer.completeNext();
        assertThat(future.get().topic()).isEqualTo("t.dead-letters");
        ProducerRecord<String, byte[]> sent = producer.history().get(0);
        assertThat(sent.key()).isEqualTo("k");
        assertThat(sent.value()[0]).isZero();
        DeadLetter read = new AvroDeserializer<>(registry, DeadLetter.class).deserialize(sent.topic(), sent.value());
        assertThat(read.getReason()).isEqualTo("why");
        assertThat(metrics.publishedCount("t.dead-letters", "unit")).isEqualTo(1.0);
    }

    @Test
    void shouldFailTheFutureWhenKafkaRefusesTheRecord() {
        // Given
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        RecordPublisher publisher = new RecordPublisher(producer, registry, metrics, "unit");

        // When
        CompletableFuture<RecordMetadata> future = publisher.publish(topics.deadLetters(), "k", letter("x"));
        producer.errorNext(new IllegalStateException("broker down"));

        // Then
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).hasMessageContaining("broker down");
        assertThat(metrics.publishedCount("t.dead-letters", "unit")).isZero();
        assertThat(metrics.scrape()).contains("kubeproof_ingest_publish_failures_total");
    }

    @Test
    void shouldRefuseARecordOfTheWrongTypeForTheTopic() {
        // Given
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        RecordPublisher publisher = new RecordPublisher(producer, registry);

        // When
        CompletableFuture<RecordMetadata> future = publisher.publish(topics.auditEvents(), "k", letter("x"));

        // Then
        assertThatThrownBy(future::get).hasMessageContaining("carries AuditEvent");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldPublishTombstonesWithANullValue() throws Exception {
        // Given
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        RecordPublisher publisher = new RecordPublisher(producer, registry);

        // When
        publisher.publishTombstone(topics.imageScans(), "sha256:abc").get();

        // Then
        assertThat(producer.history()).singleElement().satisfies(record -> {
            assertThat(record.topic()).isEqualTo("t.image-scans");
            assertThat(record.key()).isEqualTo("sha256:abc");
            assertThat(record.value()).isNull();
        });
    }

    @Test
    void shouldFailTheFutureInsteadOfThrowingWhenTheProducerIsClosed() {
        // Given
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        RecordPublisher publisher = new RecordPublisher(producer, registry);
        publisher.close();

        // When
        CompletableFuture<RecordMetadata> future = publisher.publish(topics.deadLetters(), "k", letter("x"));

        // Then
        assertThat(future).isCompletedExceptionally();
    }
}
