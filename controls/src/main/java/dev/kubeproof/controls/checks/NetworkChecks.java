package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.contract.image.ImageReference;
import dev.kubeproof.controls.k8s.Container;
import dev.kubeproof.controls.k8s.Json;
import dev.kubeproof.controls.k8s.PodSpec;
import dev.kubeproof.controls.k8s.LabelSelector;

/** Traffic into and out of workloads (KP-NET-*): TLS on ingress, controlled egress, NetworkPolicies enforced. */
final class NetworkChecks {
    /**
     * Repositories of CNI agents that enforce NetworkPolicies (Calico, also in Canal; Cilium; Antrea; Weave Net's
     * policy controller; kube-router; the SIG's kube-network-policies), matched on the image's repository.
     */
    private static final List<String> ENFORCING_AGENTS = List.of("calico/node", "cilium/cilium", "antrea/antrea",
            "weaveworks/weave-npc", "cloudnativelabs/kube-router", "networking/kube-network-policies");
    /** Flannel: a CNI that does not enforce NetworkPolicies (unless Calico runs beside it, as in Canal). */
    private static final String FLANNEL = "flannel";

    private NetworkChecks() {
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-NET-001", NetworkChecks::ingressTls);
        checks.put("KP-NET-002", NetworkChecks::egressControlled);
        checks.put("KP-NET-003", NetworkChecks::cniEnforcesPolicies);
    }

    /**
     * CIS 5.3.1 where the cluster shows it: a DaemonSet that is a CNI agent says whether NetworkPolicies have any
     * effect. Flannel alone accepts NetworkPolicy objects and enforces none of them, so every policy (and every
     * control that passes because of one) is an illusion. DaemonSets that are no known CNI agent are not applicable;
     * an unknown CNI is not judged.
     */
    private static Verdict cniEnforcesPolicies(Subject subject) {
        Optional<PodSpec> pod = subject.podSpec();
        if (pod.isEmpty()) {
            return Verdict.notApplicable("the object has no pod spec");
        }
        List<Finding> flannel = new ArrayList<>();
        for (Container container : pod.get().containers()) {
            String repository = repository(container.image());
            if (ENFORCING_AGENTS.stream().anyMatch(repository::contains)) {
                return Verdict.pass("CNI agent " + repository + " enforces NetworkPolicies");
            }
            if (repository.substring(repository.lastIndexOf('/') + 1).contains(FLANNEL)) {
                flannel.add(new Finding(container.field("image"), container.name(), Json.show(container.node().path("image")),
                        "flannel does not enforce NetworkPolicies: in this cluster they are accepted and have no effect"));
            }
        }
        return flannel.isEmpty() ? Verdict.notApplicable("not a known CNI agent")
                : Verdict.fail(flannel.subList(0, 1));
    }

    private static String repository(String image) {
        try {
            ImageReference reference = ImageReference.parse(image);
            return reference.repository().toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return image == null ? "" : image.toLowerCase(java.util.Locale.ROOT);
        }
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
