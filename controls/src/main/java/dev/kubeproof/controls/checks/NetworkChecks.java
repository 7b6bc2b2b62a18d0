package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.Json;
import dev.kubeproof.controls.k8s.LabelSelector;

/** Traffic into and out of workloads (KP-NET-*): TLS on ingress, controlled egress. */
final class NetworkChecks {

    private NetworkChecks() {
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-NET-001", NetworkChecks::ingressTls);
        checks.put("KP-NET-002", NetworkChecks::egressControlled);
    }

    private static Verdict ingressTls(Subject subject) {
        JsonNode spec = subject.object().path("spec");
        List<JsonNode> tls = Json.elements(spec, "tls");
        if (tls.isEmpty()) {
            return Verdict.fail(List.of(new Finding("spec.tls", null, Json.show(spec.path("tls")),
                    "Ingress " + subject.name() + " serves plain HTTP: spec.tls is empty")));
        }
        List<String> covered = new ArrayList<>();
        tls.forEach(entry -> covered.addAll(Json.strings(entry, "hosts")));
        List<Finding> findings = new ArrayList<>();
        List<JsonNode> rules = Json.elements(spec, "rules");
        for (int i = 0; i < rules.size(); i++) {
            String host = rules.get(i).path("host").asText("");
            // A rule without host matches any host; TLS entries without hosts cover it (the default certificate).
            boolean ok = host.isEmpty()
                    ? tls.stream().anyMatch(entry -> entry.path("hosts").size() == 0)
                    : covered.stream().anyMatch(pattern -> hostMatches(pattern, host));
            if (!ok) {
                findings.add(new Finding("spec.rules[" + i + "].host", null, Json.show(rules.get(i).path("host")),
                        "Ingress " + subject.name() + " host " + (host.isEmpty() ? "(any)" : host) + " is not covered by spec.tls"));
            }
        }
        return Verdict.of(findings, "every Ingress host is served over TLS");
    }

    /** Exact match, or a single-label wildcard ({@code *.example.com} covers {@code a.example.com} only). */
    static boolean hostMatches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1);
            return host.endsWith(suffix) && host.indexOf('.') == host.length() - suffix.length();
        }
        return pattern.equalsIgnoreCase(host);
    }

    private static Verdict egressControlled(Subject subject) {
        return subject.podSpec().map(pod -> {
            String namespace = subject.namespaceOrDefault();
            for (JsonNode policy : subject.view().objects("NetworkPolicy", namespace)) {
                if (NetworkPolicies.governs(policy, "Egress")
                        && LabelSelector.matches(Json.at(policy, "spec.podSelector"), pod.labels())) {
                    return Verdict.pass("egress is governed by NetworkPolicy " + NetworkPolicies.name(policy));
                }
            }
            String labelsPath = pod.path().equals("spec") ? "metadata.labels" : pod.path().replaceFirst("\\.spec$", ".metadata.labels");
            return Verdict.fail(List.of(new Finding(labelsPath, null, Json.show(pod.labels()),
                    "no NetworkPolicy with policyTypes Egress selects these pods in namespace " + namespace + ", so their egress is unrestricted")));
        }).orElseGet(() -> Verdict.notApplicable("the object has no pod spec"));
    }
}
