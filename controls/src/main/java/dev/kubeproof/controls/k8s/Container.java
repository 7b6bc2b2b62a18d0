package dev.kubeproof.controls.k8s;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One container of a pod spec and its path in the object.
 *
 * @param node the container
 * @param name its name
 * @param path its dotted path, e.g. {@code spec.template.spec.containers[1]}
 * @param pod  the pod spec it belongs to, for pod-level security-context defaults
 */
public record Container(JsonNode node, String name, String path, PodSpec pod) {

    /** A field path below the container. */
    public String field(String relative) {
        return path + "." + relative;
    }

    /** The container's image reference as written. */
    public String image() {
        return node.path("image").asText("");
    }

    /** The container's security context (may be missing). */
    public JsonNode securityContext() {
        return node.path("securityContext");
    }

    /**
     * A security-context field that may be set on the pod and overridden on the container (runAsNonRoot, runAsUser,
     * seccompProfile): the container's value when present, else the pod's, else a missing node.
     */
    public Effective effective(String field) {
        JsonNode own = securityContext().path(field);
        if (!own.isMissingNode() && !own.isNull()) {
            return new Effective(own, field("securityContext." + field));
        }
        JsonNode inherited = pod.securityContext().path(field);
        if (!inherited.isMissingNode() && !inherited.isNull()) {
            return new Effective(inherited, pod.field("securityContext." + field));
        }
        return new Effective(own, field("securityContext." + field));
    }

    /**
     * A resolved security-context value and the path it came from (the container's path when unset, since that is
     * where a fix belongs).
     */
    public record Effective(JsonNode value, String path) {
        public boolean isSet() {
            return !value.isMissingNode() && !value.isNull();
        }
    }
}
