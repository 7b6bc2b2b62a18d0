package dev.kubeproof.controls.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The pod spec of a workload object together with where it lives in that object, so findings can name the exact
 * field ({@code spec.template.spec.containers[1].securityContext.privileged}).
 *
 * @param node     the pod spec
 * @param path     its dotted path in the object: {@code spec}, {@code spec.template.spec} or
 *                 {@code spec.jobTemplate.spec.template.spec}
 * @param metadata the pod's metadata (the template's for controllers); labels of the pods that will run
 */
public record PodSpec(JsonNode node, String path, JsonNode metadata) {

    /** Workload kinds that carry a pod spec, and where. */
    private static final Map<String, String> SPEC_PATHS = Map.of(
            "Pod", "spec",
            "Deployment", "spec.template.spec",
            "StatefulSet", "spec.template.spec",
            "DaemonSet", "spec.template.spec",
            "ReplicaSet", "spec.template.spec",
            "Job", "spec.template.spec",
            "CronJob", "spec.jobTemplate.spec.template.spec");

    /** The workload kinds, in a stable order, for catalog validation and documentation. */
    public static final List<String> WORKLOAD_KINDS =
            List.of("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob");

    /** The object's pod spec; empty for kinds without one or when the object has no spec. */
    public static Optional<PodSpec> of(JsonNode object) {
        String kind = object.path("kind").asText();
        String path = SPEC_PATHS.get(kind);
        if (path == null) {
            return Optional.empty();
        }
        JsonNode spec = Json.at(object, path);
        if (!spec.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new PodSpec(spec, path, Json.at(object, metadataPath(path))));
    }

    /** Every container: regular, init and ephemeral ones, since each runs code in the pod. */
    public List<Container> containers() {
        List<Container> out = new ArrayList<>();
        for (String list : List.of("containers", "initContainers", "ephemeralContainers")) {
            JsonNode array = node.path(list);
            for (int i = 0; i < array.size(); i++) {
                JsonNode container = array.get(i);
                out.add(new Container(container, container.path("name").asText("#" + i),
                        path + "." + list + "[" + i + "]", this));
            }
        }
        return out;
    }

    /** The pod-level security context (may be missing). */
    public JsonNode securityContext() {
        return node.path("securityContext");
    }

    /** A field path below the pod spec. */
    public String field(String relative) {
        return path + "." + relative;
    }

    /** Where the pod's metadata is in the object: {@code metadata}, or the template's beside this spec. */
    public String metadataPath() {
        return metadataPath(path);
    }

    private static String metadataPath(String specPath) {
        return specPath.equals("spec") ? "metadata" : specPath.substring(0, specPath.length() - ".spec".length()) + ".metadata";
    }

    /** The labels the pods will carry. */
    public JsonNode labels() {
        return metadata.path("labels");
    }
}
