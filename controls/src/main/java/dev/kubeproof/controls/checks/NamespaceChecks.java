package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.Json;
import dev.kubeproof.controls.pss.EnforcedPolicy;

/**
 * Namespace isolation (KP-NS-*): nothing in {@code default}, and per namespace a default-deny NetworkPolicy, a
 * Pod Security Admission level, a ResourceQuota and a LimitRange. Namespace controls read the other objects of the
 * namespace from the cluster view and declare them in {@code dependsOn}.
 */
final class NamespaceChecks {

    static final String PSA_ENFORCE = EnforcedPolicy.ENFORCE_LABEL;
    private static final Set<String> ENFORCING_LEVELS = Set.of("baseline", "restricted");

    private NamespaceChecks() {
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-NS-001", NamespaceChecks::notInDefault);
        checks.put("KP-NS-002", NamespaceChecks::defaultDeny);
        checks.put("KP-NS-003", NamespaceChecks::podSecurityAdmission);
        checks.put("KP-NS-004", subject -> present(subject, "ResourceQuota", "a ResourceQuota caps the namespace's total resource use"));
        checks.put("KP-NS-005", subject -> present(subject, "LimitRange", "a LimitRange sets default and maximum container resources"));
    }

    private static Verdict notInDefault(Subject subject) {
        String kind = subject.kind();
        String name = subject.name();
        // Objects the API server itself creates in default are not a placement decision anyone made.
        if ((kind.equals("Service") && name.equals("kubernetes")) || (kind.equals("ConfigMap") && name.equals("kube-root-ca.crt"))) {
            return Verdict.notApplicable(kind + " " + name + " is created by Kubernetes itself");
        }
        if (!subject.namespaceOrDefault().equals("default")) {
            return Verdict.pass("in namespace " + subject.namespace());
        }
        JsonNode written = subject.object().path("metadata").path("namespace");
        String how = written.isMissingNode() ? "has no namespace, so it lands in default" : "is in the default namespace";
        return Verdict.fail(List.of(new Finding("metadata.namespace", null, Json.show(written), kind + " " + name + " " + how)));
    }

    private static Verdict defaultDeny(Subject subject) {
        String namespace = subject.name();
        List<JsonNode> policies = subject.view().objects("NetworkPolicy", namespace);
        List<Finding> findings = new ArrayList<>();
        for (String direction : List.of("Ingress", "Egress")) {
            if (policies.stream().noneMatch(p -> NetworkPolicies.deniesAll(p, direction))) {
                findings.add(new Finding("metadata.name", null, Json.show(subject.object().path("metadata").path("name")),
                        "namespace " + namespace + " has no default-deny " + direction.toLowerCase() + " NetworkPolicy"));
            }
        }
        return Verdict.of(findings, "namespace " + namespace + " denies ingress and egress by default");
    }

    private static Verdict podSecurityAdmission(Subject subject) {
        JsonNode level = subject.labels().path(PSA_ENFORCE);
        String path = Json.child("metadata.labels", PSA_ENFORCE);
        if (level.isTextual() && ENFORCING_LEVELS.contains(level.asText())) {
            return Verdict.pass("Pod Security Admission enforces " + EnforcedPolicy.of(subject.labels()).describe());
        }
        String problem = level.isMissingNode() ? "does not enforce a Pod Security Standard (no " + PSA_ENFORCE + " label)"
                : "enforces only the '" + level.asText() + "' level";
        return Verdict.fail(List.of(new Finding(path, null, Json.show(level), "namespace " + subject.name() + " " + problem)));
    }

    private static Verdict present(Subject subject, String kind, String why) {
        String namespace = subject.name();
        List<JsonNode> objects = subject.view().objects(kind, namespace);
        if (!objects.isEmpty()) {
            return Verdict.pass(kind + " " + objects.get(0).path("metadata").path("name").asText() + " exists in namespace " + namespace);
        }
        return Verdict.fail(List.of(new Finding("metadata.name", null, Json.show(subject.object().path("metadata").path("name")),
                "namespace " + namespace + " has no " + kind + " (" + why + ")")));
    }
}
