package dev.kubeproof.controls.checks;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.pss.PodSecurityStandard;

/** Every built-in check, by control id. The engine validates this map against the catalog at start-up. */
public final class BuiltInChecks {

    private BuiltInChecks() {
    }

    public static Map<String, Check> all() {
        Map<String, Check> checks = new LinkedHashMap<>();
        PodSecurityChecks.register(checks);
        PodSecurityStandard.register(checks);
        ImageChecks.register(checks);
        SecretChecks.register(checks);
        NamespaceChecks.register(checks);
        NetworkChecks.register(checks);
        ResourceChecks.register(checks);
        RbacChecks.register(checks);
        InfrastructureChecks.register(checks);
        return Map.copyOf(checks);
    }
}
