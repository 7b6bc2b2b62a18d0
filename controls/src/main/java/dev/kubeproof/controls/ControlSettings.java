package dev.kubeproof.controls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.kubeproof.controls.k8s.KubeVersion;
import dev.kubeproof.controls.pss.PssVersion;
import dev.kubeproof.controls.runtime.RuntimeSettings;

/**
 * The thresholds and lists controls use: configuration, not code. Immutable and validated on construction; when
 * read from YAML or JSON, keys not given keep their defaults and unknown keys are rejected by name.
 *
 * @param trustedRegistries            registries (or registry/path prefixes) images may come from, matched by path
 *                                     segment after Docker's defaults ({@code nginx} is
 *                                     {@code docker.io/library/nginx})
 * @param requiredOwnerLabels          labels every workload must carry to name its owner/team
 * @param systemNamespaces             namespaces of the platform itself; workload and namespace controls that
 *                                     declare {@code excludeSystemNamespaces} report NOT_APPLICABLE there
 * @param minimumKubernetesVersion     oldest supported kubelet version, major.minor (e.g. {@code 1.32})
 * @param allowedCapabilities          Linux capabilities containers may add (upper case, without {@code CAP_})
 * @param sensitiveHostPathPrefixes    host paths a hostPath volume must not mount (a prefix covers its subpaths;
 *                                     {@code /} covers only the root itself)
 * @param sensitiveWorkloadSelector    pod labels that mark a sensitive workload, which must be pinned to trusted
 *                                     nodes (all labels must match)
 * @param unnecessaryPackages          package names that have no place in a production image (shells, package
 *                                     managers, download tools), checked when a scan lists packages
 * @param minimalImageMaxOsPackages    an image with more OS packages than this is not a minimal base
 * @param blockingVulnerabilitySeverities vulnerability severities that fail an image when a fix exists
 * @param judgeOwnedWorkloads          also judge controller-made workloads (a Deployment's ReplicaSets, a
 *                                     ReplicaSet's or StatefulSet's Pods, a CronJob's Jobs...) by the controls their
 *                                     owner is judged by; false (default): those controls are NOT_APPLICABLE on them,
 *                                     naming the owner, so a problem of a template is one finding, on the object a
 *                                     team edits, not one per replica
 * @param podSecurityVersion           the version of the Pod Security Standards the KP-PSS-* controls judge by:
 *                                     {@code latest} (default) or one like {@code v1.30}, as a namespace's
 *                                     {@code pod-security.kubernetes.io/enforce-version} label writes it
 * @param runtime                      the runtime (audit-event) controls' thresholds and lists, under key
 *                                     {@code runtime}
 * @param configured                   the keys an organisation gave (a settings file, {@code with}); a control whose
 *                                     verdict depends on a key only the organisation can know ({@code needsSettings}
 *                                     in the catalog) reports NEEDS_CONFIGURATION until it is given
 */
