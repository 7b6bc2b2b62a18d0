package dev.kubeproof.sink.delivery;

import java.util.List;

import dev.kubeproof.avro.DeadLetter;

/** Where records that cannot be indexed go, with the reason. */
public interface DeadLetterSink extends AutoCloseable {

    /**
     * Publishes all and waits until every one is durably written.
     *
     * @throws RuntimeException when any could not be written (the batch then waits and tries again)
     */
    void publish(List<DeadLetter> letters);

    @Override
    void close();
}
