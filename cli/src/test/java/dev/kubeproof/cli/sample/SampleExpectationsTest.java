package dev.kubeproof.cli.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.contract.image.ImageScanReader;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Status;
import dev.kubeproof.controls.view.InMemoryClusterView;
import dev.kubeproof.demo.Expectation;
import dev.kubeproof.demo.SampleCluster;

/**
 * The sample's documented expectations (demo/README.md, expectations.json) are what the control engine concludes:
 * every object of the sample, judged with the sample's control settings over a view of the whole sample and its
 * Trivy reports, fails exactly the controls listed for it, and nothing is ERROR.
 */
class SampleExpectationsTest {

    @Test
    void shouldFailExactlyTheControlsTheSampleDocumentsForEachObject(@TempDir Path tmp) throws IOException {
        // Given the sample, its Trivy reports read as the scan collector reads them, and the sample organisation's
        // settings (its registries and owner label; the rest are the defaults)
        SampleCluster sample = SampleCluster.load();
        InMemoryClusterView.Builder view = InMemoryClusterView.builder().imageScansAvailable(true);
        sample.objects().forEach(view::add);
        ImageScanReader reader = ImageScanReader.installed().orElseThrow();
        for (Path report : sample.writeTrivyReports(tmp)) {
            for (ImageScan scan : reader.read(report)) {
                view.addImageScan(scan);
            }
        }
        InMemoryClusterView cluster = view.build();
        ControlEngine engine = ControlEngine.load(ControlSettings.read(sample.writeControlSettings(tmp)));

        // When every object is judged
        Map<String, TreeSet<String>> failing = new TreeMap<>();
        Map<String, TreeSet<String>> errors = new TreeMap<>();
        for (JsonNode object : sample.objects()) {
            String key = key(object.path("kind").asText(), object.path("metadata").path("namespace").asText(null),
                    object.path("metadata").path("name").asText());
            for (ControlResult result : engine.evaluate(object, cluster)) {
                if (result.status() == Status.FAIL) {
                    failing.computeIfAbsent(key, k -> new TreeSet<>()).add(result.control().id());
                } else if (result.status() == Status.ERROR) {
                    errors.computeIfAbsent(key, k -> new TreeSet<>()).add(result.control().id() + ": " + result.message());
                }
            }
        }

        // Then each object fails exactly what the sample documents, and nothing errs
        Map<String, TreeSet<String>> expected = new TreeMap<>();
        for (Expectation e : sample.expectations()) {
            if (!e.failingControls().isEmpty()) {
                expected.put(key(e.kind(), e.namespace(), e.name()), new TreeSet<>(e.failingControls()));
            }
        }
        assertThat(errors).isEmpty();
        assertThat(failing).as(diff(expected, failing)).isEqualTo(expected);
    }

    private static String key(String kind, String namespace, String name) {
        return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
    }

    /** Which object gained or lost which control, to say what changed. */
    private static String diff(Map<String, TreeSet<String>> expected, Map<String, TreeSet<String>> actual) {
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        return keys.stream().map(k -> {
            TreeSet<String> gained = new TreeSet<>(actual.getOrDefault(k, new TreeSet<>()));
            gained.removeAll(expected.getOrDefault(k, new TreeSet<>()));
            TreeSet<String> lost = new TreeSet<>(expected.getOrDefault(k, new TreeSet<>()));
            lost.removeAll(actual.getOrDefault(k, new TreeSet<>()));
            return gained.isEmpty() && lost.isEmpty() ? null : k + " +" + gained + " -" + lost;
        }).filter(java.util.Objects::nonNull).collect(Collectors.joining("\n", "differences:\n", "\n"));
    }
}
