package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.CommandLine;
import dev.kubeproof.controls.k8s.Container;
import dev.kubeproof.controls.k8s.Json;
import dev.kubeproof.controls.k8s.KubeVersion;

/**
 * Cluster infrastructure (KP-INF-*): kubelet versions, and the flags of control-plane static pods (kube-apiserver,
 * etcd, ...) where the cluster runs them as pods, plus the API server's exposure through Services. Managed control
 * planes do not show their flags; there these controls are NOT_APPLICABLE (no such pod).
 */
final class InfrastructureChecks {

    private static final Set<String> PROFILED_COMPONENTS = Set.of("kube-apiserver", "kube-controller-manager", "kube-scheduler");
    private static final Set<String> OPEN_TO_ALL = Set.of("0.0.0.0/0", "::/0");

    private InfrastructureChecks() {
    }

    /** A control-plane component's container and its parsed flags. */
    private record Component(String binary, Container container, CommandLine flags) {
        /** Where a missing flag belongs: the container's command (static pods put flags there). */
        String commandPath() {
            return container.field(container.node().has("command") || !container.node().has("args") ? "command" : "args");
        }
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-INF-001", InfrastructureChecks::kubeletVersion);
        checks.put("KP-INF-002", apiServer(c -> flagEquals(c, "anonymous-auth", "false", "allows anonymous requests")));
        checks.put("KP-INF-003", apiServer(InfrastructureChecks::authorizationMode));
        checks.put("KP-INF-004", apiServer(InfrastructureChecks::auditLogging));
        checks.put("KP-INF-005", apiServer(c -> flagSet(c, "encryption-provider-config", "does not encrypt Secrets at rest")));
        checks.put("KP-INF-006", apiServer(InfrastructureChecks::clientAuthentication));
        checks.put("KP-INF-007", component(PROFILED_COMPONENTS, c -> flagEquals(c, "profiling", "false", "exposes profiling endpoints")));
        checks.put("KP-INF-008", component(Set.of("etcd"), c -> etcdTls(c, "client-cert-auth", "cert-file", "key-file", "trusted-ca-file", "client")));
        checks.put("KP-INF-009", component(Set.of("etcd"), c -> etcdTls(c, "peer-client-cert-auth", "peer-cert-file", "peer-key-file", "peer-trusted-ca-file", "peer")));
        checks.put("KP-INF-010", InfrastructureChecks::apiServerExposure);
    }

    private static Verdict kubeletVersion(Subject subject) {
        JsonNode reported = Json.at(subject.object(), "status.nodeInfo.kubeletVersion");
        Optional<KubeVersion> version = KubeVersion.parse(reported.asText(""));
        if (version.isEmpty()) {
            return Verdict.notApplicable("the node reports no parsable kubelet version");
        }
        KubeVersion minimum = KubeVersion.parse(subject.settings().minimumKubernetesVersion()).orElseThrow();
        if (version.get().compareTo(minimum) >= 0) {
            return Verdict.pass("kubelet " + reported.asText() + " is supported (minimum " + minimum + ")");
        }
        return Verdict.fail(List.of(new Finding("status.nodeInfo.kubeletVersion", null, Json.show(reported),
                "node " + subject.name() + " runs kubelet " + reported.asText() + ", older than the supported minimum " + minimum)));
    }

    private static Check apiServer(Function<Component, List<Finding>> rule) {
        return component(Set.of("kube-apiserver"), rule);
    }

    /** A check over the containers of a pod that run one of {@code binaries}; NOT_APPLICABLE for any other pod. */
    private static Check component(Set<String> binaries, Function<Component, List<Finding>> rule) {
        return subject -> {
            List<Component> components = new ArrayList<>();
            subject.podSpec().ifPresent(pod -> pod.containers().forEach(container -> {
                CommandLine flags = CommandLine.of(container);
                binaries.stream().filter(flags::runs).findFirst()
                        .ifPresent(binary -> components.add(new Component(binary, container, flags)));
            }));
            if (components.isEmpty()) {
                return Verdict.notApplicable("not a " + String.join("/", binaries.stream().sorted().toList()) + " pod");
            }
            List<Finding> findings = new ArrayList<>();
            components.forEach(c -> findings.addAll(rule.apply(c)));
            return Verdict.of(findings, components.get(0).binary() + " is configured as required");
        };
    }

    private static List<Finding> flagEquals(Component c, String flag, String expected, String problem) {
        Optional<CommandLine.Argument> argument = c.flags().flag(flag);
        if (argument.isPresent() && argument.get().value().equals(expected)) {
            return List.of();
        }
        return List.of(argument
                .map(a -> new Finding(a.path(), c.container().name(), quote("--" + flag + "=" + a.value()),
                        c.binary() + " " + problem + " (--" + flag + "=" + a.value() + ")"))
                .orElseGet(() -> new Finding(c.commandPath(), c.container().name(), null,
                        c.binary() + " " + problem + ": --" + flag + "=" + expected + " is not set")));
    }

