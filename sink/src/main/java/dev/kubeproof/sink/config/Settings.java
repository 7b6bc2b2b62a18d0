package dev.kubeproof.sink.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed access to flat {@code key=value} configuration. Every key read is remembered, so that
 * {@link #rejectUnknown()} can name every key nobody asked for (a typo must not be silently ignored).
 */
final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Map<String, String> values;
    private final Set<String> read = new HashSet<>();
    private final List<String> passThroughPrefixes = new ArrayList<>();

    Settings(Map<String, String> values) {
        this.values = new HashMap<>(values);
    }

    void allowPrefix(String prefix) {
        passThroughPrefixes.add(prefix);
    }

    String string(String key, String defaultValue) {
        read.add(key);
        String value = values.get(key);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    String required(String key) {
        String value = string(key, null);
        if (value == null) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    int integer(String key, int defaultValue, int min, int max) {
        String value = string(key, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + value + "'", e);
        }
    }

    long longValue(String key, long defaultValue, long min) {
        String value = string(key, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < min) {
                throw new IllegalArgumentException(key + " must be at least " + min + ", was " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + value + "'", e);
        }
    }

    /** A duration like {@code 500ms}, {@code 30s}, {@code 5m}, {@code 90d}; null when absent and no default. */
    Duration duration(String key, Duration defaultValue) {
        String value = string(key, null);
        if (value == null) {
            return defaultValue;
        }
        Matcher matcher = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException(key + " must be a duration like 500ms, 30s, 5m, 12h or 90d, was '" + value + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    List<String> list(String key, List<String> defaultValue) {
        String value = string(key, null);
        if (value == null) {
            return defaultValue;
        }
        return List.of(value.split("\\s*,\\s*"));
    }

    Path path(String key) {
        String value = string(key, null);
        return value == null ? null : Path.of(value);
    }

    /** Values of keys under {@code prefix}, the prefix removed (e.g. Kafka client properties). */
    Map<String, String> withPrefix(String prefix) {
        Map<String, String> result = new HashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                result.put(key.substring(prefix.length()), value);
            }
        });
        return result;
    }

    void rejectUnknown() {
        Set<String> unknown = new TreeSet<>();
        for (String key : values.keySet()) {
            if (!read.contains(key) && passThroughPrefixes.stream().noneMatch(key::startsWith)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration key" + (unknown.size() > 1 ? "s " : " ") + unknown);
        }
    }
}
