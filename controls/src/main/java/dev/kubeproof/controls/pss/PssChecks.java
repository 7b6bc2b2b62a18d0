package dev.kubeproof.controls.pss;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.k8s.Container;
import dev.kubeproof.controls.k8s.Json;
import dev.kubeproof.controls.k8s.PodSpec;

import static dev.kubeproof.controls.pss.PssLevel.BASELINE;
import static dev.kubeproof.controls.pss.PssLevel.RESTRICTED;

/**
 * The checks of the Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * each exactly as the standard's table and Pod Security Admission define it: the same fields, the same allowed
 * values compared the same way (capability names exactly as written, no {@code CAP_} folding), every container
 * kind (init and ephemeral included), and the differences between versions from v1.23.
 */
public final class PssChecks {

    private static final PssVersion V1_25 = PssVersion.of(25);
    private static final PssVersion V1_35 = PssVersion.of(35);

    /** Baseline: the capabilities a container may add (the runtime's default set). */
    static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
            "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

    /** Baseline: safe sysctls, by the version that allowed them. */
    private static final Map<String, PssVersion> SAFE_SYSCTLS = Map.ofEntries(
            Map.entry("kernel.shm_rmid_forced", PssVersion.OLDEST),
            Map.entry("net.ipv4.ip_local_port_range", PssVersion.OLDEST),
            Map.entry("net.ipv4.ip_unprivileged_port_start", PssVersion.OLDEST),
            Map.entry("net.ipv4.tcp_syncookies", PssVersion.OLDEST),
            Map.entry("net.ipv4.ping_group_range", PssVersion.OLDEST),
            Map.entry("net.ipv4.ip_local_reserved_ports", PssVersion.of(27)),
            Map.entry("net.ipv4.tcp_keepalive_time", PssVersion.of(29)),
            Map.entry("net.ipv4.tcp_fin_timeout", PssVersion.of(29)),
            Map.entry("net.ipv4.tcp_keepalive_intvl", PssVersion.of(29)),
            Map.entry("net.ipv4.tcp_keepalive_probes", PssVersion.of(29)),
            Map.entry("net.ipv4.tcp_rmem", PssVersion.of(32)),
            Map.entry("net.ipv4.tcp_wmem", PssVersion.of(32)));

    /** Baseline: SELinux types a pod or container may set, by the version that allowed them ("" always). */
    private static final Map<String, PssVersion> SELINUX_TYPES = Map.of(
            "", PssVersion.OLDEST,
            "container_t", PssVersion.OLDEST,
            "container_init_t", PssVersion.OLDEST,
            "container_kvm_t", PssVersion.OLDEST,
            "container_engine_t", PssVersion.of(31));

    /** Restricted: the only inline volume sources allowed. */
    static final List<String> RESTRICTED_VOLUME_SOURCES = List.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");

    private static final Set<String> CONFINING_PROFILES = Set.of("RuntimeDefault", "Localhost");
    private static final String APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

