package dev.kubeproof.controls.view;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.contract.image.ImageReference;

/**
 * A {@link ClusterView} over objects and scans held in memory: the offline scan's view of the manifests it read,
 * and a convenient view for tests. Immutable once built.
 */
public final class InMemoryClusterView implements ClusterView {

    private final Map<String, List<JsonNode>> byKind;
    private final Map<String, ImageScan> scans;
    private final boolean hasImageScans;

    private InMemoryClusterView(Builder builder) {
        Map<String, List<JsonNode>> copy = new HashMap<>();
        builder.byKind.forEach((kind, list) -> copy.put(kind, List.copyOf(list)));
        this.byKind = Map.copyOf(copy);
        this.scans = Map.copyOf(builder.scans);
        this.hasImageScans = builder.hasImageScans;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A view of these objects, without scan data. */
    public static InMemoryClusterView of(List<JsonNode> objects) {
        Builder builder = builder();
        objects.forEach(builder::add);
        return builder.build();
    }

    /**
     * {@inheritDoc} An object without {@code metadata.namespace} counts as being in {@code default}, where the API
     * server would put a namespaced object.
     */
    @Override
    public List<JsonNode> objects(String kind, String namespace) {
        List<JsonNode> all = byKind.getOrDefault(kind, List.of());
        if (namespace == null) {
            return all;
        }
        return all.stream().filter(o -> namespace.equals(o.path("metadata").path("namespace").asText("default"))).toList();
    }

    @Override
    public Optional<ImageScan> imageScan(String image) {
        ImageReference reference = ImageReference.parse(image);
        if (reference.hasDigest() && scans.containsKey(digestKey(reference.digest()))) {
            return Optional.of(scans.get(digestKey(reference.digest())));
        }
        return Optional.ofNullable(scans.get(tagKey(reference)));
    }

    @Override
    public boolean hasImageScans() {
        return hasImageScans;
    }

    private static String digestKey(String digest) {
        return "digest " + digest;
    }

    /** name:tag with Docker's defaults, so nginx, nginx:latest and docker.io/library/nginx:latest meet. */
    private static String tagKey(ImageReference reference) {
        return "tag " + reference.name() + ":" + (reference.tag() == null ? "latest" : reference.tag());
    }

    /** Collects objects and scans. */
    public static final class Builder {
        private final Map<String, List<JsonNode>> byKind = new HashMap<>();
        private final Map<String, ImageScan> scans = new HashMap<>();
        private boolean hasImageScans;

        private Builder() {
        }

        public Builder add(JsonNode object) {
            byKind.computeIfAbsent(object.path("kind").asText(), k -> new ArrayList<>()).add(object);
            return this;
        }

        /** Adds a scan, found by its image reference (tag form) and by its digest when it has one. */
        public Builder addImageScan(ImageScan scan) {
            hasImageScans = true;
            ImageReference reference = ImageReference.parse(scan.getImageRef());
            scans.put(tagKey(reference), scan);
            if (reference.hasDigest()) {
                scans.put(digestKey(reference.digest()), scan);
            }
            if (scan.getDigest() != null && !scan.getDigest().isBlank()) {
                scans.put(digestKey(scan.getDigest()), scan);
            }
            return this;
        }

        /** Declares that scan data is available even if no scan was added (every image is then "not scanned"). */
        public Builder imageScansAvailable(boolean available) {
            hasImageScans = available;
            return this;
        }

        public InMemoryClusterView build() {
            return new InMemoryClusterView(this);
        }
    }
}
