package dev.kubeproof.ingest.scans;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Trivy and Trivy Operator files of the shared fixtures (see SOURCES.md there). Fails loudly when missing. */
final class ScanFixtures {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ScanFixtures() {
    }

    static Path dir(String name) {
        String root = System.getProperty("kubeproof.fixtures");
        if (root == null) {
            throw new IllegalStateException("system property kubeproof.fixtures is not set (the parent pom sets it)");
        }
        Path dir = Path.of(root, name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixture folder " + dir + " is missing");
        }
        return dir;
    }

    static List<Path> files(String folder, String suffix, int atLeast) {
        try (Stream<Path> files = Files.list(dir(folder))) {
            List<Path> found = files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
            if (found.size() < atLeast) {
                throw new IllegalStateException("expected at least " + atLeast + " " + suffix + " files in " + dir(folder));
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> trivyGoldens() {
        return files("trivy", ".golden", 4);
    }

    static List<Path> operatorReports() {
        return files("trivy-operator", ".json", 2);
    }

    static Path trivy(String name) {
        return dir("trivy").resolve(name);
    }

    static Path operator(String name) {
        return dir("trivy-operator").resolve(name);
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
