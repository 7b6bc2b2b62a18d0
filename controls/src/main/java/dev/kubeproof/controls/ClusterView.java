package dev.kubeproof.controls;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.ImageScan;

/**
 * What a control may look up beyond the object it evaluates: other objects of the cluster (a namespace's
 * NetworkPolicies, ResourceQuotas, ...) and the latest image scans. Streams backs it with state stores; the
 * offline scan with the manifests it read.
 */
public interface ClusterView {

    /** Objects of a kind (e.g. {@code NetworkPolicy}) in a namespace; {@code namespace == null} means every namespace. */
    List<JsonNode> objects(String kind, String namespace);

    /**
     * The Namespace object of that name; empty when unknown. By default found among {@code objects("Namespace",
     * null)}; a view backed by a store looks it up by key, so that a control reading its object's namespace does
     * not cost a pass over every namespace of the cluster.
     */
    default Optional<JsonNode> namespace(String name) {
        return objects("Namespace", null).stream()
                .filter(candidate -> name.equals(candidate.path("metadata").path("name").asText()))
                .findFirst();
    }

    /** The latest scan of an image, by the reference a container uses (tag or digest form); empty when never scanned. */
    Optional<ImageScan> imageScan(String image);

    /**
     * False when this view carries no scan data at all (an offline scan of manifests without scan reports), so
     * scan-based controls report NOT_APPLICABLE instead of failing every image as "never scanned". A live view
     * backed by the scan topic keeps the default, true: there, a missing scan is a finding.
     */
    default boolean hasImageScans() {
        return true;
    }

    /** A view with nothing in it. */
    static ClusterView empty() {
        return new ClusterView() {
            @Override
            public List<JsonNode> objects(String kind, String namespace) {
                return List.of();
            }

            @Override
            public Optional<ImageScan> imageScan(String image) {
                return Optional.empty();
            }
        };
    }
}
