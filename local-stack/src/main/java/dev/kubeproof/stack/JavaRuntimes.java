package dev.kubeproof.stack;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds an installed JDK of at least a given feature version. Elasticsearch 9 needs 21+, while the
 * project itself builds and runs on 17, so the JDK for Elasticsearch is discovered, never hard-coded.
 */
public final class JavaRuntimes {
    private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"?(\\d+)");

    /** A JDK home and its feature version. */
    public record Jdk(Path home, int featureVersion) {
        public Path javaExecutable() {
            return home.resolve("bin").resolve("java");
        }
    }

    private JavaRuntimes() {
    }

    /**
     * Looks, in order, at {@code $KUBEPROOF_ES_JAVA_HOME}, {@code $ES_JAVA_HOME}, {@code $JAVA_HOME}, the
     * running JVM, then the usual JDK folders of Linux and macOS and SDKMAN, and returns the newest JDK
     * whose version is at least {@code minimum}.
     */
    public static Jdk findAtLeast(int minimum) {
        List<Path> explicit = new ArrayList<>();
        for (String variable : List.of("KUBEPROOF_ES_JAVA_HOME", "ES_JAVA_HOME", "JAVA_HOME")) {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
                explicit.add(Path.of(value));
            }
        }
        explicit.add(Path.of(System.getProperty("java.home")));
        for (Path home : explicit) {
            Optional<Jdk> jdk = inspect(home);
            if (jdk.isPresent() && jdk.get().featureVersion() >= minimum) {
                return jdk.get();
            }
        }
        List<Jdk> candidates = new ArrayList<>();
        List<Path> roots = List.of(Path.of("/usr/lib/jvm"), Path.of("/usr/java"), Path.of("/opt/java"), Path.of("/opt"),
                Path.of("/Library/Java/JavaVirtualMachines"),
                Path.of(System.getProperty("user.home"), ".sdkman", "candidates", "java"));
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
                for (Path child : children) {
                    inspect(child).or(() -> inspect(child.resolve("Contents/Home"))).ifPresent(candidates::add);
                }
            } catch (IOException e) {
                // an unreadable folder is simply not a candidate
            }
        }
        return candidates.stream()
                .filter(jdk -> jdk.featureVersion() >= minimum)
                .max(Comparator.comparingInt(Jdk::featureVersion))
                .orElseThrow(() -> new StackException("no JDK " + minimum + " or newer found (Elasticsearch needs one). "
                        + "Install one (e.g. a Temurin " + minimum + "+ package) or point KUBEPROOF_ES_JAVA_HOME at it."));
    }

    /** Reads a JDK home's {@code release} file; empty when the folder is no JDK. */
    static Optional<Jdk> inspect(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin/java"))) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(release)) {
                Matcher matcher = JAVA_VERSION.matcher(line);
                if (matcher.find()) {
                    int major = Integer.parseInt(matcher.group(1));
                    if (major == 1) { // 1.8 style
                        major = 8;
                    }
                    return Optional.of(new Jdk(home.toRealPath(), major));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