    private static final List<PssCheck> ALL = List.of(
            baseline("windowsHostProcess", "HostProcess", "KP-PSS-001", PssVersion.OLDEST, PssChecks::hostProcess),
            baseline("hostNamespaces", "Host Namespaces", "KP-PSS-002", PssVersion.OLDEST, PssChecks::hostNamespaces),
            baseline("privileged", "Privileged Containers", "KP-PSS-003", PssVersion.OLDEST, PssChecks::privileged),
            baseline("capabilities_baseline", "Capabilities", "KP-PSS-004", PssVersion.OLDEST, PssChecks::baselineCapabilities),
            baseline("hostPathVolumes", "HostPath Volumes", "KP-PSS-005", PssVersion.OLDEST, PssChecks::hostPathVolumes),
            baseline("hostPorts", "Host Ports", "KP-PSS-006", PssVersion.OLDEST, PssChecks::hostPorts),
            baseline("hostProbesAndHostLifecycle", "Host Probes / Lifecycle Hooks", "KP-PSS-007", PssVersion.of(34),
                    PssChecks::hostProbesAndLifecycle),
            baseline("appArmorProfile", "AppArmor", "KP-PSS-008", PssVersion.OLDEST, PssChecks::appArmor),
            baseline("seLinuxOptions", "SELinux", "KP-PSS-009", PssVersion.OLDEST, PssChecks::seLinux),
            baseline("procMount", "/proc Mount Type", "KP-PSS-010", PssVersion.OLDEST,
                    (pod, version) -> version.atLeast(V1_35) && userNamespace(pod) ? List.of() : procMount(pod)),
            baseline("seccompProfile_baseline", "Seccomp", "KP-PSS-011", PssVersion.OLDEST, PssChecks::baselineSeccomp),
            baseline("sysctls", "Sysctls", "KP-PSS-012", PssVersion.OLDEST, PssChecks::sysctls),
            restricted("restrictedVolumes", "Volume Types", "KP-PSS-013", PssVersion.OLDEST, List.of("hostPathVolumes"),
                    null, PssChecks::restrictedVolumes),
            restricted("allowPrivilegeEscalation", "Privilege Escalation", "KP-PSS-014", PssVersion.OLDEST, List.of(),
                    V1_25, PssChecks::privilegeEscalation),
            restricted("runAsNonRoot", "Running as Non-root", "KP-PSS-015", PssVersion.OLDEST, List.of(), null,
                    (pod, version) -> version.atLeast(V1_35) && userNamespace(pod) ? List.of() : runAsNonRoot(pod)),
            restricted("runAsUser", "Running as Non-root user", "KP-PSS-016", PssVersion.OLDEST, List.of(), null,
                    (pod, version) -> version.atLeast(V1_35) && userNamespace(pod) ? List.of() : runAsUser(pod)),
            restricted("seccompProfile_restricted", "Seccomp", "KP-PSS-017", PssVersion.OLDEST,
                    List.of("seccompProfile_baseline"), V1_25, PssChecks::restrictedSeccomp),
            restricted("capabilities_restricted", "Capabilities", "KP-PSS-018", PssVersion.OLDEST,
                    List.of("capabilities_baseline"), V1_25, PssChecks::restrictedCapabilities),
            restricted("procMount_restricted", "/proc Mount Type", "KP-PSS-019", V1_35, List.of("procMount"), null,
                    (pod, version) -> procMount(pod)));

    private PssChecks() {
    }

    /** Every check, baseline first, in the standard's order. */
    public static List<PssCheck> all() {
        return ALL;
    }

    private static PssCheck baseline(String id, String policy, String controlId, PssVersion since, PssCheck.Rule rule) {
        return new PssCheck(id, policy, BASELINE, since, List.of(), null, controlId, rule);
    }

    private static PssCheck restricted(String id, String policy, String controlId, PssVersion since,
                                       List<String> overrides, PssVersion windowsExemptSince, PssCheck.Rule rule) {
        return new PssCheck(id, policy, RESTRICTED, since, overrides, windowsExemptSince, controlId, rule);
    }

    // ------------------------------------------------------------------ baseline

    private static List<Finding> hostProcess(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        JsonNode podLevel = pod.securityContext().path("windowsOptions").path("hostProcess");
        if (isTrue(podLevel)) {
            out.add(new Finding(pod.field("securityContext.windowsOptions.hostProcess"), null, "true",
                    "pod must not set securityContext.windowsOptions.hostProcess=true"));
        }
        for (Container c : pod.containers()) {
            if (isTrue(c.securityContext().path("windowsOptions").path("hostProcess"))) {
                out.add(containerFinding(c, "securityContext.windowsOptions.hostProcess", "true",
                        "must not set securityContext.windowsOptions.hostProcess=true"));
            }
        }
        return out;
    }

