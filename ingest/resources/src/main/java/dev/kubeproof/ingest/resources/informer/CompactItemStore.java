package dev.kubeproof.ingest.resources.informer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

/**
 * The informer cache of a metadata-only kind: it keeps apiVersion, kind and metadata (without managedFields and
 * without the last-applied-configuration annotation) and drops everything else, so that even a server that
 * ignored the metadata-only request leaves no Secret data in the collector's memory. It holds full state in the
 * informer's sense (one entry per object), so initial adds and resyncs are delivered from these reduced copies.
 */
public final class MetadataOnlyItemStore implements ItemStore<GenericKubernetesResource> {
    private final WatchedKind kind;
    private final Map<String, GenericKubernetesResource> items = new ConcurrentHashMap<>();

    public MetadataOnlyItemStore(WatchedKind kind) {
        this.kind = kind;
    }

    /** The reduced copy of an object: what a metadata-only kind may keep. */
    public static GenericKubernetesResource reduce(WatchedKind kind, GenericKubernetesResource object) {
        GenericKubernetesResource reduced = new GenericKubernetesResource();
        reduced.setApiVersion(kind.apiVersion());
        reduced.setKind(kind.kind());
        ObjectMeta metadata = object.getMetadata();
        if (metadata != null) {
            Map<String, String> annotations = null;
            if (metadata.getAnnotations() != null) {
                annotations = new LinkedHashMap<>(metadata.getAnnotations());
                annotations.remove(ResourceChangeMapper.LAST_APPLIED);
            }
            reduced.setMetadata(new ObjectMetaBuilder(metadata)
                    .withManagedFields((List<io.fabric8.kubernetes.api.model.ManagedFieldsEntry>) null)
                    .withAnnotations(annotations == null || annotations.isEmpty() ? null : annotations)
                    .build());
        }
        return reduced;
    }

    @Override
    public String getKey(GenericKubernetesResource object) {
        return Cache.metaNamespaceKeyFunc(object);
    }

    @Override
    public GenericKubernetesResource put(String key, GenericKubernetesResource object) {
        return items.put(key, reduce(kind, object));
    }

    @Override
    public GenericKubernetesResource remove(String key) {
        return items.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<GenericKubernetesResource> values() {
        return items.values().stream();
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public GenericKubernetesResource get(String key) {
        return items.get(key);
    }
}
