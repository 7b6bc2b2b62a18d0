package dev.kubeproof.controls.scan;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.Severity;
import dev.kubeproof.controls.Status;

/**
 * The results of an offline scan: every manifest with the results of the controls that apply to it.
 *
 * @param resources what was scanned, in reading order
 * @param controls  the catalog the scan used (renderers list rules from it)
 * @param warnings  documents skipped while reading
 */
public record ScanReport(List<ResourceResults> resources, List<ControlDefinition> controls, List<String> warnings) {

    public ScanReport {
        resources = List.copyOf(resources);
        controls = List.copyOf(controls);
        warnings = List.copyOf(warnings);
    }

    /** One manifest's results. */
    public record ResourceResults(Manifest manifest, List<ControlResult> results) {
        public ResourceResults {
            results = List.copyOf(results);
        }
    }

    /** A single result with its manifest, for renderers that list results flat. */
    public record Entry(Manifest manifest, ControlResult result) {
    }

    public Stream<Entry> entries() {
        return resources.stream().flatMap(r -> r.results().stream().map(result -> new Entry(r.manifest(), result)));
    }

    public long count(Status status) {
        return entries().filter(e -> e.result().status() == status).count();
    }

    /** The settings keys that results NEEDS_CONFIGURATION ask for, sorted. */
    public List<String> settingsToSet() {
        return entries().filter(e -> e.result().status() == Status.NEEDS_CONFIGURATION)
                .flatMap(e -> e.result().findings().stream())
                .map(f -> f.path().substring("settings.".length())).distinct().sorted().toList();
    }

    /** FAIL counts by severity of the failing control. */
    public Map<Severity, Long> failuresBySeverity() {
        Map<Severity, Long> counts = new EnumMap<>(Severity.class);
        for (Severity severity : Severity.values()) {
            counts.put(severity, 0L);
        }
        entries().filter(e -> e.result().status() == Status.FAIL)
                .forEach(e -> counts.merge(e.result().control().severity(), 1L, Long::sum));
        return counts;
    }

    /**
     * True when the scan must fail a pipeline: a FAIL of a control at or above {@code threshold}, or any ERROR
     * (a control that could not be evaluated proves nothing).
     */
    public boolean failsAt(Severity threshold) {
        return entries().anyMatch(e -> e.result().status() == Status.ERROR
                || (e.result().status() == Status.FAIL && e.result().control().severity().atLeast(threshold)));
    }
}
