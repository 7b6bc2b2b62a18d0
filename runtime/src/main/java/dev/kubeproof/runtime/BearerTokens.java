package dev.kubeproof.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * The bearer tokens a collector's HTTP endpoint accepts, read from a file (one token per line, blank lines and
 * {@code #} comments ignored) so that tokens live in a mounted Secret, not in the config. Several lines allow
 * rotation. Comparison is constant-time; tokens are never logged or printed.
 */
public final class BearerTokens {
    private static final int MIN_LENGTH = 16;
    private final List<byte[]> tokens;

    private BearerTokens(List<byte[]> tokens) {
        this.tokens = tokens;
    }

    public static BearerTokens fromFile(Path file, String key) {
        Objects.requireNonNull(file, key);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + " " + file + " cannot be read: " + e.getMessage(), e);
        }
        List<String> values = lines.stream().map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        if (values.isEmpty()) {
            throw new IllegalArgumentException(key + " " + file + " holds no token");
        }
        return of(values, key);
    }

    public static BearerTokens of(List<String> values, String key) {
        for (String value : values) {
            if (value.length() < MIN_LENGTH || value.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(key + ": every token must be at least " + MIN_LENGTH
                        + " characters without spaces");
            }
        }
        return new BearerTokens(values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** Whether an {@code Authorization} header value carries an accepted bearer token. */
    public boolean acceptsHeader(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return accepts(authorization.substring(7).trim());
    }

    public boolean accepts(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] candidate : tokens) {
            // check every token so that timing does not tell which one (or how much of one) matched
            match |= MessageDigest.isEqual(given, candidate);
        }
        return match;
    }

    @Override
    public String toString() {
        return "BearerTokens[" + tokens.size() + " token(s)]";
    }
}
