package dev.kubeproof.controls.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/** Small helpers for reading Kubernetes objects as Jackson trees without null checks everywhere. */
public final class Json {

    private Json() {
    }

    /** The node at a dotted path ({@code spec.template.spec}); a MissingNode when any step is absent. */
    public static JsonNode at(JsonNode node, String dottedPath) {
        JsonNode current = node == null ? MissingNode.getInstance() : node;
        for (String step : dottedPath.split("\\.")) {
            current = current.path(step);
        }
        return current;
    }

    /** Text of a field, or empty when absent, null or not a scalar. */
    public static Optional<String> text(JsonNode node, String dottedPath) {
        JsonNode value = at(node, dottedPath);
        return value.isValueNode() && !value.isNull() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** The elements of an array field (empty when absent or not an array). */
    public static List<JsonNode> elements(JsonNode node, String dottedPath) {
        JsonNode value = at(node, dottedPath);
        List<JsonNode> out = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(out::add);
        }
        return out;
    }

    /** The string elements of an array field. */
    public static List<String> strings(JsonNode node, String dottedPath) {
        List<String> out = new ArrayList<>();
        for (JsonNode element : elements(node, dottedPath)) {
            if (element.isValueNode() && !element.isNull()) {
                out.add(element.asText());
            }
        }
        return out;
    }

    /** The value as compact JSON text, or null for a missing node: how findings show offending values. */
    public static String show(JsonNode value) {
        return value == null || value.isMissingNode() ? null : value.toString();
    }

    /**
     * Joins a parent path and a field name, quoting names that contain dots or other punctuation
     * ({@code data["access.properties"]}) so the path stays unambiguous.
     */
    public static String child(String parent, String field) {
        boolean plain = field.matches("[A-Za-z0-9_-]+");
        String step = plain ? field : "[\"" + field.replace("\"", "\\\"") + "\"]";
        if (parent == null || parent.isEmpty()) {
            return step;
        }
        return plain ? parent + "." + step : parent + step;
    }
}
