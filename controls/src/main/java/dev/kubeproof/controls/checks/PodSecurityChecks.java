package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.Container;
import dev.kubeproof.controls.k8s.Json;
import dev.kubeproof.controls.k8s.PodSpec;

import static dev.kubeproof.controls.checks.WorkloadChecks.eachContainer;
import static dev.kubeproof.controls.checks.WorkloadChecks.pod;

/** Pod Security Standards style checks over a workload's pod spec (KP-POD-*). */
final class PodSecurityChecks {

    private static final Set<String> CONFINING_SECCOMP = Set.of("RuntimeDefault", "Localhost");

    private PodSecurityChecks() {
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-POD-001", eachContainer(PodSecurityChecks::privileged, "no container runs privileged"));
        checks.put("KP-POD-002", pod(p -> hostNamespace(p, "hostNetwork", "network"), "the pod does not use the host network"));
        checks.put("KP-POD-003", pod(p -> hostNamespace(p, "hostPID", "process ID"), "the pod does not share the host PID namespace"));
        checks.put("KP-POD-004", pod(p -> hostNamespace(p, "hostIPC", "IPC"), "the pod does not share the host IPC namespace"));
        checks.put("KP-POD-005", eachContainer(PodSecurityChecks::privilegeEscalation, "every container sets allowPrivilegeEscalation: false"));
        checks.put("KP-POD-006", eachContainer(PodSecurityChecks::nonRoot, "every container runs as a non-root user"));
        checks.put("KP-POD-007", eachContainer(PodSecurityChecks::readOnlyRoot, "every container has a read-only root filesystem"));
        checks.put("KP-POD-008", eachContainer(PodSecurityChecks::dropAll, "every container drops ALL capabilities"));
        checks.put("KP-POD-009", subject -> eachContainer(
                (c, p) -> addedCapabilities(c, subject.settings().allowedCapabilities()),
                "no container adds a capability beyond the allowed ones").evaluate(subject));
        checks.put("KP-POD-010", eachContainer(PodSecurityChecks::seccomp, "every container runs with a RuntimeDefault or Localhost seccomp profile"));
        checks.put("KP-POD-011", subject -> pod(p -> sensitiveHostPaths(p, subject.settings().sensitiveHostPathPrefixes()),
                "no hostPath volume mounts a sensitive host path").evaluate(subject));
        checks.put("KP-POD-012", PodSecurityChecks::sensitiveWorkloadPinned);
    }

    private static List<Finding> privileged(Container c, PodSpec pod) {
        JsonNode value = c.securityContext().path("privileged");
        return value.asBoolean(false)
                ? List.of(new Finding(c.field("securityContext.privileged"), c.name(), Json.show(value),
                        "container " + c.name() + " runs privileged"))
                : List.of();
    }

    private static List<Finding> hostNamespace(PodSpec pod, String field, String what) {
        JsonNode value = pod.node().path(field);
        return value.asBoolean(false)
                ? List.of(new Finding(pod.field(field), null, Json.show(value), "the pod shares the host's " + what + " namespace (" + field + ": true)"))
                : List.of();
    }

    private static List<Finding> privilegeEscalation(Container c, PodSpec pod) {
        JsonNode value = c.securityContext().path("allowPrivilegeEscalation");
        if (value.isBoolean() && !value.asBoolean()) {
            return List.of();
        }
        String problem = value.isBoolean() ? "allows privilege escalation" : "does not set allowPrivilegeEscalation: false (it defaults to true)";
        return List.of(new Finding(c.field("securityContext.allowPrivilegeEscalation"), c.name(), Json.show(value),
                "container " + c.name() + " " + problem));
    }

    private static List<Finding> nonRoot(Container c, PodSpec pod) {
        Container.Effective user = c.effective("runAsUser");
        if (user.isSet() && user.value().asLong(-1) == 0) {
            return List.of(new Finding(user.path(), c.name(), Json.show(user.value()), "container " + c.name() + " runs as UID 0 (root)"));
        }
        Container.Effective nonRoot = c.effective("runAsNonRoot");
        if (nonRoot.isSet() && !nonRoot.value().asBoolean(false)) {
            return List.of(new Finding(nonRoot.path(), c.name(), Json.show(nonRoot.value()), "container " + c.name() + " sets runAsNonRoot: false"));
        }
        if (nonRoot.value().asBoolean(false) || user.value().asLong(0) > 0) {
            return List.of();
        }
        return List.of(new Finding(nonRoot.path(), c.name(), null,
                "container " + c.name() + " may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set"));
    }

