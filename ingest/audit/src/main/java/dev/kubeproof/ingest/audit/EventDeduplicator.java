package dev.kubeproof.ingest.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes each audit event once per collector process, remembering the last {@code capacity} de-duplication
 * keys (see {@link AuditKeys#dedupKeyOf}). The kube-apiserver resends a whole webhook batch when an answer is
 * not 2xx; events of that batch that Kafka already has are not published again. A key is remembered while its
 * send is in flight (a concurrent duplicate waits for the same send) and forgotten if the send fails, so that
 * the retry publishes it. After a restart the cache is primed with what the topic already holds
 * ({@link #remember}), so that a file batch re-read from a stale position is not published again.
 */
public final class EventDeduplicator {
    private final Map<String, CompletableFuture<RecordMetadata>> seen;

    public EventDeduplicator(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("dedupCacheSize must be at least 1, was " + capacity);
        }
        this.seen = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<RecordMetadata>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The outcome: the send's future, and whether this call was a duplicate of an earlier one. */
    public record Outcome(CompletableFuture<RecordMetadata> future, boolean duplicate) {
    }

    public Outcome publishOnce(String key, Supplier<CompletableFuture<RecordMetadata>> publish) {
        CompletableFuture<RecordMetadata> future;
        synchronized (seen) {
            CompletableFuture<RecordMetadata> earlier = seen.get(key);
            if (earlier != null && !earlier.isCompletedExceptionally()) {
                return new Outcome(earlier, true);
            }
            future = publish.get();
            seen.put(key, future);
        }
        future.whenComplete((metadata, error) -> {
            if (error != null) {
                synchronized (seen) {
                    seen.remove(key, future);
                }
            }
        });
        return new Outcome(future, false);
    }

    /** Remembers a key as published earlier (by this or a previous process). */
    public void remember(String key) {
        synchronized (seen) {
            seen.put(key, CompletableFuture.completedFuture(null));
        }
    }

    public int size() {
        synchronized (seen) {
            return seen.size();
        }
    }
}
