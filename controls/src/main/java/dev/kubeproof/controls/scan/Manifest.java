package dev.kubeproof.controls.scan;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Kubernetes object read from a manifest, and where it was read, so reports can point at the file and line.
 *
 * @param object the object
 * @param source the file as given on the command line (or {@code <stdin>})
 * @param line   the 1-based line where its YAML document (or the List holding it) starts
 */
public record Manifest(JsonNode object, String source, int line) {

    public String kind() {
        return object.path("kind").asText();
    }

    public String name() {
        return object.path("metadata").path("name").asText("");
    }

    public String namespace() {
        return object.path("metadata").path("namespace").asText(null);
    }

    /** {@code Kind namespace/name} (or {@code Kind name} when cluster-scoped), as reports show a resource. */
    public String displayName() {
        String namespace = namespace();
        return kind() + " " + (namespace == null ? "" : namespace + "/") + name();
    }
}
