package dev.kubeproof.controls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/** How control settings values are read and checked, one way for every settings record; messages name the key. */
public final class SettingsValues {
    private SettingsValues() {
    }

    /** An immutable copy of a list that must exist and hold no blank entry. */
    public static List<String> copy(String key, List<String> list) {
        if (list == null) {
            throw invalid(key, "must be a list (may be empty)");
        }
        for (String element : list) {
            if (element == null || element.isBlank()) {
                throw invalid(key, "must not contain blank entries");
            }
        }
        return List.copyOf(list);
    }

    /** A YAML/JSON list of strings; upper-cased when {@code upperCase}. */
    public static List<String> strings(String key, JsonNode value, boolean upperCase) {
        if (!value.isArray()) {
            throw invalid(key, "must be a list of strings");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw invalid(key, "must be a list of strings, found " + element);
            }
            list.add(upperCase ? element.asText().toUpperCase(Locale.ROOT) : element.asText());
        }
        return list;
    }

    /** A YAML/JSON integer. */
    public static int integer(String key, JsonNode value) {
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw invalid(key, "must be an integer, was " + value);
        }
        return value.intValue();
    }

    public static IllegalArgumentException invalid(String key, String problem) {
        return new IllegalArgumentException("control settings key '" + key + "' " + problem);
    }
}
