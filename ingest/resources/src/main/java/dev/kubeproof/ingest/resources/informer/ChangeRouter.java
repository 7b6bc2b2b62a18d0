package dev.kubeproof.ingest.resources.informer;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;
import dev.kubeproof.ingest.resources.state.KnownObject;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * Decides what each informer event means and hands it to the {@link ChangeEmitter}, under one lock shared with
 * the start-up delete detection so that the two can never interleave for one key.
 * <ul>
 *   <li>add: ADDED, unless the topic already holds the key (start-up list): SYNC at the same resourceVersion,
 *       MODIFIED at another;</li>
 *   <li>update: MODIFIED, or SYNC when the resourceVersion is unchanged (a resync);</li>
 *   <li>delete: DELETED + tombstone; {@code finalStateUnknown} as fabric8 reports it (a relist found the object
 *       gone, the watch never saw the delete);</li>
 *   <li>start-up: keys the topic holds that no informer has are published as DELETED ({@code finalStateUnknown})
 *       + tombstone.</li>
 * </ul>
 * Events are dropped once {@code active} turns false (the replica lost the Lease).
 */
final class ChangeRouter {
    private final ChangeEmitter emitter;
    private final BooleanSupplier active;
    private final Object lock = new Object();
    private Map<String, KnownObject> lastPublished = new HashMap<>();

    ChangeRouter(ChangeEmitter emitter, BooleanSupplier active) {
        this.emitter = Objects.requireNonNull(emitter, "emitter");
        this.active = Objects.requireNonNull(active, "active");
    }

    /** What the topic held at start-up; consulted (and consumed) by the initial adds. */
    void expect(Map<String, KnownObject> published) {
        synchronized (lock) {
            lastPublished = new HashMap<>(published);
        }
    }

    /** Forgets the start-up state (when the session ends). */
    void clear() {
        synchronized (lock) {
            lastPublished.clear();
        }
    }

    ResourceEventHandler<GenericKubernetesResource> handlerFor(WatchedKind kind) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource object) {
                added(kind, object);
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldObject, GenericKubernetesResource newObject) {
                updated(kind, oldObject, newObject);
            }

            @Override
            public void onDelete(GenericKubernetesResource object, boolean deletedFinalStateUnknown) {
                deleted(kind, object, deletedFinalStateUnknown);
            }
        };
    }

    void added(WatchedKind kind, GenericKubernetesResource object) {
        synchronized (lock) {
            if (!active.getAsBoolean()) {
                return;
            }
            KnownObject known = forget(kind, object);
            ChangeType type;
            if (known == null) {
                type = ChangeType.ADDED;
            } else if (Objects.equals(known.resourceVersion(), resourceVersion(object))) {
                type = ChangeType.SYNC;
            } else {
                type = ChangeType.MODIFIED;
            }
            emitter.change(kind, object, type);
        }
    }

    void updated(WatchedKind kind, GenericKubernetesResource oldObject, GenericKubernetesResource newObject) {
        synchronized (lock) {
            if (!active.getAsBoolean()) {
                return;
            }
            KnownObject known = forget(kind, newObject);
            // Against a start-up entry, compare with what the topic said; otherwise with the informer's old copy.
            String before = known != null ? known.resourceVersion() : resourceVersion(oldObject);
            ChangeType type = Objects.equals(before, resourceVersion(newObject)) ? ChangeType.SYNC : ChangeType.MODIFIED;
            emitter.change(kind, newObject, type);
        }
    }

    void deleted(WatchedKind kind, GenericKubernetesResource object, boolean finalStateUnknown) {
        synchronized (lock) {
            if (!active.getAsBoolean()) {
                return;
            }
            forget(kind, object);
            emitter.delete(kind, object, finalStateUnknown);
        }
    }

    /**
     * Publishes the delete of every start-up key no informer has.
     *
     * @param kindsByName the watched kinds by kind name
     * @param exists      whether the informer of a kind holds an object with a store key ({@code ns/name} or
     *                    {@code name})
     * @return how many deletes were published
     */
    int publishDeletesWhileDown(Function<String, WatchedKind> kindsByName, BiPredicate<WatchedKind, String> exists) {
        int recovered = 0;
        synchronized (lock) {
            if (!active.getAsBoolean()) {
                return 0;
            }
            for (Iterator<Map.Entry<String, KnownObject>> it = lastPublished.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, KnownObject> entry = it.next();
                KeyParts key = KeyParts.parse(entry.getKey());
                WatchedKind kind = kindsByName.apply(key.kind());
                if (kind == null) {
                    continue;
                }
                String storeKey = key.namespace() == null ? key.name() : key.namespace() + "/" + key.name();
                if (!exists.test(kind, storeKey)) {
                    it.remove();
                    emitter.recoveredDelete(entry.getKey(), entry.getValue().lastRecord().get());
                    recovered++;
                }
            }
        }
        return recovered;
    }

    private KnownObject forget(WatchedKind kind, GenericKubernetesResource object) {
        if (lastPublished.isEmpty()) {
            return null;
        }
        String key = emitter.mapper().keyOf(kind, object);
        return key == null ? null : lastPublished.remove(key);
    }

    private static String resourceVersion(GenericKubernetesResource object) {
        return object == null || object.getMetadata() == null ? null : object.getMetadata().getResourceVersion();
    }

    /** The parts of a record key {@code cluster/kind/namespace/name}. */
    record KeyParts(String cluster, String kind, String namespace, String name) {
        static KeyParts parse(String key) {
            String[] parts = key.split("/", 4);
            if (parts.length < 4) {
                return new KeyParts(key, "", null, "");
            }
            String namespace = ResourceChangeMapper.CLUSTER_SCOPED.equals(parts[2]) ? null : parts[2];
            return new KeyParts(parts[0], parts[1], namespace, parts[3]);
        }
    }
}