    private static List<Finding> flagSet(Component c, String flag, String problem) {
        Optional<CommandLine.Argument> argument = c.flags().flag(flag);
        if (argument.isPresent() && !argument.get().value().isBlank()) {
            return List.of();
        }
        return List.of(new Finding(c.commandPath(), c.container().name(), null,
                c.binary() + " " + problem + ": --" + flag + " is not set"));
    }

    private static List<Finding> authorizationMode(Component c) {
        Optional<CommandLine.Argument> argument = c.flags().flag("authorization-mode");
        // Without the flag the API server authorizes everything (AlwaysAllow).
        List<String> modes = argument.map(a -> Arrays.asList(a.value().split(","))).orElse(List.of("AlwaysAllow"));
        if (modes.contains("RBAC") && !modes.contains("AlwaysAllow")) {
            return List.of();
        }
        String problem = modes.contains("AlwaysAllow") ? "authorizes every request (AlwaysAllow)" : "does not use RBAC authorization";
        return List.of(argument
                .map(a -> new Finding(a.path(), c.container().name(), quote("--authorization-mode=" + a.value()), "kube-apiserver " + problem))
                .orElseGet(() -> new Finding(c.commandPath(), c.container().name(), null,
                        "kube-apiserver " + problem + ": --authorization-mode is not set")));
    }

    private static List<Finding> auditLogging(Component c) {
        List<Finding> findings = new ArrayList<>();
        // Without a policy file the API server records no events, whatever backend is configured.
        findings.addAll(flagSet(c, "audit-policy-file", "records no audit events"));
        boolean backend = c.flags().flag("audit-log-path").isPresent() || c.flags().flag("audit-webhook-config-file").isPresent();
        if (!backend) {
            findings.add(new Finding(c.commandPath(), c.container().name(), null,
                    "kube-apiserver has no audit backend: neither --audit-log-path nor --audit-webhook-config-file is set"));
        }
        return findings;
    }

    private static List<Finding> clientAuthentication(Component c) {
        boolean configured = c.flags().flag("client-ca-file").isPresent() || c.flags().flag("oidc-issuer-url").isPresent()
                || c.flags().flag("authentication-config").isPresent();
        return configured ? List.of()
                : List.of(new Finding(c.commandPath(), c.container().name(), null,
                        "kube-apiserver authenticates users neither by client certificates (--client-ca-file) nor OIDC (--oidc-issuer-url / --authentication-config)"));
    }

    private static List<Finding> etcdTls(Component c, String authFlag, String certFlag, String keyFlag, String caFlag, String side) {
        List<Finding> findings = new ArrayList<>();
        findings.addAll(flagEquals(c, authFlag, "true", "does not require " + side + " certificates"));
        for (String flag : List.of(certFlag, keyFlag, caFlag)) {
            findings.addAll(flagSet(c, flag, "lacks " + side + " TLS material"));
        }
        return findings;
    }

    private static Verdict apiServerExposure(Subject subject) {
        JsonNode service = subject.object();
        String type = Json.text(service, "spec.type").orElse("ClusterIP");
        boolean apiServer = (subject.name().equals("kubernetes") && subject.namespaceOrDefault().equals("default"))
                || Json.at(service, "spec.selector").path("component").asText("").equals("kube-apiserver")
                || Json.elements(service, "spec.ports").stream()
                        .anyMatch(p -> p.path("targetPort").asText(p.path("port").asText()).equals("6443"));
        if (!apiServer) {
            return Verdict.notApplicable("not a Service in front of the API server");
        }
        if (type.equals("NodePort")) {
            return Verdict.fail(List.of(new Finding("spec.type", null, quote(type),
                    "Service " + subject.name() + " exposes the API server on every node's address (NodePort)")));
        }
        if (type.equals("LoadBalancer")) {
            List<String> ranges = Json.strings(service, "spec.loadBalancerSourceRanges");
            if (ranges.isEmpty() || ranges.stream().anyMatch(OPEN_TO_ALL::contains)) {
                return Verdict.fail(List.of(new Finding("spec.type", null, quote(type),
                        "Service " + subject.name() + " exposes the API server through a load balancer open to any address")));
            }
            return Verdict.pass("the API server load balancer only accepts " + ranges);
        }
        return Verdict.pass("the API server Service is internal (" + type + ")");
    }

    private static String quote(String text) {
        return TextNode.valueOf(text).toString();
    }
}
