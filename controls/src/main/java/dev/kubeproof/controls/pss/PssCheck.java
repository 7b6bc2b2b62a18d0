package dev.kubeproof.controls.pss;

import java.util.List;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.k8s.PodSpec;

/**
 * One check of the Pod Security Standards, as Pod Security Admission defines it: its id there, the policy's name in
 * the standard, its level, the version it begins in, the baseline checks it replaces at restricted, and the kubeproof
 * control that reports it.
 *
 * @param id                  Pod Security Admission's check id ({@code hostPorts}, {@code capabilities_restricted})
 * @param policy              the policy's name in the standard's table ({@code Host Ports})
 * @param level               the level that introduces it; restricted includes every baseline check it does not
 *                            override
 * @param since               the first version of the standard with this check
 * @param overrides           ids of the baseline checks this restricted check replaces (a stricter test of the same
 *                            fields)
 * @param windowsExemptSince  from this version, pods with {@code spec.os.name: windows} are exempt; null: never
 * @param controlId           the catalog control reporting this check
 * @param rule                the test itself
 */
public record PssCheck(String id, String policy, PssLevel level, PssVersion since, List<String> overrides,
                       PssVersion windowsExemptSince, String controlId, Rule rule) {

    public PssCheck {
        overrides = List.copyOf(overrides);
        if (!overrides.isEmpty() && level != PssLevel.RESTRICTED) {
            throw new IllegalArgumentException(id + ": only restricted checks override baseline ones");
        }
    }

    /** The offending fields of a pod spec at a version; empty when the check allows it. */
    @FunctionalInterface
    public interface Rule {
        List<Finding> findings(PodSpec pod, PssVersion version);
    }

    /** True when the check is part of the standard at {@code version}. */
    public boolean existsAt(PssVersion version) {
        return version.atLeast(since);
    }

    /** True when the standard exempts this pod from the check at {@code version} (Windows pods). */
    public boolean exempts(PodSpec pod, PssVersion version) {
        return windowsExemptSince != null && version.atLeast(windowsExemptSince) && isWindows(pod);
    }

    static boolean isWindows(PodSpec pod) {
        return "windows".equals(pod.node().path("os").path("name").asText(null));
    }
}
