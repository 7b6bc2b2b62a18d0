package dev.kubeproof.runtime;

import java.util.List;

import dev.kubeproof.avro.DeadLetter;

/**
 * Where every stage puts what it cannot process: the dead-letter topic, in the one {@link DeadLetter} shape. The
 * stages that must not lose an input (Kafka Streams' exception handlers, the sink before it commits) wait for the
 * write; {@link DeadLetterPublisher} is the one implementation, tests record.
 */
public interface DeadLetterSink extends AutoCloseable {

    /**
     * Writes all durably before returning.
     *
     * @throws IllegalStateException when any could not be written (the caller fails or retries, never drops)
     */
    void publish(List<DeadLetter> letters);

    default void publish(DeadLetter letter) {
        publish(List.of(letter));
    }

    @Override
    default void close() {
    }
}
