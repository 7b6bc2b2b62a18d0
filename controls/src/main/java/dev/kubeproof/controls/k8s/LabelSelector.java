package dev.kubeproof.controls.k8s;

import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/** Kubernetes label-selector matching (matchLabels and matchExpressions), as NetworkPolicy podSelectors use it. */
public final class LabelSelector {

    private LabelSelector() {
    }

    /** True when the selector is empty ({@code {}} or absent): it selects everything. */
    public static boolean isEmpty(JsonNode selector) {
        return selector.path("matchLabels").size() == 0 && selector.path("matchExpressions").size() == 0;
    }

    /** True when {@code labels} satisfy the selector. */
    public static boolean matches(JsonNode selector, JsonNode labels) {
        var fields = selector.path("matchLabels").fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            if (!entry.getValue().asText().equals(labels.path(entry.getKey()).asText(null))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean present = labels.has(key);
            String value = labels.path(key).asText(null);
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> present && values.contains(value);
                case "NotIn" -> !present || !values.contains(value);
                case "Exists" -> present;
                case "DoesNotExist" -> !present;
                default -> false; // an unknown operator selects nothing, as the API server would reject it
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
