package dev.kubeproof.siem;

import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes fields only when they have a value, so that documents carry no nulls and no empty objects. */
public final class JsonFields {
    private JsonFields() {
    }

    public static void put(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }

    public static void put(ObjectNode node, String field, Long value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    public static void putStrings(ObjectNode node, String field, Collection<String> values) {
        if (values != null && !values.isEmpty()) {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }

    public static void putMap(ObjectNode node, String field, Map<String, String> values) {
        if (values != null && !values.isEmpty()) {
            ObjectNode object = node.putObject(field);
            values.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> object.put(e.getKey(), e.getValue()));
        }
    }

    /** Sets {@code child} under {@code field} unless it stayed empty. */
    public static void putIfNotEmpty(ObjectNode node, String field, ObjectNode child) {
        if (!child.isEmpty()) {
            node.set(field, child);
        }
    }
}
