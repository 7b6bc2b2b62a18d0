package dev.kubeproof.streams.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.DeserializationHandlerResponse;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.ProcessingHandlerResponse;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.registry.IncompatibleSchemaException;
import dev.kubeproof.contract.registry.SchemaRegistryException;
import dev.kubeproof.runtime.DeadLetterSink;
import dev.kubeproof.streams.config.StreamsConfigFactory;
import dev.kubeproof.streams.support.RecordingDeadLetters;

/** When the handlers dead-letter (the record's fault) and when they fail or retry (the servers' fault). */
class DeadLetteringHandlersTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
    private final Map<String, Object> configs = Map.of(StreamsConfigFactory.DEAD_LETTER_PUBLISHER, deadLetters,
            StreamsConfigFactory.CLOCK, Clock.fixed(NOW, ZoneOffset.UTC));
    private final ErrorHandlerContext context = new ErrorHandlerContext() {
        @Override
        public String topic() {
            return "kubeproof.resource-changes";
        }

        @Override
        public int partition() {
            return 3;
        }

        @Override
        public long offset() {
            return 42;
        }

        @Override
        public Headers headers() {
            return new RecordHeaders();
        }

        @Override
        public String processorNodeId() {
            return "evaluate";
        }

        @Override
        public TaskId taskId() {
            return new TaskId(2, 3);
        }

        @Override
        public long timestamp() {
            return NOW.toEpochMilli();
        }

        @Override
        public byte[] sourceRawKey() {
            return "c/Pod/ns/p".getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] sourceRawValue() {
            return new byte[] {0, 0, 0, 0, 1, 2};
        }
    };

    private static ConsumerRecord<byte[], byte[]> consumed() {
        return new ConsumerRecord<>("kubeproof.image-scans", 1, 7L, "k".getBytes(StandardCharsets.UTF_8),
                new byte[] {9, 9});
    }

    @Test
    void shouldDeadLetterAnUnknownSchemaIdButFailWhenTheRegistryIsDown() {
        // Given
        DeadLetteringDeserializationHandler handler = new DeadLetteringDeserializationHandler();
        handler.configure(configs);

        // When the record names a schema id the registry does not know
        DeserializationHandlerResponse unknown = handler.handle(context, consumed(), new SerializationException(
                "cannot resolve writer schema id 99", new SchemaRegistryException("schema 99 not found", 404, 40403)));
        // and when the registry cannot be reached
        DeserializationHandlerResponse down = handler.handle(context, consumed(), new SerializationException(
                "cannot resolve writer schema id 5", new SchemaRegistryException("connection refused", new RuntimeException())));

        // Then
        assertThat(unknown).isEqualTo(DeserializationHandlerResponse.CONTINUE);
        assertThat(down).isEqualTo(DeserializationHandlerResponse.FAIL);
        assertThat(deadLetters.letters()).singleElement().satisfies(letter -> {
            assertThat(letter.getSource()).isEqualTo(DeadLetteringDeserializationHandler.SOURCE);
            assertThat(letter.getTopic()).isEqualTo("kubeproof.image-scans");
            assertThat(letter.getPartition()).isEqualTo(1);
            assertThat(letter.getOffset()).isEqualTo(7L);
            assertThat(letter.getReason()).contains("schema 99 not found");
            assertThat(letter.getOccurredAt()).isEqualTo(NOW);
        });
    }

    @Test
    void shouldFailRatherThanDropWhenTheDeadLetterCannotBeWritten() {
        // Given
        DeadLetteringDeserializationHandler handler = new DeadLetteringDeserializationHandler();
        handler.configure(Map.of(StreamsConfigFactory.DEAD_LETTER_PUBLISHER, (DeadLetterSink) letter -> {
            throw new IllegalStateException("dead-letter topic unavailable");
        }));

        // When
        DeserializationHandlerResponse response = handler.handle(context, consumed(),
                new SerializationException("not Confluent wire format"));

        // Then
        assertThat(response).isEqualTo(DeserializationHandlerResponse.FAIL);
    }

    @Test
    void shouldDeadLetterAnOversizedOutputAndRetryATransientError() {
        // Given
        DeadLetteringProductionHandler handler = new DeadLetteringProductionHandler();
        handler.configure(configs);
        ProducerRecord<byte[], byte[]> output = new ProducerRecord<>("kubeproof.evidence", "key".getBytes(StandardCharsets.UTF_8),
                new byte[] {1, 2, 3});

        // When
        ProductionExceptionHandlerResponse tooLarge = handler.handle(context, output,
                new RecordTooLargeException("the record is 2000000 bytes"));
        ProductionExceptionHandlerResponse transientError = handler.handle(context, output,
                new NotEnoughReplicasException("not enough replicas"));

        // Then
        assertThat(tooLarge).isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
        assertThat(transientError).isEqualTo(ProductionExceptionHandlerResponse.RETRY);
        assertThat(deadLetters.letters()).singleElement().satisfies(letter -> {
            assertThat(letter.getSource()).isEqualTo(DeadLetteringProductionHandler.SOURCE);
            assertThat(letter.getErrorType()).isEqualTo("PRODUCTION");
            assertThat(letter.getReason()).contains("kubeproof.evidence").contains("2000000 bytes");
            assertThat(letter.getPayloadSize()).isEqualTo(3L);
        });
    }

    @Test
    void shouldFailASerializationThatTheRegistryRefusedInsteadOfDeadLetteringTheRecord() {
        // Given
        DeadLetteringProductionHandler handler = new DeadLetteringProductionHandler();
        handler.configure(configs);
        ProducerRecord<Object, Object> output = new ProducerRecord<>("kubeproof.evidence", "key", "value");

        // When
        ProductionExceptionHandlerResponse refused = handler.handleSerializationException(context, output,
                new SerializationException("cannot get a schema id", new IncompatibleSchemaException("409", 409)),
                SerializationExceptionOrigin.VALUE);
        ProductionExceptionHandlerResponse broken = handler.handleSerializationException(context, output,
                new SerializationException("cannot write: null in a non-null field"), SerializationExceptionOrigin.VALUE);

        // Then
        assertThat(refused).isEqualTo(ProductionExceptionHandlerResponse.FAIL);
        assertThat(broken).isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
        assertThat(deadLetters.letters()).extracting(DeadLetter::getErrorType).containsExactly("SERIALIZATION");
    }

    @Test
    void shouldDeadLetterTheRawSourceOfAFailedProcessingButFailOnInfrastructure() {
        // Given
        DeadLetteringProcessingHandler handler = new DeadLetteringProcessingHandler();
        handler.configure(configs);
        Record<String, String> record = new Record<>("k", "v", NOW.toEpochMilli());

        // When
        ProcessingHandlerResponse bug = handler.handle(context, record, new IllegalStateException("unexpected"));
        ProcessingHandlerResponse registry = handler.handle(context, record,
                new SerializationException("changelog", new SchemaRegistryException("HTTP 503", 503, -1)));

        // Then
        assertThat(bug).isEqualTo(ProcessingHandlerResponse.CONTINUE);
        assertThat(registry).isEqualTo(ProcessingHandlerResponse.FAIL);
        assertThat(deadLetters.letters()).singleElement().satisfies(letter -> {
            assertThat(letter.getSource()).isEqualTo(DeadLetteringProcessingHandler.SOURCE);
            assertThat(letter.getReason()).contains("in processor evaluate").contains("unexpected");
            assertThat(StandardCharsets.UTF_8.decode(letter.getKey()).toString()).isEqualTo("c/Pod/ns/p");
            assertThat(letter.getPayloadSize()).isEqualTo(6L);
        });
    }
}