    private static List<Finding> hostNamespaces(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (isTrue(pod.node().path(field))) {
                out.add(new Finding(pod.field(field), null, "true", "pod must not set " + field + "=true"));
            }
        }
        return out;
    }

    private static List<Finding> privileged(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        for (Container c : pod.containers()) {
            if (isTrue(c.securityContext().path("privileged"))) {
                out.add(containerFinding(c, "securityContext.privileged", "true", "must not set securityContext.privileged=true"));
            }
        }
        return out;
    }

    private static List<Finding> baselineCapabilities(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        for (Container c : pod.containers()) {
            List<JsonNode> added = Json.elements(c.securityContext(), "capabilities.add");
            for (int i = 0; i < added.size(); i++) {
                String capability = added.get(i).asText();
                if (!BASELINE_CAPABILITIES.contains(capability)) {
                    out.add(containerFinding(c, "securityContext.capabilities.add[" + i + "]", Json.show(added.get(i)),
                            "must not include " + quote(capability) + " in securityContext.capabilities.add"
                                    + spellingHint(capability, BASELINE_CAPABILITIES)));
                }
            }
        }
        return out;
    }

    private static List<Finding> hostPathVolumes(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        JsonNode volumes = pod.node().path("volumes");
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode hostPath = volumes.get(i).path("hostPath");
            if (isSet(hostPath)) {
                out.add(new Finding(pod.field("volumes[" + i + "].hostPath"), null, Json.show(hostPath),
                        "hostPath volume " + quote(volumes.get(i).path("name").asText()) + " is not allowed"));
            }
        }
        return out;
    }

    private static List<Finding> hostPorts(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        for (Container c : pod.containers()) {
            JsonNode ports = c.node().path("ports");
            for (int i = 0; i < ports.size(); i++) {
                JsonNode hostPort = ports.get(i).path("hostPort");
                if (hostPort.asLong(0) != 0) {
                    out.add(containerFinding(c, "ports[" + i + "].hostPort", Json.show(hostPort),
                            "uses hostPort " + hostPort.asText()));
                }
            }
        }
        return out;
    }

    private static List<Finding> hostProbesAndLifecycle(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        List<String> handlers = List.of("livenessProbe", "readinessProbe", "startupProbe", "lifecycle.postStart",
                "lifecycle.preStop");
        for (Container c : pod.containers()) {
            for (String handler : handlers) {
                for (String action : List.of("httpGet", "tcpSocket")) {
                    String field = handler + "." + action + ".host";
                    JsonNode host = Json.at(c.node(), field);
                    if (host.isTextual() && !host.asText().isEmpty()) {
                        out.add(containerFinding(c, field, Json.show(host), "must not set " + field + " (" + host.asText() + ")"));
                    }
                }
            }
        }
        return out;
    }

    private static List<Finding> appArmor(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> annotations = pod.metadata().path("annotations").fields();
        while (annotations.hasNext()) {
            Map.Entry<String, JsonNode> annotation = annotations.next();
            String profile = annotation.getValue().asText("");
            if (annotation.getKey().startsWith(APPARMOR_ANNOTATION_PREFIX)
                    && !(profile.isEmpty() || profile.equals("runtime/default") || profile.startsWith("localhost/"))) {
                out.add(new Finding(pod.metadataPath() + ".annotations['" + annotation.getKey() + "']", null,
                        Json.show(annotation.getValue()), "forbidden AppArmor profile " + annotation.getKey() + "="
                        + quote(profile) + " (allowed: runtime/default, localhost/*)"));
            }
        }
        unconfiningProfiles(pod, "appArmorProfile", "AppArmor profile type", out);
        return out;
    }

    private static List<Finding> seLinux(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        seLinuxOptions(pod.securityContext().path("seLinuxOptions"), pod.field("securityContext.seLinuxOptions"),
                null, "pod", version, out);
        for (Container c : pod.containers()) {
            seLinuxOptions(c.securityContext().path("seLinuxOptions"), c.field("securityContext.seLinuxOptions"),
                    c.name(), "container " + quote(c.name()), version, out);
        }
        return out;
    }

    private static void seLinuxOptions(JsonNode options, String path, String container, String who, PssVersion version,
                                       List<Finding> out) {
        JsonNode type = options.path("type");
        if (type.isTextual()) {
            PssVersion allowedSince = SELINUX_TYPES.get(type.asText());
            if (allowedSince == null || !version.atLeast(allowedSince)) {
                out.add(new Finding(path + ".type", container, Json.show(type), who + " must not set seLinuxOptions.type to "
                        + quote(type.asText()) + " (allowed at " + version + ": " + allowed(SELINUX_TYPES, version) + ")"));
            }
        }
        for (String field : List.of("user", "role")) {
            JsonNode value = options.path(field);
            if (value.isTextual() && !value.asText().isEmpty()) {
                out.add(new Finding(path + "." + field, container, Json.show(value), who + " must not set seLinuxOptions." + field));
            }
        }
    }

    private static List<Finding> procMount(PodSpec pod) {
        List<Finding> out = new ArrayList<>();
        for (Container c : pod.containers()) {
            JsonNode procMount = c.securityContext().path("procMount");
            if (isSet(procMount) && !"Default".equals(procMount.asText())) {
                out.add(containerFinding(c, "securityContext.procMount", Json.show(procMount),
                        "must not set securityContext.procMount to " + quote(procMount.asText())));
            }
        }
        return out;
    }

    private static List<Finding> baselineSeccomp(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        unconfiningProfiles(pod, "seccompProfile", "securityContext.seccompProfile.type", out);
        return out;
    }

    private static List<Finding> sysctls(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        JsonNode sysctls = pod.securityContext().path("sysctls");
        for (int i = 0; i < sysctls.size(); i++) {
            String name = sysctls.get(i).path("name").asText("");
            PssVersion allowedSince = SAFE_SYSCTLS.get(name);
            if (allowedSince == null || !version.atLeast(allowedSince)) {
                out.add(new Finding(pod.field("securityContext.sysctls[" + i + "].name"), null, Json.show(sysctls.get(i).path("name")),
                        "forbidden sysctl " + name + (allowedSince == null ? "" : " (safe only from " + allowedSince + ")")));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ restricted

    private static List<Finding> restrictedVolumes(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        JsonNode volumes = pod.node().path("volumes");
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode volume = volumes.get(i);
            if (RESTRICTED_VOLUME_SOURCES.stream().anyMatch(source -> isSet(volume.path(source)))) {
                continue;
            }
            String type = volumeType(volume);
            out.add(new Finding(pod.field("volumes[" + i + "]" + (type.isEmpty() ? "" : "." + type)), null, null,
                    "volume " + quote(volume.path("name").asText()) + " has restricted type "
                            + (type.isEmpty() ? "(none given)" : type) + " (allowed: " + String.join(", ", RESTRICTED_VOLUME_SOURCES) + ")"));
        }
        return out;
    }

    private static List<Finding> privilegeEscalation(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        for (Container c : pod.containers()) {
            JsonNode value = c.securityContext().path("allowPrivilegeEscalation");
            if (!(value.isBoolean() && !value.booleanValue())) {
                out.add(containerFinding(c, "securityContext.allowPrivilegeEscalation", isSet(value) ? Json.show(value) : null,
                        "must set securityContext.allowPrivilegeEscalation=false"));
            }
        }
        return out;
    }

    private static List<Finding> runAsNonRoot(PodSpec pod) {
        List<Finding> out = new ArrayList<>();
        JsonNode podValue = pod.securityContext().path("runAsNonRoot");
        boolean podNonRoot = isTrue(podValue);
        if (podValue.isBoolean() && !podValue.booleanValue()) {
            out.add(new Finding(pod.field("securityContext.runAsNonRoot"), null, "false", "pod must not set runAsNonRoot=false"));
        }
        for (Container c : pod.containers()) {
            JsonNode value = c.securityContext().path("runAsNonRoot");
            if (value.isBoolean() && !value.booleanValue()) {
                out.add(containerFinding(c, "securityContext.runAsNonRoot", "false", "must not set securityContext.runAsNonRoot=false"));
            } else if (!value.isBoolean() && !podNonRoot) {
                out.add(containerFinding(c, "securityContext.runAsNonRoot", null,
                        "must set securityContext.runAsNonRoot=true (or the pod must)"));
            }
        }
        return out;
    }

    private static List<Finding> runAsUser(PodSpec pod) {
        List<Finding> out = new ArrayList<>();
        JsonNode podValue = pod.securityContext().path("runAsUser");
        if (podValue.isNumber() && podValue.asLong() == 0) {
            out.add(new Finding(pod.field("securityContext.runAsUser"), null, "0", "pod must not set runAsUser=0"));
        }
        for (Container c : pod.containers()) {
            JsonNode value = c.securityContext().path("runAsUser");
            if (value.isNumber() && value.asLong() == 0) {
                out.add(containerFinding(c, "securityContext.runAsUser", "0", "must not set runAsUser=0"));
            }
        }
        return out;
    }

    private static List<Finding> restrictedSeccomp(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        JsonNode podType = pod.securityContext().path("seccompProfile").path("type");
        boolean podSet = isSet(pod.securityContext().path("seccompProfile"));
        if (podSet && !CONFINING_PROFILES.contains(podType.asText())) {
            out.add(new Finding(pod.field("securityContext.seccompProfile.type"), null, isSet(podType) ? Json.show(podType) : null,
                    "pod must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""));
        }
        for (Container c : pod.containers()) {
            JsonNode profile = c.securityContext().path("seccompProfile");
            if (isSet(profile)) {
                JsonNode type = profile.path("type");
                if (!CONFINING_PROFILES.contains(type.asText())) {
                    out.add(containerFinding(c, "securityContext.seccompProfile.type", isSet(type) ? Json.show(type) : null,
                            "must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""));
                }
            } else if (!podSet) {
                out.add(containerFinding(c, "securityContext.seccompProfile.type", null,
                        "must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\" (or the pod must)"));
            }
        }
        return out;
    }

    private static List<Finding> restrictedCapabilities(PodSpec pod, PssVersion version) {
        List<Finding> out = new ArrayList<>();
        for (Container c : pod.containers()) {
            if (!Json.strings(c.securityContext(), "capabilities.drop").contains("ALL")) {
                out.add(containerFinding(c, "securityContext.capabilities.drop",
                        Json.show(Json.at(c.securityContext(), "capabilities.drop")),
                        "must set securityContext.capabilities.drop=[\"ALL\"]"));
            }
            List<JsonNode> added = Json.elements(c.securityContext(), "capabilities.add");
            for (int i = 0; i < added.size(); i++) {
                String capability = added.get(i).asText();
                if (!capability.equals("NET_BIND_SERVICE")) {
                    out.add(containerFinding(c, "securityContext.capabilities.add[" + i + "]", Json.show(added.get(i)),
                            "must not include " + quote(capability) + " in securityContext.capabilities.add (only NET_BIND_SERVICE)"
                                    + spellingHint(capability, Set.of("NET_BIND_SERVICE"))));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    /** A profile ({@code seccompProfile}, {@code appArmorProfile}) whose type, on the pod or a container, confines nothing. */
    private static void unconfiningProfiles(PodSpec pod, String field, String what, List<Finding> out) {
        JsonNode podType = pod.securityContext().path(field).path("type");
        if (isSet(podType) && !CONFINING_PROFILES.contains(podType.asText())) {
            out.add(new Finding(pod.field("securityContext." + field + ".type"), null, Json.show(podType),
                    "pod must not set " + what + " to " + quote(podType.asText())));
        }
        for (Container c : pod.containers()) {
            JsonNode type = c.securityContext().path(field).path("type");
            if (isSet(type) && !CONFINING_PROFILES.contains(type.asText())) {
                out.add(containerFinding(c, "securityContext." + field + ".type", Json.show(type),
                        "must not set " + what + " to " + quote(type.asText())));
            }
        }
    }

    /** {@code hostUsers: false}: the pod runs in its own user namespace (relaxations from v1.35). */
    private static boolean userNamespace(PodSpec pod) {
        JsonNode hostUsers = pod.node().path("hostUsers");
        return hostUsers.isBoolean() && !hostUsers.booleanValue();
    }

    private static Finding containerFinding(Container c, String field, String value, String problem) {
        return new Finding(c.field(field), c.name(), value, "container " + quote(c.name()) + " " + problem);
    }

    /** Admission compares names exactly: say so when the name would be allowed written another way. */
    private static String spellingHint(String capability, Set<String> allowed) {
        String folded = capability.toUpperCase(Locale.ROOT).replaceFirst("^CAP_", "");
        return !folded.equals(capability) && allowed.contains(folded)
                ? "; Pod Security Admission compares names exactly: write " + folded : "";
    }

    private static String volumeType(JsonNode volume) {
        Iterator<String> fields = volume.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (!field.equals("name") && isSet(volume.path(field))) {
                return field;
            }
        }
        return "";
    }

    private static String allowed(Map<String, PssVersion> values, PssVersion version) {
        return values.entrySet().stream().filter(e -> version.atLeast(e.getValue())).map(Map.Entry::getKey)
                .sorted().map(v -> quote(v)).reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static boolean isTrue(JsonNode node) {
        return node.isBoolean() && node.booleanValue();
    }

    private static boolean isSet(JsonNode node) {
        return !node.isMissingNode() && !node.isNull();
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }
}
