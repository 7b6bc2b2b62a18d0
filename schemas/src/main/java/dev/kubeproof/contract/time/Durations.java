package dev.kubeproof.contract.time;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as configuration writes them: ISO-8601 ({@code PT30S}, {@code P90D}) or short ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 90d}). */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException with the accepted forms, when {@code text} is neither form */
    public static Duration parse(String text) {
        String value = text == null ? "" : text.trim();
        Matcher matcher = SHORT.matcher(value.toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(value.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration: use 500ms, 30s, 5m, 12h, 90d or"
                    + " ISO-8601 such as PT30S", e);
        }
    }
}
