package dev.kubeproof.sink.delivery;

import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import dev.kubeproof.sink.documents.IndexAction;

/** Where the sink's writes go: Elasticsearch through the {@code BulkIngester} in production, a fake in unit tests. */
public interface DocumentWriter extends AutoCloseable {

    /**
     * Writes every action and classifies each one's result; the list is aligned with {@code actions}. A
     * transport failure is a {@link WriteResult.Kind#RETRY} result for the actions it affected, not an exception.
     */
    List<WriteResult> write(List<IndexAction> actions);

    /**
     * When the given open-failure documents' keys started failing (real-time get: sees writes of earlier batches
     * without a refresh). Missing ids are absent from the answer.
     *
     * @throws IOException when Elasticsearch cannot be asked (the batch then waits and tries again)
     */
    Map<String, Instant> failingSince(String index, Collection<String> ids) throws IOException;

    @Override
    void close();
}
