package dev.kubeproof.sink.delivery;

import java.util.List;

import dev.kubeproof.sink.documents.IndexAction;

/** Where the sink's writes go: Elasticsearch through the {@code BulkIngester} in production, a fake in unit tests. */
public interface DocumentWriter extends AutoCloseable {

    /**
     * Writes every action and classifies each one's result; the list is aligned with {@code actions}. A
     * transport failure is a {@link WriteResult.Kind#RETRY} result for the actions it affected, not an exception.
     */
    List<WriteResult> write(List<IndexAction> actions);

    @Override
    void close();
}
