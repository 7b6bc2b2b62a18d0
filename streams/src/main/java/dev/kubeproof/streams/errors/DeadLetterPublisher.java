package dev.kubeproof.streams.errors;

import dev.kubeproof.avro.DeadLetter;

/**
 * Where the exception handlers put inputs and outputs Kafka Streams could not process. Kafka Streams 4.1's
 * handlers can only say CONTINUE or FAIL, so they write the dead letter themselves, through this.
 */
public interface DeadLetterPublisher extends AutoCloseable {

    /**
     * Writes the dead letter durably before returning; throws when it cannot, so that the caller fails instead
     * of dropping the input silently.
     */
    void publish(DeadLetter letter);

    @Override
    default void close() {
    }
}
