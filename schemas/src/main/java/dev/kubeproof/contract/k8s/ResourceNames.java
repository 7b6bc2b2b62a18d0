package dev.kubeproof.contract.k8s;

import java.util.Locale;

/** How Kubernetes names a kind's resource in URLs and audit events ({@code objectRef.resource}). */
public final class ResourceNames {
    private ResourceNames() {
    }

    /**
     * The plural resource of a kind or singular resource name: {@code Pod} is {@code pods}, {@code NetworkPolicy}
     * {@code networkpolicies}, {@code Ingress} {@code ingresses}; a name already ending in s is kept
     * ({@code endpoints}). Right for every built-in kind kubeproof reads; a CRD's own plural may differ.
     */
    public static String plural(String kind) {
        String lower = kind.toLowerCase(Locale.ROOT);
        if (lower.endsWith("ss")) {
            return lower + "es";
        }
        if (lower.endsWith("s")) {
            return lower;
        }
        if (lower.endsWith("y")) {
            return lower.substring(0, lower.length() - 1) + "ies";
        }
        if (lower.endsWith("x") || lower.endsWith("ch") || lower.endsWith("sh")) {
            return lower + "es";
        }
        return lower + "s";
    }
}
