package dev.kubeproof.sink.delivery;

import java.util.List;

import dev.kubeproof.sink.documents.IndexAction;

/** Where the sink's writes go: Elasticsearch through the {@code BulkIngester} in production, a fake in unit tests. */
public interface DocumentWriter extends AutoCloseable {

    /** Writes handed to Elasticsearch, whose answers come later. */
    @FunctionalInterface
    interface Pending {
        /**
         * Waits for every answer and classifies each one; the list is aligned with the actions sent. A transport
         * failure or a missing answer is a {@link WriteResult.Kind#RETRY} result for the actions it affected, not an
         * exception.
         */
        List<WriteResult> results();
    }

    /** Sends every action without waiting for the answers (only, when requests are at their limit, for a free one). */
    Pending send(List<IndexAction> actions);

    @Override
    void close();
}
