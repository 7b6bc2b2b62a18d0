package dev.kubeproof.controls.cel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.NullValue;

/**
 * Kubernetes objects as CEL values, as the API server binds them for admission policies: maps with string keys,
 * lists, {@code int} as Java long, {@code double}, {@code bool}, {@code string}; absent and null fields are absent
 * (so {@code has(object.spec.x)} is false), and a null object (no {@code oldObject} of a create) is CEL {@code null}.
 */
final class CelValues {
    private CelValues() {
    }

    static Object of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(field -> {
                if (!field.getValue().isNull()) {
                    map.put(field.getKey(), of(field.getValue()));
                }
            });
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(element -> list.add(of(element)));
            return list;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }
}
