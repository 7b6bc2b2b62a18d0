package dev.kubeproof.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.controls.ControlDefinition;

/**
 * The posture at a point in time, from the latest evidence per (cluster, control, resource): what a compliance
 * officer asks first — how many checks pass and fail, per framework, and which controls fail where.
 */
record PostureSummary(Map<EvidenceStatus, Long> byStatus, Map<String, FrameworkPosture> byFramework,
                      List<FailingControl> topFailing) {

    /** Controls of one framework: how many were evaluated, and how many fail on at least one resource. */
    record FrameworkPosture(int controlsEvaluated, int controlsFailing, long failingResults) {
    }

    /** A control failing on resources. */
    record FailingControl(String controlId, String title, String severity, List<String> resources) {
    }

    static PostureSummary of(Iterable<EvidenceRecord> latest, List<ControlDefinition> catalog) {
        Map<String, ControlDefinition> controls = catalog.stream()
                .collect(Collectors.toMap(ControlDefinition::id, c -> c, (a, b) -> a, LinkedHashMap::new));
        Map<EvidenceStatus, Long> byStatus = new TreeMap<>();
        Map<String, List<String>> failingResources = new TreeMap<>();
        Set<String> evaluated = new TreeSet<>();
        for (EvidenceRecord record : latest) {
            if (record.getStatus() == EvidenceStatus.CLOSED) {
                continue;
            }
            byStatus.merge(record.getStatus(), 1L, Long::sum);
            evaluated.add(record.getControlId());
            if (record.getStatus() == EvidenceStatus.FAIL) {
                var resource = record.getResource();
                failingResources.computeIfAbsent(record.getControlId(), id -> new ArrayList<>()).add(resource.getKind()
                        + " " + (resource.getNamespace() == null ? "" : resource.getNamespace() + "/") + resource.getName());
            }
        }
        Map<String, FrameworkPosture> byFramework = new TreeMap<>();
        for (String framework : List.of("cis", "nsa", "pss", "soc2", "mitre")) {
            int evaluatedCount = 0;
            int failingCount = 0;
            long failingResults = 0;
            for (String id : evaluated) {
                ControlDefinition control = controls.get(id);
                if (control == null || control.frameworks().getOrDefault(framework, List.of()).isEmpty()) {
                    continue;
                }
                evaluatedCount++;
                List<String> failing = failingResources.getOrDefault(id, List.of());
                if (!failing.isEmpty()) {
                    failingCount++;
                    failingResults += failing.size();
                }
            }
            if (evaluatedCount > 0) {
                byFramework.put(framework, new FrameworkPosture(evaluatedCount, failingCount, failingResults));
            }
        }
        List<FailingControl> top = failingResources.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, List<String>>>comparingInt(e -> severityRank(controls.get(e.getKey())))
                        .thenComparing(e -> -e.getValue().size()).thenComparing(Map.Entry::getKey))
                .limit(10)
                .map(e -> {
                    ControlDefinition control = controls.get(e.getKey());
                    return new FailingControl(e.getKey(), control == null ? "" : control.title(),
                            control == null ? "?" : control.severity().name().toLowerCase(java.util.Locale.ROOT),
                            e.getValue().stream().sorted().toList());
                })
                .toList();
        return new PostureSummary(byStatus, byFramework, top);
    }

    private static int severityRank(ControlDefinition control) {
        return control == null ? 99 : control.severity().ordinal();
    }

    private static final Map<String, String> FRAMEWORK_NAMES = Map.of("cis", "CIS Kubernetes Benchmark",
            "nsa", "NSA/CISA Kubernetes Hardening Guide", "pss", "Pod Security Standards", "soc2", "SOC 2",
            "mitre", "MITRE ATT&CK");

    void print(PrintStream out) {
        long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
        out.println();
        out.println("== Posture: " + total + " control results on current resources");
        byStatus.forEach((status, count) -> out.printf("   %-15s %6d%n", status, count));
        out.println();
        out.println("== By framework (controls failing on at least one resource / controls evaluated)");
        byFramework.forEach((framework, posture) -> out.printf("   %-38s %3d / %-3d  (%d failing results)%n",
                FRAMEWORK_NAMES.getOrDefault(framework, framework), posture.controlsFailing(), posture.controlsEvaluated(),
                posture.failingResults()));
        out.println();
        out.println("== Top failing controls");
        for (FailingControl control : topFailing) {
            out.printf("   %-12s %-8s %-55s %d resource(s)%n", control.controlId(), control.severity(),
                    control.title().length() > 55 ? control.title().substring(0, 52) + "..." : control.title(),
                    control.resources().size());
            control.resources().stream().limit(3).forEach(resource -> out.println("        " + resource));
            if (control.resources().size() > 3) {
                out.println("        ... and " + (control.resources().size() - 3) + " more");
            }
        }
    }
}
