package dev.kubeproof.sink.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroSerializer;

/** The dead-letter topic, written with acks=all and idempotence; keyed by the source component (per the catalog). */
public final class KafkaDeadLetterSink implements DeadLetterSink {
    public static final String SOURCE = "sink.elasticsearch";
    private final KafkaProducer<String, DeadLetter> producer;
    private final String topic;
    private final Duration timeout;

    public KafkaDeadLetterSink(String bootstrapServers, Map<String, String> clientProperties, SchemaRegistryClient registry,
                               String topic, Duration timeout) {
        Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "kubeproof-sink-dead-letters");
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (timeout.toMillis() / 2));
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        this.producer = new KafkaProducer<>(properties, new StringSerializer(), new AvroSerializer<>(registry, false, true));
        this.topic = topic;
        this.timeout = timeout;
    }

    @Override
    public void publish(List<DeadLetter> letters) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (DeadLetter letter : letters) {
            sent.add(producer.send(new ProducerRecord<>(topic, SOURCE, letter)));
        }
        producer.flush();
        for (Future<RecordMetadata> future : sent) {
            try {
                future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing dead letters", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot write to the dead-letter topic " + topic + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
