package dev.kubeproof.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicSpec;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes Avro records to the topics of the catalog with a durable, idempotent producer ({@code acks=all},
 * {@code enable.idempotence=true}). Values are serialized here, before sending, so that a record that cannot be
 * written fails its own future and callers see the exact bytes that go to Kafka. The futures complete when Kafka
 * has acknowledged the record: a collector that waits for them knows its input is durable.
 */
public final class RecordPublisher implements AutoCloseable {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<String, byte[]> producer;
    private final AvroSerializer<SpecificRecord> serializer;
    private final IngestMetrics metrics;
    private final String defaultSource;
    private KafkaClientMetrics clientMetrics;

    /** A publisher with its own Kafka producer and registry client. */
    public RecordPublisher(KafkaConfig config, IngestMetrics metrics) {
        this(new KafkaProducer<>(config.producerProperties()),
                new ConfluentRestSchemaRegistryClient(config.registryClientConfig()),
                metrics, config.clientIdOr("kubeproof"), autoRegister(config));
        // The producer's own metrics (record rates, errors, request latency) on the process's /metrics.
        this.clientMetrics = new KafkaClientMetrics(producer);
        this.clientMetrics.bindTo(metrics.meterRegistry());
    }

    /** For tests: a given producer (e.g. {@code MockProducer}) and registry client. */
    public RecordPublisher(Producer<String, byte[]> producer, SchemaRegistryClient registry) {
        this(producer, registry, new IngestMetrics(), "test", true);
    }

    public RecordPublisher(Producer<String, byte[]> producer, SchemaRegistryClient registry, IngestMetrics metrics,
                           String defaultSource) {
        this(producer, registry, metrics, defaultSource, true);
    }

    private RecordPublisher(Producer<String, byte[]> producer, SchemaRegistryClient registry, IngestMetrics metrics,
                            String defaultSource, boolean autoRegister) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.serializer = new AvroSerializer<>(Objects.requireNonNull(registry, "registry"), false, autoRegister);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.defaultSource = Objects.requireNonNull(defaultSource, "defaultSource");
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /** Publishes a record; the future completes when Kafka has acknowledged it. */
    public CompletableFuture<RecordMetadata> publish(TopicSpec topic, String key, SpecificRecord value) {
        return publish(topic, key, value, defaultSource);
    }

    /** Publishes a record, counting it under the given source (e.g. {@code audit-webhook}). */
    public CompletableFuture<RecordMetadata> publish(TopicSpec topic, String key, SpecificRecord value, String source) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(value, "value (use publishTombstone for deletes)");
        if (!topic.valueType().isInstance(value)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("topic " + topic.name() + " carries "
                    + topic.valueType().getSimpleName() + ", not " + value.getClass().getSimpleName()));
        }
        byte[] bytes;
        try {
            bytes = serializer.serialize(topic.name(), value);
        } catch (RuntimeException e) {
            metrics.publishFailed(topic.name(), source);
            return CompletableFuture.failedFuture(e);
        }
        return send(topic.name(), key, bytes, source);
    }

    /** Publishes a tombstone (null value), which deletes the key from a compacted topic. */
    public CompletableFuture<RecordMetadata> publishTombstone(TopicSpec topic, String key) {
        return publishTombstone(topic, key, defaultSource);
    }

    public CompletableFuture<RecordMetadata> publishTombstone(TopicSpec topic, String key, String source) {
        Objects.requireNonNull(key, "a tombstone needs a key");
        return send(topic.name(), key, null, source);
    }

    /** Sends every buffered record and waits for the answers. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        producer.close(CLOSE_TIMEOUT);
    }

    private CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value, String source) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                if (error != null) {
                    metrics.publishFailed(topic, source);
                    result.completeExceptionally(error);
                } else {
                    metrics.recordPublished(topic, source);
                    result.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            // send() throws for a closed producer or a record that fails client-side checks
            metrics.publishFailed(topic, source);
            result.completeExceptionally(e);
        }
        return result;
    }

    private static boolean autoRegister(KafkaConfig config) {
        Object value = config.registryProperties().get(AvroSerializer.AUTO_REGISTER);
        return value == null || Boolean.parseBoolean(value.toString());
    }
}
