package dev.kubeproof.streams.errors;

import java.time.Clock;
import java.util.Map;

import org.apache.kafka.common.Configurable;

import dev.kubeproof.contract.deadletter.DeadLetters;
import dev.kubeproof.runtime.DeadLetterSink;

/**
 * What the three dead-lettering exception handlers share: Kafka Streams configures each with the dead-letter sink
 * and clock that {@code StreamsConfigFactory} put in the Streams config, and each writes its dead letters the same
 * way, durably, before answering CONTINUE.
 */
abstract class DeadLetteringHandler implements Configurable {
    private DeadLetterSink publisher;
    private Clock clock;

    @Override
    public void configure(Map<String, ?> configs) {
        publisher = HandlerSupport.publisher(configs, getClass().getSimpleName());
        clock = HandlerSupport.clock(configs);
    }

    /** Writes one dead letter with the record's Kafka coordinates; throws when it cannot be written. */
    protected void deadLetter(String source, String errorType, String reason, String topic, int partition, long offset,
                              byte[] key, byte[] value) {
        publisher.publish(DeadLetters.fromKafka(source, errorType, reason, topic, partition, offset, key, value,
                clock.instant()));
    }
}
