package dev.kubeproof.streams.evaluation;

import dev.kubeproof.avro.ResourceChange;

/**
 * Keys of the evaluation's state stores. Components are joined with '/' from the most to the least general,
 * so that a prefix scan finds a kind in a namespace ({@code cluster/kind/namespace/}) or in every namespace
 * ({@code cluster/kind/}). Cluster-scoped objects have an empty namespace component.
 */
public final class StoreKeys {
    /** Scope of image scans that apply to every cluster. */
    public static final String ANY_CLUSTER = "*";

    private StoreKeys() {
    }

    public static String inventory(String clusterId, String kind, String namespace, String name) {
        return clusterId + "/" + kind + "/" + nullToEmpty(namespace) + "/" + name;
    }

    public static String inventory(ResourceChange change) {
        return inventory(change.getClusterId(), change.getKind(), change.getNamespace(), change.getName());
    }

    /** Prefix of every object of a kind in a namespace; {@code namespace == null} for every namespace. */
    public static String inventoryPrefix(String clusterId, String kind, String namespace) {
        return clusterId + "/" + kind + "/" + (namespace == null ? "" : namespace + "/");
    }

    /** Image index entry: image key, then the inventory key of an object running it. */
    public static String imageIndex(String imageKey, String inventoryKey) {
        return imageKey + "|" + inventoryKey;
    }

    public static String imageIndexPrefix(String imageKey) {
        return imageKey + "|";
    }

    /** Scan store key: the scan's cluster (or {@value #ANY_CLUSTER}) and an image key. */
    public static String scan(String scope, String imageKey) {
        return scope + "|" + imageKey;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
