package dev.kubeproof.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Where a secret comes from, in every service's configuration: a file (e.g. a mounted Kubernetes Secret),
 * {@code {file: /etc/kubeproof/elasticsearch/password}}, or an environment variable, {@code {env: ES_PASSWORD}}.
 * Never a literal in configuration, so that config files and command lines can be shown and logged. The value is
 * read only when {@link #read} is called; {@link #toString()} names the source, never the value.
 *
 * @param file a file holding the secret (trailing line breaks are dropped); must exist when configured
 * @param env  the name of an environment variable holding the secret
 */
public record Secret(
        @JsonPropertyDescription("File holding the secret (e.g. a mounted Kubernetes Secret).")
        Path file,
        @JsonPropertyDescription("Name of the environment variable holding the secret.")
        String env) {

    public Secret {
        if ((file == null) == (env == null || env.isBlank())) {
            throw new IllegalArgumentException("a secret needs exactly one of 'file' or 'env'");
        }
        if (file != null && (!Files.isRegularFile(file) || !Files.isReadable(file))) {
            throw new IllegalArgumentException("secret file " + file + " is not a readable file");
        }
        env = file != null ? null : env;
    }

    /** A secret in a file; the file must exist when the configuration is validated. */
    public static Secret fromFile(String key, Path file) {
        try {
            return new Secret(file, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    public static Secret fromEnvironment(String key, String variable) {
        if (variable == null || variable.isBlank()) {
            throw new IllegalArgumentException(key + " must name an environment variable");
        }
        return new Secret(null, variable);
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
                throw new IllegalStateException("cannot read the secret file " + file + ": " + e.getMessage(), e);
            }
        } else {
            value = environment.apply(env);
            if (value == null) {
                throw new IllegalStateException("the secret's environment variable " + env + " is not set");
            }
        }
        value = value.replaceAll("[\\r\\n]+$", "");
        if (value.isEmpty()) {
            throw new IllegalStateException("the secret from " + source() + " is empty");
        }
        return value;
    }

    public String read() {
        return read(System::getenv);
    }

    /** Where the secret is read from, for messages: a file path or {@code env:NAME}. */
    public String source() {
        return file != null ? file.toString() : "env:" + env;
    }

    @Override
    public String toString() {
        return "Secret[" + source() + "]";
    }
}