    private static List<Finding> readOnlyRoot(Container c, PodSpec pod) {
        JsonNode value = c.securityContext().path("readOnlyRootFilesystem");
        return value.asBoolean(false) ? List.of()
                : List.of(new Finding(c.field("securityContext.readOnlyRootFilesystem"), c.name(), Json.show(value),
                        "container " + c.name() + " has a writable root filesystem"));
    }

    private static List<Finding> dropAll(Container c, PodSpec pod) {
        boolean dropsAll = Json.strings(c.securityContext(), "capabilities.drop").stream()
                .anyMatch(cap -> cap.equalsIgnoreCase("ALL"));
        return dropsAll ? List.of()
                : List.of(new Finding(c.field("securityContext.capabilities.drop"), c.name(),
                        Json.show(Json.at(c.securityContext(), "capabilities.drop")),
                        "container " + c.name() + " does not drop ALL capabilities"));
    }

    private static List<Finding> addedCapabilities(Container c, List<String> allowed) {
        List<Finding> out = new ArrayList<>();
        List<JsonNode> added = Json.elements(c.securityContext(), "capabilities.add");
        for (int i = 0; i < added.size(); i++) {
            String capability = added.get(i).asText().toUpperCase(Locale.ROOT).replaceFirst("^CAP_", "");
            if (!allowed.contains(capability)) {
                out.add(new Finding(c.field("securityContext.capabilities.add[" + i + "]"), c.name(), Json.show(added.get(i)),
                        "container " + c.name() + " adds capability " + capability + ", which is not allowed"));
            }
        }
        return out;
    }

    private static List<Finding> seccomp(Container c, PodSpec pod) {
        Container.Effective profile = c.effective("seccompProfile");
        String type = profile.value().path("type").asText("");
        if (CONFINING_SECCOMP.contains(type)) {
            return List.of();
        }
        String problem = type.isEmpty() ? "has no seccomp profile (it runs Unconfined)" : "runs with seccomp profile " + type;
        return List.of(new Finding(profile.path() + ".type", c.name(), type.isEmpty() ? null : Json.show(profile.value().path("type")),
                "container " + c.name() + " " + problem));
    }

    private static List<Finding> sensitiveHostPaths(PodSpec pod, List<String> prefixes) {
        List<Finding> out = new ArrayList<>();
        JsonNode volumes = pod.node().path("volumes");
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode path = volumes.get(i).path("hostPath").path("path");
            if (!path.isTextual()) {
                continue;
            }
            for (String prefix : prefixes) {
                if (covers(prefix, path.asText())) {
                    out.add(new Finding(pod.field("volumes[" + i + "].hostPath.path"), null, Json.show(path),
                            "volume " + volumes.get(i).path("name").asText() + " mounts sensitive host path " + path.asText()
                                    + (prefix.equals(normalize(path.asText())) ? "" : " (under " + prefix + ")")));
                    break;
                }
            }
        }
        return out;
    }

    /** Prefix match by path segment; the root prefix covers only the root itself, or every path would match. */
    static boolean covers(String prefix, String path) {
        String p = normalize(prefix);
        String candidate = normalize(path);
        if (p.equals("/")) {
            return candidate.equals("/");
        }
        return candidate.equals(p) || candidate.startsWith(p + "/");
    }

    private static String normalize(String path) {
        String out = path.replaceAll("/+", "/");
        return out.length() > 1 && out.endsWith("/") ? out.substring(0, out.length() - 1) : out;
    }

    private static Verdict sensitiveWorkloadPinned(Subject subject) {
        Map<String, String> selector = subject.settings().sensitiveWorkloadSelector();
        if (selector.isEmpty()) {
            return Verdict.notApplicable("no sensitive-workload selector is configured (settings.sensitiveWorkloadSelector)");
        }
        return subject.podSpec().map(pod -> {
            if (!isSensitive(selector, subject.labels()) && !isSensitive(selector, pod.labels())) {
                return Verdict.notApplicable("not a sensitive workload (labels do not match " + selector + ")");
            }
            boolean nodeSelector = pod.node().path("nodeSelector").size() > 0;
            boolean requiredAffinity = Json.at(pod.node(),
                    "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms").size() > 0;
            if (nodeSelector || requiredAffinity) {
                return Verdict.pass("the sensitive workload is pinned to selected nodes by "
                        + (requiredAffinity ? "required node affinity" : "nodeSelector"));
            }
            return Verdict.fail(List.of(new Finding(pod.field("affinity.nodeAffinity"), null, null,
                    "sensitive workload is not pinned to trusted nodes: no nodeSelector or required node affinity")));
        }).orElseGet(() -> Verdict.notApplicable("the object has no pod spec"));
    }

    private static boolean isSensitive(Map<String, String> selector, JsonNode labels) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.path(e.getKey()).asText(null)));
    }
}
