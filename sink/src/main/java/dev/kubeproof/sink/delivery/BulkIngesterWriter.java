package dev.kubeproof.sink.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;

import dev.kubeproof.sink.documents.IndexAction;

/**
 * Writes through elasticsearch-java's {@link BulkIngester}: it groups the operations into bulk requests by count
 * and size and keeps at most the configured number in flight; each operation carries a future as its context,
 * completed with the classified per-item result. The ingester's own retry is left off (its default): retries are
 * the sink's {@link dev.kubeproof.contract.retry.Backoff}, one place for the whole batch.
 */
public final class BulkIngesterWriter implements DocumentWriter {
    private final ElasticsearchClient client;
    private final BulkIngester<CompletableFuture<WriteResult>> ingester;
    private final Duration waitLimit;

    public BulkIngesterWriter(ElasticsearchClient client, int maxOperations, long maxBytes, int concurrentRequests,
                              Duration responseTimeout) {
        this.client = client;
        this.ingester = BulkIngester.of(b -> b.client(client).maxOperations(maxOperations).maxSize(maxBytes)
                .maxConcurrentRequests(concurrentRequests).listener(new Listener()));
        // a request that neither answers nor fails within its own timeouts is treated as failed
        this.waitLimit = responseTimeout.multipliedBy(2).plusSeconds(10);
    }

    @Override
    public Pending send(List<IndexAction> actions) {
        List<CompletableFuture<WriteResult>> futures = new ArrayList<>(actions.size());
        for (IndexAction action : actions) {
            CompletableFuture<WriteResult> future = new CompletableFuture<>();
            futures.add(future);
            ingester.add(action.toBulkOperation(), future);
        }
        ingester.flush();
        return () -> results(futures);
    }

    private List<WriteResult> results(List<CompletableFuture<WriteResult>> futures) {
        long deadline = System.nanoTime() + waitLimit.toNanos();
        List<WriteResult> results = new ArrayList<>(futures.size());
        for (CompletableFuture<WriteResult> future : futures) {
            try {
                results.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                results.add(WriteResult.retry("INTERRUPTED", "interrupted while waiting for Elasticsearch"));
            } catch (ExecutionException e) {
                results.add(FailureClassifier.classify(e.getCause()));
            } catch (TimeoutException e) {
                results.add(WriteResult.retry("TIMEOUT", "no answer from Elasticsearch within " + waitLimit));
            }
        }
        return results;
    }

    @Override
    public void close() {
        ingester.close();
    }

    private static final class Listener implements BulkListener<CompletableFuture<WriteResult>> {
        @Override
        public void beforeBulk(long executionId, BulkRequest request, List<CompletableFuture<WriteResult>> contexts) {
        }

        @Override
        public void afterBulk(long executionId, BulkRequest request, List<CompletableFuture<WriteResult>> contexts,
                              BulkResponse response) {
            for (int i = 0; i < contexts.size(); i++) {
                contexts.get(i).complete(i < response.items().size()
                        ? FailureClassifier.classify(response.items().get(i))
                        : WriteResult.retry("MISSING_ITEM", "the bulk response has no item " + i));
            }
        }

        @Override
        public void afterBulk(long executionId, BulkRequest request, List<CompletableFuture<WriteResult>> contexts,
                              Throwable failure) {
            WriteResult result = FailureClassifier.classify(failure);
            contexts.forEach(future -> future.complete(result));
        }
    }

    /** Used by the benchmark: the number of bulk requests sent so far. */
    public long requestCount() {
        return ingester.requestCount();
    }
}
