package dev.kubeproof.controls.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.contract.time.Durations;
import dev.kubeproof.controls.SettingsValues;

/**
 * The thresholds and lists of the runtime (audit-event) controls: the {@code runtime} mapping of the control
 * settings. Immutable, validated on construction; unknown keys are rejected by name.
 *
 * @param execNamespaces        namespaces where exec/attach/port-forward is a detection; empty for every namespace
 * @param automationPrincipals  user names of automation (glob: a trailing {@code *} matches any rest); members of
 *                              the groups {@code system:serviceaccounts} and {@code system:nodes} are automation too.
 *                              Secret reads and source-IP checks concern the other principals: people
 * @param allowedSourceCidrs    networks people may reach the API server from (a bastion, a VPN); empty turns the
 *                              source-IP control off, because kubeproof cannot guess them
 * @param anonymousAllowedPaths non-resource paths Kubernetes' default RBAC lets anyone read
 *                              ({@code system:public-info-viewer}, service-account issuer discovery): an allowed
 *                              anonymous request to them is not a detection
 * @param denialBurstCount      denials (401/403) by one principal within {@code denialBurstWindow} that make a burst
 * @param denialBurstWindow     the window of a burst; a burst ends when the principal has no denial for this long
 * @param auditSilence          a cluster whose audit stream says nothing for this long has its audit logging judged
 *                              stopped (wall clock)
 * @param quietPeriod           a runtime finding closes (PASS) when its subject had no new detection for this long
 */
public record RuntimeSettings(List<String> execNamespaces, List<String> automationPrincipals,
                              List<String> allowedSourceCidrs, List<String> anonymousAllowedPaths,
                              int denialBurstCount, Duration denialBurstWindow, Duration auditSilence,
                              Duration quietPeriod) {

    private static final String PREFIX = "runtime.";

    public RuntimeSettings {
        execNamespaces = copy("execNamespaces", execNamespaces);
        automationPrincipals = copy("automationPrincipals", automationPrincipals);
        allowedSourceCidrs = copy("allowedSourceCidrs", allowedSourceCidrs);
        anonymousAllowedPaths = copy("anonymousAllowedPaths", anonymousAllowedPaths);
        for (String cidr : allowedSourceCidrs) {
            try {
                Cidr.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw invalid("allowedSourceCidrs", e.getMessage());
            }
        }
        if (denialBurstCount < 2) {
            throw invalid("denialBurstCount", "must be at least 2, was " + denialBurstCount);
        }
        positive("denialBurstWindow", denialBurstWindow);
        positive("auditSilence", auditSilence);
        positive("quietPeriod", quietPeriod);
    }

    /** Every namespace watched for exec, {@code system:*} is automation, no CIDRs, 10 denials in 5 minutes. */
    public static RuntimeSettings defaults() {
        return new RuntimeSettings(List.of(), List.of("system:*"), List.of(),
                List.of("/healthz", "/livez", "/readyz", "/version", "/.well-known/openid-configuration",
                        "/openid/v1/jwks"),
                10, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(24));
    }

    /** These settings with the keys present in {@code overrides} replaced; unknown keys are rejected by name. */
    public RuntimeSettings with(JsonNode overrides) {
        if (!overrides.isObject()) {
            throw new IllegalArgumentException("control settings key 'runtime' must be a mapping of key to value");
        }
        Map<String, Object> values = asMap();
        List<String> unknown = new ArrayList<>();
        overrides.fields().forEachRemaining(entry -> {
            Object current = values.get(entry.getKey());
            if (current == null) {
                unknown.add(entry.getKey());
            } else {
                values.put(entry.getKey(), convert(entry.getKey(), entry.getValue(), current));
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown control settings key(s) " + unknown.stream()
                    .map(k -> "runtime." + k).toList() + "; known keys under runtime: " + values.keySet());
        }
        return fromMap(values);
    }

    /** True for a principal that is automation rather than a person. */
    public boolean isAutomation(String username, List<String> groups) {
        if (groups.contains("system:serviceaccounts") || groups.contains("system:nodes")) {
            return true;
        }
        for (String pattern : automationPrincipals) {
            if (pattern.endsWith("*") ? username.startsWith(pattern.substring(0, pattern.length() - 1))
                    : username.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /** True when the source-IP control is on and {@code ip} lies in none of the allowed networks. */
    public boolean outsideAllowedNetworks(String ip) {
        if (allowedSourceCidrs.isEmpty()) {
            return false;
        }
        for (String cidr : allowedSourceCidrs) {
            if (Cidr.parse(cidr).contains(ip)) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static RuntimeSettings fromMap(Map<String, Object> v) {
        return new RuntimeSettings((List<String>) v.get("execNamespaces"), (List<String>) v.get("automationPrincipals"),
                (List<String>) v.get("allowedSourceCidrs"), (List<String>) v.get("anonymousAllowedPaths"),
                (Integer) v.get("denialBurstCount"), (Duration) v.get("denialBurstWindow"),
                (Duration) v.get("auditSilence"), (Duration) v.get("quietPeriod"));
    }

    private Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("execNamespaces", execNamespaces);
        map.put("automationPrincipals", automationPrincipals);
        map.put("allowedSourceCidrs", allowedSourceCidrs);
        map.put("anonymousAllowedPaths", anonymousAllowedPaths);
        map.put("denialBurstCount", denialBurstCount);
        map.put("denialBurstWindow", denialBurstWindow);
        map.put("auditSilence", auditSilence);
        map.put("quietPeriod", quietPeriod);
        return map;
    }

    private static Object convert(String key, JsonNode value, Object current) {
        if (current instanceof List<?>) {
            return SettingsValues.strings(PREFIX + key, value, false);
        }
        if (current instanceof Integer) {
            return SettingsValues.integer(PREFIX + key, value);
        }
        try {
            return Durations.parse(value.asText());
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    private static void positive(String key, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw invalid(key, "must be a positive duration, was " + duration);
        }
    }

    private static List<String> copy(String key, List<String> list) {
        return SettingsValues.copy(PREFIX + key, list);
    }

    private static IllegalArgumentException invalid(String key, String problem) {
        return SettingsValues.invalid(PREFIX + key, problem);
    }
}
