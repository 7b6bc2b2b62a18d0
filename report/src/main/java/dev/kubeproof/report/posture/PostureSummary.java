package dev.kubeproof.report.posture;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.catalog.Catalog;

/**
 * The posture at a point in time, from the current result of every (cluster, control, resource): what a compliance
 * officer asks first — how many checks pass and fail, per framework, and which controls fail where. It is built
 * from one aggregate per control ({@link ControlPosture}), never from the results themselves, so that its memory
 * is bounded by the catalog, not by the cluster: {@link PostureAggregation} asks Elasticsearch for them.
 */
public record PostureSummary(Map<EvidenceStatus, Long> byStatus, Map<String, FrameworkPosture> byFramework,
                      List<FailingControl> topFailing, List<AttestedPractice> practices,
                      List<RuntimeDetections> runtime, List<UnconfiguredControl> needsConfiguration) {

    /** A control that waits for the organisation's settings, how many results say so, and the settings to give. */
    public record UnconfiguredControl(String controlId, long results, List<String> settings) {
    }

    /** How many examples of failing resources a control shows. */
    static final int EXAMPLES = 3;

    /** Controls of one framework: how many were evaluated, and how many fail on at least one resource. */
    public record FrameworkPosture(int controlsEvaluated, int controlsFailing, long failingResults) {
    }

    /** A control failing on {@code failing} resources, with a few of them as examples. */
    public record FailingControl(String controlId, String title, String severity, long failing, List<String> examples) {
    }

    /**
     * The runtime detections of one control in the evidence history: how many, the most frequent actors (name to
     * count) and the latest detection's message.
     */
    public record RuntimeDetections(String controlId, long detections, Map<String, Long> actors, String latest) {
    }

    /** An attestation control and whether a valid attestation makes it pass (on every cluster it was judged on). */
    public record AttestedPractice(String controlId, String title, boolean attested) {
    }

    /**
     * One control's current results: counts by status (CLOSED excluded), and up to {@link #EXAMPLES} failing
     * resources as {@code Kind namespace/name}.
     */
    public record ControlPosture(String controlId, Map<EvidenceStatus, Long> byStatus, List<String> failingExamples) {
        long failing() {
            return byStatus.getOrDefault(EvidenceStatus.FAIL, 0L);
        }
    }

    public static PostureSummary of(List<ControlPosture> perControl, List<ControlDefinition> catalog) {
        return of(perControl, List.of(), catalog);
    }

    public static PostureSummary of(List<ControlPosture> perControl, List<RuntimeDetections> runtime,
                             List<ControlDefinition> catalog) {
        Map<String, ControlDefinition> controls = catalog.stream()
                .collect(Collectors.toMap(ControlDefinition::id, c -> c, (a, b) -> a, LinkedHashMap::new));
        Map<EvidenceStatus, Long> byStatus = new TreeMap<>();
        Map<String, ControlPosture> evaluated = new TreeMap<>();
        for (ControlPosture control : perControl) {
            control.byStatus().forEach((status, count) -> {
                if (status != EvidenceStatus.CLOSED) {
                    byStatus.merge(status, count, Long::sum);
                }
            });
            evaluated.put(control.controlId(), control);
        }
        Map<String, FrameworkPosture> byFramework = new TreeMap<>();
        for (String framework : List.of("cis", "nsa", "pss", "soc2", "mitre")) {
            int evaluatedCount = 0;
            int failingCount = 0;
            long failingResults = 0;
            for (ControlPosture posture : evaluated.values()) {
                ControlDefinition control = controls.get(posture.controlId());
                if (control == null || control.frameworks().getOrDefault(framework, List.of()).isEmpty()) {
                    continue;
                }
                evaluatedCount++;
                if (posture.failing() > 0) {
                    failingCount++;
                    failingResults += posture.failing();
                }
            }
            if (evaluatedCount > 0) {
                byFramework.put(framework, new FrameworkPosture(evaluatedCount, failingCount, failingResults));
            }
        }
        List<FailingControl> top = evaluated.values().stream().filter(posture -> posture.failing() > 0)
                .sorted(Comparator.<ControlPosture>comparingInt(p -> severityRank(controls.get(p.controlId())))
                        .thenComparing(p -> -p.failing()).thenComparing(ControlPosture::controlId))
                .limit(10)
                .map(posture -> {
                    ControlDefinition control = controls.get(posture.controlId());
                    return new FailingControl(posture.controlId(), control == null ? "" : control.title(),
                            control == null ? "?" : control.severity().name().toLowerCase(java.util.Locale.ROOT),
                            posture.failing(), posture.failingExamples().stream().sorted().limit(EXAMPLES).toList());
                })
                .toList();
        List<AttestedPractice> practices = controls.values().stream().filter(ControlDefinition::attestation)
                .filter(control -> evaluated.containsKey(control.id()))
                .map(control -> {
                    Map<EvidenceStatus, Long> statuses = evaluated.get(control.id()).byStatus();
                    boolean attested = statuses.getOrDefault(EvidenceStatus.PASS, 0L) > 0
                            && statuses.getOrDefault(EvidenceStatus.FAIL, 0L) == 0;
                    return new AttestedPractice(control.id(), control.title(), attested);
                })
                .toList();
        Map<String, List<String>> needsSettings = new TreeMap<>();
        Catalog.builtIn().entries().forEach(entry -> needsSettings.put(entry.id(), entry.needsSettings()));
        List<UnconfiguredControl> unconfigured = evaluated.values().stream()
                .filter(p -> p.byStatus().getOrDefault(EvidenceStatus.NEEDS_CONFIGURATION, 0L) > 0)
                .map(p -> new UnconfiguredControl(p.controlId(), p.byStatus().get(EvidenceStatus.NEEDS_CONFIGURATION),
                        needsSettings.getOrDefault(p.controlId(), List.of())))
                .toList();
        return new PostureSummary(byStatus, byFramework, top, practices, List.copyOf(runtime), unconfigured);
    }

    private static int severityRank(ControlDefinition control) {
        return control == null ? 99 : control.severity().ordinal();
    }

    private static final Map<String, String> FRAMEWORK_NAMES = Map.of("cis", "CIS Kubernetes Benchmark",
            "nsa", "NSA/CISA Kubernetes Hardening Guide", "pss", "Pod Security Standards", "soc2", "SOC 2",
            "mitre", "MITRE ATT&CK");

    public void print(PrintStream out) {
        long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
        out.println();
        out.println("== Posture: " + total + " control results on current resources");
        byStatus.forEach((status, count) -> out.printf("   %-15s %6d%n", status, count));
        out.println();
        out.println("== By framework (controls failing on at least one resource / controls evaluated)");
        byFramework.forEach((framework, posture) -> out.printf("   %-38s %3d / %-3d  (%d failing results)%n",
                FRAMEWORK_NAMES.getOrDefault(framework, framework), posture.controlsFailing(), posture.controlsEvaluated(),
                posture.failingResults()));
        if (!needsConfiguration.isEmpty()) {
            out.println();
            out.println("== Needs configuration (controls that judge by the organisation's own settings, counted apart)");
            needsConfiguration.forEach(c -> out.printf("   %-12s %6d  set %s in the control settings%n", c.controlId(),
                    c.results(), String.join(" and ", c.settings())));
        }
        out.println();
        out.println("== Accepted risks and attested practices");
        out.printf("   %-15s %6d  results exempted by control exceptions in force (kubeproof exception list)%n", "EXEMPT",
                byStatus.getOrDefault(EvidenceStatus.EXEMPT, 0L));
        long attested = practices.stream().filter(AttestedPractice::attested).count();
        out.printf("   %-15s %3d / %-3d practices attested (kubeproof attest --list)%n", "ATTESTED", attested, practices.size());
        for (AttestedPractice practice : practices) {
            out.printf("      %-13s %-12s %s%n", practice.attested() ? "attested" : "NOT attested", practice.controlId(),
                    practice.title());
        }
        out.println();
        long detections = runtime.stream().mapToLong(RuntimeDetections::detections).sum();
        out.println("== Runtime detections (from the audit stream): " + detections);
        for (RuntimeDetections control : runtime) {
            out.printf("   %-12s %4d  by %s%n", control.controlId(), control.detections(), control.actors().entrySet()
                    .stream().map(actor -> actor.getKey() + " (" + actor.getValue() + ")")
                    .reduce((a, b) -> a + ", " + b).orElse("unknown"));
            out.println("        latest: " + control.latest());
        }
        out.println();
        out.println("== Top failing controls (with who changed each resource last, when the audit stream says)");
        for (FailingControl control : topFailing) {
            out.printf("   %-12s %-8s %-55s %d resource(s)%n", control.controlId(), control.severity(),
                    control.title().length() > 55 ? control.title().substring(0, 52) + "..." : control.title(),
                    control.failing());
            control.examples().forEach(resource -> out.println("        " + resource));
            if (control.failing() > control.examples().size()) {
                out.println("        ... and " + (control.failing() - control.examples().size()) + " more");
            }
        }
    }
}
