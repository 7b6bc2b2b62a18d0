package dev.kubeproof.controls.pss;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.PodSpec;

/**
 * What Pod Security Admission decides for a pod spec at a level and version: the checks of that level and version
 * (restricted = its own checks plus every baseline check none of them overrides), each one's offending fields, and
 * the Windows exemptions. The same checks back the KP-PSS-* controls, one control per check.
 */
public final class PodSecurityStandard {

    private PodSecurityStandard() {
    }

    /** One check that forbids the pod, with the fields that make it so. */
    public record Violation(PssCheck check, List<Finding> findings) {
    }

    /** The decision: allowed when no check forbids the pod. */
    public record Decision(PssLevel level, PssVersion version, List<Violation> violations) {
        public boolean allowed() {
            return violations.isEmpty();
        }

        /** {@code restricted:v1.30}, as admission names a policy. */
        public String policy() {
            return level.label() + ":" + version;
        }
    }

    /** The checks admission runs at {@code level} and {@code version}, in the standard's order. */
    public static List<PssCheck> checks(PssLevel level, PssVersion version) {
        List<PssCheck> present = PssChecks.all().stream().filter(c -> c.existsAt(version)).toList();
        if (level == PssLevel.BASELINE) {
            return present.stream().filter(c -> c.level() == PssLevel.BASELINE).toList();
        }
        Set<String> overridden = present.stream().filter(c -> c.level() == PssLevel.RESTRICTED)
                .flatMap(c -> c.overrides().stream()).collect(Collectors.toSet());
        return present.stream().filter(c -> !overridden.contains(c.id())).toList();
    }

    /** Evaluates a pod spec as admission would at {@code level} and {@code version}. */
    public static Decision evaluate(PodSpec pod, PssLevel level, PssVersion version) {
        List<Violation> violations = new ArrayList<>();
        for (PssCheck check : checks(level, version)) {
            if (check.exempts(pod, version)) {
                continue;
            }
            List<Finding> findings = check.rule().findings(pod, version);
            if (!findings.isEmpty()) {
                violations.add(new Violation(check, findings));
            }
        }
        return new Decision(level, version, List.copyOf(violations));
    }

    /** Registers each check as the evaluation of its control, at the configured {@code podSecurityVersion}. */
    public static void register(Map<String, Check> checks) {
        for (PssCheck check : PssChecks.all()) {
            checks.put(check.controlId(), subject -> subject.podSpec().map(pod -> {
                PssVersion version = PssVersion.parse(subject.settings().podSecurityVersion());
                if (!check.existsAt(version)) {
                    return Verdict.notApplicable("the standard's " + check.policy() + " check begins in " + check.since()
                            + "; settings.podSecurityVersion is " + version);
                }
                if (check.exempts(pod, version)) {
                    return Verdict.notApplicable("a Windows pod (spec.os.name: windows): the standard exempts it from "
                            + check.level().label() + " " + check.policy() + " since " + check.windowsExemptSince());
                }
                return Verdict.of(check.rule().findings(pod, version), "allowed by the " + check.level().label() + " "
                        + check.policy() + " check of the Pod Security Standards " + version);
            }).orElseGet(() -> Verdict.notApplicable("the object has no pod spec")));
        }
    }
}