public record ControlSettings(List<String> trustedRegistries,
                              List<String> requiredOwnerLabels,
                              List<String> systemNamespaces,
                              String minimumKubernetesVersion,
                              List<String> allowedCapabilities,
                              List<String> sensitiveHostPathPrefixes,
                              Map<String, String> sensitiveWorkloadSelector,
                              List<String> unnecessaryPackages,
                              int minimalImageMaxOsPackages,
                              List<String> blockingVulnerabilitySeverities,
                              boolean judgeOwnedWorkloads,
                              String podSecurityVersion,
                              RuntimeSettings runtime,
                              Set<String> configured) {

    private static final Set<String> VULNERABILITY_SEVERITIES = Set.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN");

    /** Every settings key, in declaration order. */
    public static final List<String> KEYS = List.copyOf(defaults().asMap().keySet());

    public ControlSettings {
        configured = configured == null ? Set.of() : Set.copyOf(configured);
        trustedRegistries = copy("trustedRegistries", trustedRegistries);
        requiredOwnerLabels = copy("requiredOwnerLabels", requiredOwnerLabels);
        systemNamespaces = copy("systemNamespaces", systemNamespaces);
        allowedCapabilities = copy("allowedCapabilities", allowedCapabilities);
        sensitiveHostPathPrefixes = copy("sensitiveHostPathPrefixes", sensitiveHostPathPrefixes);
        unnecessaryPackages = copy("unnecessaryPackages", unnecessaryPackages);
        blockingVulnerabilitySeverities = copy("blockingVulnerabilitySeverities", blockingVulnerabilitySeverities);
        if (runtime == null) {
            throw invalid("runtime", "must be a mapping (may be empty)");
        }
        if (sensitiveWorkloadSelector == null) {
            throw invalid("sensitiveWorkloadSelector", "must be a map of label to value");
        }
        sensitiveWorkloadSelector = Map.copyOf(new TreeMap<>(sensitiveWorkloadSelector));
        if (minimumKubernetesVersion == null || KubeVersion.parse(minimumKubernetesVersion).isEmpty()) {
            throw invalid("minimumKubernetesVersion", "must be a version like 1.32, was '" + minimumKubernetesVersion + "'");
        }
        for (String capability : allowedCapabilities) {
            if (!capability.matches("[A-Z_]+") || capability.startsWith("CAP_")) {
                throw invalid("allowedCapabilities", "'" + capability + "' must be an upper-case capability name without CAP_, e.g. NET_BIND_SERVICE");
            }
        }
        for (String prefix : sensitiveHostPathPrefixes) {
            if (!prefix.startsWith("/")) {
                throw invalid("sensitiveHostPathPrefixes", "'" + prefix + "' must be an absolute path");
            }
        }
        try {
            PssVersion.parse(podSecurityVersion);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw invalid("podSecurityVersion", e.getMessage() == null ? "must be 'latest' or a version like \"v1.30\"" : e.getMessage());
        }
        if (minimalImageMaxOsPackages < 0) {
            throw invalid("minimalImageMaxOsPackages", "must not be negative, was " + minimalImageMaxOsPackages);
        }
        for (String severity : blockingVulnerabilitySeverities) {
            if (!VULNERABILITY_SEVERITIES.contains(severity)) {
                throw invalid("blockingVulnerabilitySeverities", "'" + severity + "' is not one of " + VULNERABILITY_SEVERITIES.stream().sorted().toList());
            }
        }
    }

    /** Sensible defaults: Kubernetes' own registry and Docker official images trusted, owner label required. */
    public static ControlSettings defaults() {
        return new ControlSettings(
                List.of("registry.k8s.io", "docker.io/library", "ghcr.io/kubeproof"),
                List.of("owner"),
                List.of("kube-system", "kube-public", "kube-node-lease"),
                "1.32",
                List.of("NET_BIND_SERVICE"),
                List.of("/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/var/run/docker.sock",
                        "/var/run/containerd", "/run/containerd", "/var/run/crio", "/var/lib/kubelet",
                        "/var/lib/etcd", "/etc/kubernetes", "/var/lib/docker"),
                Map.of("kubeproof.dev/sensitive", "true"),
                List.of("bash", "sh", "dash", "zsh", "busybox", "apt", "dpkg", "apk-tools", "yum", "dnf", "rpm",
                        "microdnf", "curl", "wget", "netcat", "nc", "openssh-client", "openssh-server", "sudo"),
                50,
                List.of("CRITICAL", "HIGH"),
                false,
                "latest",
                RuntimeSettings.defaults(),
                Set.of());
    }

    /** Reads settings from a YAML or JSON file (JSON is YAML). */
    public static ControlSettings read(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** Parses settings from YAML or JSON text; {@code source} names it in error messages. */
    public static ControlSettings parse(String text, String source) {
        JsonNode tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("control settings " + source + ": not valid YAML/JSON: " + e.getOriginalMessage(), e);
        }
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            return defaults();
        }
        try {
            return defaults().with(tree);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** These settings with the keys present in {@code overrides} replaced; unknown keys are rejected by name. */
    public ControlSettings with(JsonNode overrides) {
        if (!overrides.isObject()) {
            throw new IllegalArgumentException("control settings must be a mapping of key to value");
        }
        Map<String, Object> values = asMap();
        List<String> unknown = new ArrayList<>();
        overrides.fields().forEachRemaining(entry -> {
            String key = entry.getKey();
            Object current = values.get(key);
            if (current == null) {
                unknown.add(key);
            } else {
                values.put(key, convert(key, entry.getValue(), current));
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown control settings key(s) " + unknown + "; known keys: " + values.keySet());
        }
        Set<String> given = new java.util.TreeSet<>(configured);
        overrides.fieldNames().forEachRemaining(given::add);
        return fromMap(values, given);
    }

    @SuppressWarnings("unchecked")
    private static ControlSettings fromMap(Map<String, Object> v, Set<String> configured) {
        return new ControlSettings(
                (List<String>) v.get("trustedRegistries"),
                (List<String>) v.get("requiredOwnerLabels"),
                (List<String>) v.get("systemNamespaces"),
                (String) v.get("minimumKubernetesVersion"),
                (List<String>) v.get("allowedCapabilities"),
                (List<String>) v.get("sensitiveHostPathPrefixes"),
                (Map<String, String>) v.get("sensitiveWorkloadSelector"),
                (List<String>) v.get("unnecessaryPackages"),
                (Integer) v.get("minimalImageMaxOsPackages"),
                (List<String>) v.get("blockingVulnerabilitySeverities"),
                (Boolean) v.get("judgeOwnedWorkloads"),
                (String) v.get("podSecurityVersion"),
                (RuntimeSettings) v.get("runtime"),
                configured);
    }

    /** Key to value, in declaration order: the single list of known keys. */
    private Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("trustedRegistries", trustedRegistries);
        map.put("requiredOwnerLabels", requiredOwnerLabels);
        map.put("systemNamespaces", systemNamespaces);
        map.put("minimumKubernetesVersion", minimumKubernetesVersion);
        map.put("allowedCapabilities", allowedCapabilities);
        map.put("sensitiveHostPathPrefixes", sensitiveHostPathPrefixes);
        map.put("sensitiveWorkloadSelector", sensitiveWorkloadSelector);
        map.put("unnecessaryPackages", unnecessaryPackages);
        map.put("minimalImageMaxOsPackages", minimalImageMaxOsPackages);
        map.put("blockingVulnerabilitySeverities", blockingVulnerabilitySeverities);
        map.put("judgeOwnedWorkloads", judgeOwnedWorkloads);
        map.put("podSecurityVersion", podSecurityVersion);
        map.put("runtime", runtime);
        return map;
    }

    private static Object convert(String key, JsonNode value, Object current) {
        if (current instanceof RuntimeSettings runtimeSettings) {
            return runtimeSettings.with(value);
        }
        if (current instanceof Boolean) {
            if (!value.isBoolean()) {
                throw invalid(key, "must be true or false, was " + value);
            }
            return value.booleanValue();
        }
        if (current instanceof List<?>) {
            return SettingsValues.strings(key, value,
                    key.equals("blockingVulnerabilitySeverities") || key.equals("allowedCapabilities"));
        }
        if (current instanceof Map<?, ?>) {
            if (!value.isObject()) {
                throw invalid(key, "must be a mapping of label to value");
            }
            Map<String, String> map = new LinkedHashMap<>();
            value.fields().forEachRemaining(e -> {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw invalid(key, "label '" + e.getKey() + "' must have a string value");
                }
                map.put(e.getKey(), e.getValue().asText());
            });
            return map;
        }
        if (current instanceof Integer) {
            return SettingsValues.integer(key, value);
        }
        if (!value.isTextual()) {
            // YAML reads 1.30 as the number 1.3: only a quoted string says what was meant.
            throw invalid(key, "must be a quoted string (e.g. \"1.32\"), was " + value);
        }
        return value.asText();
    }

    private static List<String> copy(String key, List<String> list) {
        return SettingsValues.copy(key, list);
    }

    private static IllegalArgumentException invalid(String key, String problem) {
        return SettingsValues.invalid(key, problem);
    }
}
