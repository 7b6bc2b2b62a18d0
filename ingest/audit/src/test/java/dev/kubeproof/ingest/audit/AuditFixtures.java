package dev.kubeproof.ingest.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Falco audit traces of the shared fixtures (see SOURCES.md there). Fails loudly when they are missing. */
final class AuditFixtures {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditFixtures() {
    }

    static Path falcoDir() {
        String root = System.getProperty("kubeproof.fixtures");
        if (root == null) {
            throw new IllegalStateException("system property kubeproof.fixtures is not set (the parent pom sets it)");
        }
        Path dir = Path.of(root, "k8s-audit", "falco-traces");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixture folder " + dir + " is missing");
        }
        return dir;
    }

    /** Every trace file, sorted by name. */
    static List<Path> falcoTraces() {
        try (Stream<Path> files = Files.list(falcoDir())) {
            List<Path> traces = files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
            if (traces.size() < 14) {
                throw new IllegalStateException("expected the 14 Falco trace files in " + falcoDir() + ", found " + traces.size());
            }
            return traces;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A managed-cloud sample, e.g. {@code aks/eventhub-records-kube-audit.json}. */
    static Path managed(String name) {
        Path file = falcoDir().getParent().resolve("managed").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("fixture " + file + " is missing");
        }
        return file;
    }

    static Path trace(String name) {
        Path file = falcoDir().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("fixture " + file + " is missing");
        }
        return file;
    }

    /** The non-blank lines (events) of a trace file. */
    static List<String> events(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank()).toList();
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

    /** The base64 value of the Secret in create_secret.json, read from the fixture (not copied into the test). */
    static String secretValue() {
        JsonNode event = json(events(trace("create_secret.json")).get(0));
        String value = event.path("requestObject").path("data").path("access-key").asText();
        if (value.length() < 20) {
            throw new IllegalStateException("create_secret.json no longer holds the access-key value");
        }
        return value;
    }

    /** An EventList (webhook body) of the given events. */
    static byte[] eventList(List<String> events) {
        return ("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":["
                + String.join(",", events) + "]}").getBytes(StandardCharsets.UTF_8);
    }
}
