package dev.kubeproof.streams.errors;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.streams.EvidenceMetrics;

/**
 * Writes dead letters to the dead-letter topic with an idempotent producer of its own, waiting for the
 * broker's acknowledgement. It is outside the Streams transaction: a task that is retried after a crash can
 * dead-letter the same input twice (at least once), never zero times.
 */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<String, DeadLetter> producer;
    private final String topic;
    private final EvidenceMetrics metrics;

    public KafkaDeadLetterPublisher(String bootstrapServers, SchemaRegistryClient registry, String topic,
                                    String clientId, EvidenceMetrics metrics) {
        Map<String, Object> configs = new HashMap<>();
        configs.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        configs.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        configs.put(ProducerConfig.ACKS_CONFIG, "all");
        configs.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        configs.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        configs.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        configs.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        Serializer<DeadLetter> values = new AvroSerializer<>(registry, false, true);
        this.producer = new KafkaProducer<>(configs, new StringSerializer(), values);
        this.topic = topic;
        this.metrics = metrics;
    }

    @Override
    public void publish(DeadLetter letter) {
        try {
            producer.send(new ProducerRecord<>(topic, letter.getSource(), letter))
                    .get(SEND_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            metrics.deadLetter(letter.getSource(), letter.getErrorType());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a dead letter to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write a dead letter (" + letter.getErrorType() + ": "
                    + letter.getReason() + ") to " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
