package dev.kubeproof.controls.pss;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.k8s.PodSpec;
import dev.kubeproof.controls.scan.Manifest;
import dev.kubeproof.controls.scan.ManifestException;
import dev.kubeproof.controls.scan.ManifestReader;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubeproof pss}: for each workload of some manifests, what Pod Security Admission would decide at a level and
 * version: the level and version given, or those its namespace's labels enforce (when the Namespace is among the
 * manifests). House rules play no part: only the standard's checks.
 */
@Command(name = "pss",
        description = {"What Pod Security Admission would decide for each workload of the manifests: allowed, or "
                + "forbidden by which checks of the Pod Security Standards, with the fields. The level and version "
                + "are --level/--version, else those of the workload's Namespace labels "
                + "(pod-security.kubernetes.io/enforce, enforce-version) when the Namespace is in the manifests.",
                "Exit 0: every workload allowed; 1: some forbidden; 2: invalid input."})
public final class PssCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    // --version is the standard's version here, so the standard help mixin (whose -V/--version would clash) is not used.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Manifest files or directories; - reads standard input.")
    List<String> paths;

    @Option(names = "--level", paramLabel = "LEVEL",
            description = "baseline or restricted. Default: the namespace's enforce label.")
    String level;

    @Option(names = "--version", paramLabel = "VERSION",
            description = "The standard's version: latest or v1.23..v1.35. Default: the namespace's enforce-version "
                    + "label, else latest.")
    String version;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "Namespace for objects that have none, as `kubectl apply -n` would set (default: default).")
    String namespace;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json. Default: ${DEFAULT-VALUE}.")
    String format;

    private InputStream stdin = System.in;

    /** Standard input to read for {@code -}; tests give their own. */
    public PssCommand withStdin(InputStream stdin) {
        this.stdin = stdin;
        return this;
    }

    /** One workload's verdict, or why it was not judged (no restricting level). */
    record Verdict(Manifest workload, String policySource, PodSecurityStandard.Decision decision, String notJudged) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Verdict> verdicts;
        try {
            PssLevel givenLevel = level == null ? null : PssLevel.parse(level.toLowerCase(Locale.ROOT));
            PssVersion givenVersion = version == null ? null : PssVersion.parse(version);
            if (!format.equals("table") && !format.equals("json")) {
                throw new IllegalArgumentException("--format '" + format + "' is not one of table, json");
            }
            List<Manifest> manifests = new ManifestReader(namespace, stdin).read(paths);
            verdicts = judge(manifests, givenLevel, givenVersion);
            if (verdicts.isEmpty()) {
                throw new ManifestException("no workload with a pod spec found in " + String.join(", ", paths));
            }
        } catch (ManifestException | IllegalArgumentException e) {
            err.println("kubeproof pss: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        if (format.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json(verdicts)));
        } else {
            table(verdicts, out);
        }
        out.flush();
        return verdicts.stream().anyMatch(v -> v.decision() != null && !v.decision().allowed()) ? 1 : 0;
    }

    private static List<Verdict> judge(List<Manifest> manifests, PssLevel givenLevel, PssVersion givenVersion) {
        Map<String, EnforcedPolicy> namespaces = new HashMap<>();
        for (Manifest manifest : manifests) {
            if (manifest.kind().equals("Namespace")) {
                namespaces.put(manifest.name(), EnforcedPolicy.of(manifest.object().path("metadata").path("labels")));
            }
        }
        List<Verdict> out = new ArrayList<>();
        for (Manifest manifest : manifests) {
            Optional<PodSpec> pod = PodSpec.of(manifest.object());
            if (pod.isEmpty()) {
                continue;
            }
            String namespace = manifest.namespace() == null ? "default" : manifest.namespace();
            EnforcedPolicy enforced = namespaces.get(namespace);
            PssLevel chosenLevel = givenLevel;
            String source = "--level";
            if (chosenLevel == null) {
                if (enforced == null || enforced.level() == null) {
                    out.add(new Verdict(manifest, null, null, enforced == null
                            ? "namespace " + namespace + " is not among the manifests; give --level"
                            : "namespace " + namespace + " has no enforce label (admission's default: privileged unless"
                              + " configured); give --level"));
                    continue;
                }
                Optional<PssLevel> restricting = enforced.restrictingLevel();
                if (restricting.isEmpty()) {
                    out.add(new Verdict(manifest, null, null, "namespace " + namespace + " enforces '"
                            + enforced.level() + "': no checks"));
                    continue;
                }
                chosenLevel = restricting.get();
                source = "namespace " + namespace + " enforces " + enforced.describe();
            }
            PssVersion chosenVersion = givenVersion != null ? givenVersion
                    : enforced != null ? enforced.version() : PssVersion.LATEST;
            out.add(new Verdict(manifest, source, PodSecurityStandard.evaluate(pod.get(), chosenLevel, chosenVersion), null));
        }
        return out;
    }

    private static void table(List<Verdict> verdicts, PrintWriter out) {
        int allowed = 0;
        int forbidden = 0;
        int notJudged = 0;
        for (Verdict v : verdicts) {
            String name = v.workload().displayName();
            if (v.decision() == null) {
                notJudged++;
                out.printf("%-9s %-17s %s  (%s)%n", "NO LEVEL", "", name, v.notJudged());
                continue;
            }
            PodSecurityStandard.Decision d = v.decision();
            if (d.allowed()) {
                allowed++;
            } else {
                forbidden++;
            }
            out.printf("%-9s %-17s %s  (%s)%n", d.allowed() ? "ALLOWED" : "FORBIDDEN", d.policy(), name, v.policySource());
            for (PodSecurityStandard.Violation violation : d.violations()) {
                PssCheck check = violation.check();
                out.printf("    %s %s (%s):%n", check.level().label(), check.policy(), check.controlId());
                for (Finding f : violation.findings()) {
                    out.printf("      %s  [%s]%n", f.message(), f.path());
                }
            }
        }
        out.printf("%d workloads: %d allowed, %d forbidden%s%n", verdicts.size(), allowed, forbidden,
                notJudged == 0 ? "" : ", " + notJudged + " without a level to judge by");
    }

    private static List<Map<String, Object>> json(List<Verdict> verdicts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Verdict v : verdicts) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", v.workload().kind());
            entry.put("namespace", v.workload().namespace());
            entry.put("name", v.workload().name());
            entry.put("source", v.workload().source());
            if (v.decision() == null) {
                entry.put("judged", false);
                entry.put("reason", v.notJudged());
            } else {
                entry.put("policy", v.decision().policy());
                entry.put("policySource", v.policySource());
                entry.put("allowed", v.decision().allowed());
                List<Map<String, Object>> violations = new ArrayList<>();
                for (PodSecurityStandard.Violation violation : v.decision().violations()) {
                    violations.add(Map.of("check", violation.check().id(), "policy", violation.check().policy(),
                            "control", violation.check().controlId(),
                            "fields", violation.findings().stream().map(f -> Map.of("path", f.path(), "message", f.message())).toList()));
                }
                entry.put("violations", violations);
            }
            out.add(entry);
        }
        return out;
    }
}
