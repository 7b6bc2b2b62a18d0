package dev.kubeproof.sink.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where a secret comes from: a file (e.g. a mounted Kubernetes Secret) or an environment variable. Never a
 * literal in configuration, so that config files and command lines can be shown and logged. The value is read
 * only when {@link #read} is called; {@link #toString()} names the source, never the value.
 */
public final class Secret {
    private final String key;
    private final Path file;
    private final String environmentVariable;

    private Secret(String key, Path file, String environmentVariable) {
        this.key = key;
        this.file = file;
        this.environmentVariable = environmentVariable;
    }

    /** A secret in a file; the file must exist when the configuration is validated. */
    public static Secret fromFile(String key, Path file) {
        Objects.requireNonNull(file, key);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(key + ": " + file + " is not a readable file");
        }
        return new Secret(key, file, null);
    }

    public static Secret fromEnvironment(String key, String variable) {
        if (variable == null || variable.isBlank()) {
            throw new IllegalArgumentException(key + " must name an environment variable");
        }
        return new Secret(key, null, variable);
    }

    /**
     * The secret's value, trailing line breaks removed (files written with {@code echo} end with one).
     *
     * @param environment the process environment (injectable for tests)
     * @throws IllegalStateException naming the source, never showing a value
     */
    public String read(UnaryOperator<String> environment) {
        String value;
        if (file != null) {
            try {
                value = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(key + ": cannot read " + file + ": " + e.getMessage(), e);
            }
        } else {
            value = environment.apply(environmentVariable);
            if (value == null) {
                throw new IllegalStateException(key + ": environment variable " + environmentVariable + " is not set");
            }
        }
        value = value.replaceAll("[\\r\\n]+$", "");
        if (value.isEmpty()) {
            throw new IllegalStateException(key + ": the secret from " + source() + " is empty");
        }
        return value;
    }

    public String read() {
        return read(System::getenv);
    }

    /** Where the secret is read from, for messages: a file path or {@code env:NAME}. */
    public String source() {
        return file != null ? file.toString() : "env:" + environmentVariable;
    }

    @Override
    public String toString() {
        return "Secret[" + source() + "]";
    }
}
