package dev.kubeproof.ingest.resources.informer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import dev.kubeproof.ingest.resources.kinds.WatchedKind;
import dev.kubeproof.ingest.resources.state.KnownObject;
import dev.kubeproof.ingest.resources.state.PublishedState;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leadership term of the collector: shared informers on the watched kinds, publishing through a
 * {@link ChangeEmitter} while {@code active} says this replica leads.
 * <p>
 * Start-up, in order: (1) optional kinds (CRDs) are checked by API discovery and skipped when absent; (2) the
 * compacted topic is read to its end ({@link PublishedState}); (3) the informers list and watch; an initial
 * object the topic already holds at the same resourceVersion is published as SYNC, at another resourceVersion as
 * MODIFIED, an unknown one as ADDED; (4) once every informer has synced, each key the topic holds but no informer
 * has is published as DELETED ({@code finalStateUnknown}) plus a tombstone. Event handlers and step (4) share one
 * lock, so a delete found at start-up can never overtake a concurrent re-creation of the same object.
 * <p>
 * Later resyncs (informer resync period) are published as SYNC: a periodic proof that each object was still seen.
 */
public final class InformerSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InformerSession.class);

    private final KubernetesClient client;
    private final List<WatchedKind> configuredKinds;
    private final long resyncMillis;
    private final int listPageSize;
    private final ChangeEmitter emitter;
    private final PublishedState publishedState;
    private final BooleanSupplier leading;
    private final ChangeRouter router;
    private final Map<WatchedKind, SharedIndexInformer<GenericKubernetesResource>> informers = new LinkedHashMap<>();
    private final Map<WatchedKind, CompactItemStore> stores = new ConcurrentHashMap<>();
    private volatile List<WatchedKind> watchedKinds = List.of();
    private volatile boolean synced;
    private volatile boolean closed;

    /**
     * @param client         the Kubernetes client (with {@link MetadataOnlyRequests} installed)
     * @param kinds          the configured kinds
     * @param resyncPeriod   informer resync period; zero disables resyncs
     * @param listPageSize   objects per list request; 0: one request per kind
     * @param emitter        publishes the changes
     * @param publishedState what the topic holds
     * @param leading        whether this replica still leads; events are dropped once it does not
     */
    public InformerSession(KubernetesClient client, List<WatchedKind> kinds, Duration resyncPeriod, int listPageSize,
                           ChangeEmitter emitter, PublishedState publishedState, BooleanSupplier leading) {
        this.client = Objects.requireNonNull(client, "client");
        this.configuredKinds = List.copyOf(kinds);
        this.resyncMillis = resyncPeriod.toMillis();
        this.listPageSize = listPageSize;
        this.emitter = Objects.requireNonNull(emitter, "emitter");
        this.publishedState = Objects.requireNonNull(publishedState, "publishedState");
        this.leading = Objects.requireNonNull(leading, "leading");
        this.router = new ChangeRouter(emitter, this::isActive);
    }

    /**
     * Runs start-up steps (1) to (4); returns once start-up deletes are published.
     *
     * @throws IllegalStateException when the topic cannot be read or an informer cannot list its kind in time
     */
    public void start(Duration syncTimeout) throws InterruptedException {
        List<WatchedKind> kinds = discover(configuredKinds);
        watchedKinds = kinds;
        String prefix = emitter.mapper().clusterId() + "/";
        Set<String> kindNames = kinds.stream().map(WatchedKind::kind).collect(Collectors.toSet());
        Map<String, KnownObject> loaded = publishedState.load(key -> key.startsWith(prefix)
                && kindNames.contains(ChangeRouter.KeyParts.parse(key).kind()));
        router.expect(loaded);
        if (!isActive()) {
            return;
        }
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (WatchedKind kind : kinds) {
            // In pages (API chunking), a kind of 100,000 objects is never one response held whole on the heap.
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(kind.context())
                    .inAnyNamespace().withLimit(listPageSize > 0 ? (long) listPageSize : null)
                    .runnableInformer(resyncMillis);
            CompactItemStore store = new CompactItemStore(kind, client.getKubernetesSerialization());
            informer.itemStore(store);
            informer.exceptionHandler(InformerSession::retryAfter);
            stores.put(kind, store);
            informer.addEventHandler(router.handlerFor(kind));
            synchronized (informers) {
                if (closed) {
                    return;
                }
                informers.put(kind, informer);
            }
            starts.add(informer.start().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
                    .get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an informer could not list its kind: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("informers did not sync within " + syncTimeout, e);
        }
        Map<String, WatchedKind> byName = new HashMap<>();
        kinds.forEach(kind -> byName.put(kind.kind(), kind));
        int recovered = router.publishDeletesWhileDown(byName::get,
                (kind, storeKey) -> stores.get(kind).contains(storeKey));
        synced = true;
        LOG.info("informers synced on {} kinds; {} objects deleted while down published as deletes", kinds.size(),
                recovered);
    }

    /**
     * Whether an informer tries again (fabric8 lists again with its exponential backoff) rather than stop. Before its
     * first list succeeds, fabric8 would stop on any failure, and the whole session would start over: every kind listed
     * again, and a large cluster's objects held twice while the old caches are collected (at 100,000 pods that ran the
     * default heap out of memory after one list timed out). So a passing failure (a timeout, an I/O error, 429 or a 5xx:
     * an API server busy with large lists) is retried by the kind's informer alone, within the session's sync timeout;
     * a refusal (401, 403, 404, a bad request) is not. Once started, fabric8's default: retry, except a watch error.
     */
    static boolean retryAfter(boolean started, Throwable failure) {
        if (started) {
            return !(failure instanceof WatcherException);
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException || cause instanceof IOException) {
                return true;
            }
            if (cause instanceof KubernetesClientException api && (api.getCode() == 429 || api.getCode() >= 500)) {
                return true;
            }
        }
        LOG.warn("an informer cannot list its kind: {}", failure.toString());
        return false;
    }

    /** True once every informer has listed its kind and start-up deletes are published. */
    public boolean synced() {
        return synced && !closed;
    }

    /** The kinds actually watched (configured kinds minus absent CRDs), known after {@link #start}. */
    public List<WatchedKind> watchedKinds() {
        return watchedKinds;
    }

    @Override
    public void close() {
        List<SharedIndexInformer<GenericKubernetesResource>> running;
        synchronized (informers) {
            closed = true;
            running = new ArrayList<>(informers.values());
        }
        running.forEach(SharedIndexInformer::stop);
        router.clear();
        // the caches go with this session, not with whatever still refers to it while the next one lists
        stores.clear();
    }

    private boolean isActive() {
        return !closed && leading.getAsBoolean();
    }

    private List<WatchedKind> discover(List<WatchedKind> kinds) {
        List<WatchedKind> present = new ArrayList<>();
        for (WatchedKind kind : kinds) {
            if (!kind.optional() || served(kind)) {
                present.add(kind);
            } else {
                LOG.info("{} is not served by this cluster (CRD not installed): not watched", kind);
            }
        }
        return present;
    }

    private boolean served(WatchedKind kind) {
        try {
            APIResourceList resources = client.getApiResources(kind.apiVersion());
            return resources != null && resources.getResources() != null
                    && resources.getResources().stream().anyMatch(r -> kind.plural().equals(r.getName()));
        } catch (KubernetesClientException e) {
            LOG.warn("API discovery of {} failed ({}): not watched", kind.apiVersion(), e.getMessage());
            return false;
        }
    }
}
