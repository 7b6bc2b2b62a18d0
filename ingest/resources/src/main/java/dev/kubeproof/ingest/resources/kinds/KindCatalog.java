package dev.kubeproof.ingest.resources.kinds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The kinds the collector knows how to watch, by name. Config lists kinds by name ({@code Pod}, {@code pods} and
 * {@code pod} are all accepted); the catalog supplies group, version, plural and scope, so that a typo fails at
 * start-up instead of producing an informer that watches nothing.
 */
public final class KindCatalog {
    /** Trivy Operator's per-workload vulnerability report (a CRD, watched only when installed). */
    public static final String VULNERABILITY_REPORT = "VulnerabilityReport";

    private static final Map<String, WatchedKind> KNOWN = new LinkedHashMap<>();

    static {
        add("Pod", "", "v1", "pods", true);
        add("Deployment", "apps", "v1", "deployments", true);
        add("StatefulSet", "apps", "v1", "statefulsets", true);
        add("DaemonSet", "apps", "v1", "daemonsets", true);
        add("ReplicaSet", "apps", "v1", "replicasets", true);
        add("Job", "batch", "v1", "jobs", true);
        add("CronJob", "batch", "v1", "cronjobs", true);
        add("Namespace", "", "v1", "namespaces", false);
        add("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", true);
        add("ResourceQuota", "", "v1", "resourcequotas", true);
        add("LimitRange", "", "v1", "limitranges", true);
        add("ServiceAccount", "", "v1", "serviceaccounts", true);
        add("Role", "rbac.authorization.k8s.io", "v1", "roles", true);
        add("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", false);
        add("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", true);
        add("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", false);
        add("Service", "", "v1", "services", true);
        add("Ingress", "networking.k8s.io", "v1", "ingresses", true);
        add("Node", "", "v1", "nodes", false);
        // ConfigMaps: credentials in their data are replaced before they leave the collector (CredentialValues)
        add("ConfigMap", "", "v1", "configmaps", true);
        // Secrets: metadata only, always. The collector must never hold Secret data.
        KNOWN.put("Secret", new WatchedKind("Secret", "", "v1", "secrets", true, true, false));
        KNOWN.put(VULNERABILITY_REPORT, new WatchedKind(VULNERABILITY_REPORT, "aquasecurity.github.io", "v1alpha1",
                "vulnerabilityreports", true, false, true));
    }

    private KindCatalog() {
    }

    private static void add(String kind, String group, String version, String plural, boolean namespaced) {
        KNOWN.put(kind, new WatchedKind(kind, group, version, plural, namespaced, false, false));
    }

    /** The kind names watched when config does not list any: every kind of the catalog. */
    public static List<String> defaultKindNames() {
        return List.copyOf(KNOWN.keySet());
    }

    /** Every kind the catalog knows. */
    public static List<WatchedKind> all() {
        return List.copyOf(KNOWN.values());
    }

    /**
     * Resolves config kind names. Errors name the config key ({@code <key>[index]}) and list the known kinds.
     */
    public static List<WatchedKind> resolve(List<String> names, String key) {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException(key + " must list at least one kind; known kinds: " + knownNames());
        }
        List<WatchedKind> kinds = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            WatchedKind kind = name == null ? null : lookup(name.trim());
            if (kind == null) {
                throw new IllegalArgumentException(key + "[" + i + "]: unknown kind '" + name + "'; known kinds: "
                        + knownNames());
            }
            if (kinds.contains(kind)) {
                throw new IllegalArgumentException(key + "[" + i + "]: kind '" + name + "' is listed twice");
            }
            kinds.add(kind);
        }
        return List.copyOf(kinds);
    }

    private static WatchedKind lookup(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (WatchedKind kind : KNOWN.values()) {
            String lower = kind.kind().toLowerCase(Locale.ROOT);
            if (lower.equals(wanted) || kind.plural().equals(wanted)) {
                return kind;
            }
        }
        return null;
    }

    private static String knownNames() {
        return KNOWN.keySet().stream().collect(Collectors.joining(", "));
    }
}
