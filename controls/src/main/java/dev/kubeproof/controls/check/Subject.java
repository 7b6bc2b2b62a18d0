package dev.kubeproof.controls.check;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.k8s.PodSpec;

/**
 * What a check evaluates: the object, what else the cluster holds, and the configured thresholds.
 */
public record Subject(JsonNode object, ClusterView view, ControlSettings settings) {

    public String kind() {
        return object.path("kind").asText();
    }

    public String name() {
        return object.path("metadata").path("name").asText("");
    }

    /** The object's namespace as written, or null (cluster-scoped, or a manifest that leaves it to kubectl). */
    public String namespace() {
        JsonNode namespace = object.path("metadata").path("namespace");
        return namespace.isTextual() && !namespace.asText().isEmpty() ? namespace.asText() : null;
    }

    /** The namespace a namespaced object lands in: as written, else {@code default}, as the API server does. */
    public String namespaceOrDefault() {
        String namespace = namespace();
        return namespace == null ? "default" : namespace;
    }

    public JsonNode labels() {
        return object.path("metadata").path("labels");
    }

    public Optional<PodSpec> podSpec() {
        return PodSpec.of(object);
    }

    public boolean inSystemNamespace() {
        String namespace = kind().equals("Namespace") ? name() : namespace();
        return namespace != null && settings.systemNamespaces().contains(namespace);
    }
}
