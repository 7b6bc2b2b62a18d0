package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.Container;
import dev.kubeproof.controls.k8s.Json;

import static dev.kubeproof.controls.checks.WorkloadChecks.eachContainer;

/** Ownership and resource governance of workloads (KP-RES-*). */
final class ResourceChecks {

    private static final List<String> RESOURCE_FIELDS = List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory");

    private ResourceChecks() {
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-RES-001", ResourceChecks::ownerLabels);
        checks.put("KP-RES-002", eachContainer((c, p) -> requestsAndLimits(c), "every container sets CPU and memory requests and limits"));
    }

    private static Verdict ownerLabels(Subject subject) {
        List<String> required = subject.settings().requiredOwnerLabels();
        if (required.isEmpty()) {
            return Verdict.notApplicable("no owner labels are required (settings.requiredOwnerLabels)");
        }
        List<Finding> findings = new ArrayList<>();
        for (String label : required) {
            JsonNode value = subject.labels().path(label);
            if (!value.isTextual() || value.asText().isBlank()) {
                findings.add(new Finding(Json.child("metadata.labels", label), null, Json.show(value),
                        subject.kind() + " " + subject.name() + " has no owner label " + label));
            }
        }
        return Verdict.of(findings, "owner labels " + required + " are set");
    }

    private static List<Finding> requestsAndLimits(Container c) {
        if (c.path().contains(".ephemeralContainers[")) {
            return List.of(); // ephemeral containers cannot declare resources
        }
        JsonNode resources = c.node().path("resources");
        List<String> missing = RESOURCE_FIELDS.stream().filter(f -> Json.text(resources, f).isEmpty()).toList();
        return missing.isEmpty() ? List.of()
                : List.of(new Finding(c.field("resources"), c.name(), Json.show(resources),
                        "container " + c.name() + " sets no " + String.join(", ", missing)));
    }
}
