package dev.kubeproof.controls.checks;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.k8s.Json;
import dev.kubeproof.controls.k8s.LabelSelector;

/** How the API server reads a NetworkPolicy: which directions it governs and whether it denies all. */
final class NetworkPolicies {

    private NetworkPolicies() {
    }

    /**
     * True when the policy governs {@code direction} (Ingress or Egress). Without policyTypes, Ingress is always
     * governed and Egress only when the policy has egress rules.
     */
    static boolean governs(JsonNode policy, String direction) {
        List<String> types = Json.strings(policy, "spec.policyTypes");
        if (!types.isEmpty()) {
            return types.contains(direction);
        }
        return direction.equals("Ingress") || Json.at(policy, "spec.egress").isArray();
    }

    /** True when the policy selects every pod of its namespace and allows no traffic in {@code direction}. */
    static boolean deniesAll(JsonNode policy, String direction) {
        String rules = direction.equals("Ingress") ? "spec.ingress" : "spec.egress";
        return LabelSelector.isEmpty(Json.at(policy, "spec.podSelector"))
                && governs(policy, direction)
                && Json.at(policy, rules).size() == 0;
    }

    static String name(JsonNode policy) {
        return policy.path("metadata").path("name").asText();
    }
}
