package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.Container;
import dev.kubeproof.controls.k8s.PodSpec;

/** Building blocks for checks over a workload's pod spec and its containers. */
final class WorkloadChecks {

    private WorkloadChecks() {
    }

    /** A check over the pod spec; NOT_APPLICABLE for an object without one. */
    static Check pod(Function<PodSpec, List<Finding>> findings, String passMessage) {
        return subject -> subject.podSpec()
                .map(pod -> Verdict.of(findings.apply(pod), passMessage))
                .orElseGet(() -> Verdict.notApplicable("the object has no pod spec"));
    }

    /** A check applying {@code rule} to every container (init and ephemeral included); each may yield findings. */
    static Check eachContainer(BiFunction<Container, PodSpec, List<Finding>> rule, String passMessage) {
        return pod(pod -> {
            List<Finding> out = new ArrayList<>();
            for (Container container : pod.containers()) {
                out.addAll(rule.apply(container, pod));
            }
            return out;
        }, passMessage);
    }
}
