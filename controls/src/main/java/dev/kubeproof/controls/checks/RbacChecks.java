package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.Json;

/** RBAC least privilege (KP-RBAC-*), over Roles, ClusterRoles and their bindings. */
final class RbacChecks {

    /** Subjects that stand for everybody: never "system" in the trusted sense. */
    private static final Set<String> EVERYBODY = Set.of("system:anonymous", "system:unauthenticated",
            "system:authenticated", "system:serviceaccounts");
    private static final Set<String> WRITE_VERBS = Set.of("*", "create", "update", "patch", "delete", "deletecollection",
            "escalate", "bind", "impersonate");
    private static final Set<String> SECRET_READ_VERBS = Set.of("*", "list", "watch");
    /** Built-in ClusterRoles that only read (and not Secrets); bindings to them need no review. */
    private static final Set<String> BUILT_IN_READ_ONLY = Set.of("view", "system:basic-user", "system:discovery",
            "system:public-info-viewer");

    private RbacChecks() {
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-RBAC-001", RbacChecks::clusterAdminToNonSystem);
        checks.put("KP-RBAC-002", rolesOnly(RbacChecks::wildcards));
        checks.put("KP-RBAC-003", rolesOnly(RbacChecks::secretRead));
        checks.put("KP-RBAC-004", RbacChecks::anonymousBindings);
        checks.put("KP-RBAC-005", RbacChecks::clusterWideWrites);
        checks.put("KP-RBAC-006", rolesOnly(grants("", "pods", Set.of("create"), "can create pods")));
        checks.put("KP-RBAC-007", RbacChecks::systemMastersBindings);
        checks.put("KP-RBAC-008", rolesOnly(grants("", "persistentvolumes", Set.of("create"),
                "can create persistent volumes")));
        checks.put("KP-RBAC-009", rolesOnly(grants("", "nodes/proxy", Set.of(), "can reach the kubelet through nodes/proxy")));
        checks.put("KP-RBAC-010", rolesOnly(grants("certificates.k8s.io", "certificatesigningrequests/approval",
                Set.of("update", "patch"), "can approve certificate signing requests")));
        checks.put("KP-RBAC-011", rolesOnly(grants("admissionregistration.k8s.io", List.of("validatingwebhookconfigurations",
                "mutatingwebhookconfigurations"), Set.of("create", "update", "patch", "delete", "deletecollection"),
                "can change admission webhook configurations")));
        checks.put("KP-RBAC-012", rolesOnly(grants("", "serviceaccounts/token", Set.of("create"),
                "can create service account tokens")));
    }

    private static Function<Subject, Verdict> grants(String group, String resource, Set<String> verbs, String what) {
        return grants(group, List.of(resource), verbs, what);
    }

    /**
     * FAIL for every rule that grants one of {@code verbs} (any verb when empty) on one of the resources of the API
     * group, wildcards included as the API server matches them: {@code *} groups, resources and verbs, and
     * {@code pods/*} for a sub-resource of pods.
     */
    private static Function<Subject, Verdict> grants(String group, List<String> resources, Set<String> verbs, String what) {
        return subject -> {
            List<Finding> findings = new ArrayList<>();
            List<JsonNode> rules = Json.elements(subject.object(), "rules");
            for (int i = 0; i < rules.size(); i++) {
                JsonNode rule = rules.get(i);
                List<String> ruleVerbs = Json.strings(rule, "verbs");
                if (grantsOn(rule, group, resources, verbs)) {
                    findings.add(new Finding("rules[" + i + "]", null, Json.show(rule),
                            subject.kind() + " " + subject.name() + " rule " + i + " " + what + " (verbs " + ruleVerbs + ")"));
                }
            }
            return Verdict.of(findings, "no rule " + what);
        };
    }

    /** Whether one rule grants one of the verbs (any when empty) on one of the resources of the group. */
    private static boolean grantsOn(JsonNode rule, String group, List<String> resources, Set<String> verbs) {
        List<String> ruleGroups = Json.strings(rule, "apiGroups");
        List<String> ruleVerbs = Json.strings(rule, "verbs");
        boolean groupMatches = ruleGroups.contains(group) || ruleGroups.contains("*");
        boolean verbMatches = ruleVerbs.contains("*") || verbs.isEmpty() && !ruleVerbs.isEmpty()
                || ruleVerbs.stream().anyMatch(verbs::contains);
        return groupMatches && verbMatches
                && resources.stream().anyMatch(resource -> resourceMatches(Json.strings(rule, "resources"), resource));
    }

    /** As the API server matches a rule's resources: {@code *}, the resource itself, or {@code parent/*}. */
    private static boolean resourceMatches(List<String> ruleResources, String resource) {
        int slash = resource.indexOf('/');
        return ruleResources.contains("*") || ruleResources.contains(resource)
                || slash > 0 && ruleResources.contains(resource.substring(0, slash) + "/*");
    }

    private static Verdict systemMastersBindings(Subject subject) {
        return subjectsBound(subject, s -> s.path("kind").asText().equals("Group")
                        && s.path("name").asText().equals("system:masters"),
                s -> "binds role " + subject.object().path("roleRef").path("name").asText()
                        + " to system:masters, whose members bypass authorization anyway", "does not bind system:masters");
    }

    /** The user-facing roles Kubernetes bootstraps besides its system:* ones. */
    private static final Set<String> BOOTSTRAP_NAMES = Set.of("cluster-admin", "admin", "edit", "view");

    /**
     * Kubernetes' own defaults, reconciled by the API server: users cannot meaningfully fix them. The label alone is
     * not enough, since anyone can copy it onto their own role (Falco's wildcard-role trace does); the name must be
     * one Kubernetes bootstraps.
     */
    private static boolean builtIn(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        String name = metadata.path("name").asText("");
        return metadata.path("labels").path("kubernetes.io/bootstrapping").asText("").equals("rbac-defaults")
                && (name.startsWith("system:") || BOOTSTRAP_NAMES.contains(name));
    }

    private static Check rolesOnly(Function<Subject, Verdict> check) {
        return subject -> builtIn(subject.object())
                ? Verdict.notApplicable("built-in Kubernetes role (kubernetes.io/bootstrapping: rbac-defaults)")
                : check.apply(subject);
    }

    private static Verdict clusterAdminToNonSystem(Subject subject) {
        JsonNode roleRef = subject.object().path("roleRef");
        if (!roleRef.path("kind").asText().equals("ClusterRole") || !roleRef.path("name").asText().equals("cluster-admin")) {
            return Verdict.pass("does not bind cluster-admin");
        }
        List<Finding> findings = new ArrayList<>();
        List<JsonNode> subjects = Json.elements(subject.object(), "subjects");
        for (int i = 0; i < subjects.size(); i++) {
            if (!isSystemSubject(subjects.get(i), subject.settings())) {
                findings.add(new Finding("subjects[" + i + "]", null, Json.show(subjects.get(i)),
                        subject.kind() + " " + subject.name() + " binds cluster-admin to " + describe(subjects.get(i))));
            }
        }
        return Verdict.of(findings, "binds cluster-admin only to system subjects");
    }

    private static Verdict wildcards(Subject subject) {
        List<Finding> findings = new ArrayList<>();
        List<JsonNode> rules = Json.elements(subject.object(), "rules");
        for (int i = 0; i < rules.size(); i++) {
            for (String field : List.of("verbs", "resources")) {
                if (Json.strings(rules.get(i), field).contains("*")) {
                    findings.add(new Finding("rules[" + i + "]." + field, null, Json.show(rules.get(i).path(field)),
                            subject.kind() + " " + subject.name() + " rule " + i + " grants wildcard " + field));
                }
            }
        }
        return Verdict.of(findings, "no rule uses a wildcard verb or resource");
    }

    private static Verdict secretRead(Subject subject) {
        List<Finding> findings = new ArrayList<>();
        List<JsonNode> rules = Json.elements(subject.object(), "rules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            // list/watch return every Secret's data; get is broad only when not limited to named Secrets.
            if (grantsOn(rule, "", List.of("secrets"), SECRET_READ_VERBS)
                    || grantsOn(rule, "", List.of("secrets"), Set.of("get")) && rule.path("resourceNames").size() == 0) {
                findings.add(new Finding("rules[" + i + "]", null, Json.show(rule), subject.kind() + " " + subject.name()
                        + " rule " + i + " can read all Secrets (verbs " + Json.strings(rule, "verbs") + ")"));
            }
        }
        return Verdict.of(findings, "grants no broad read access to Secrets");
    }

    private static Verdict anonymousBindings(Subject subject) {
        return subjectsBound(subject, s -> s.path("name").asText().equals("system:anonymous")
                        || s.path("name").asText().equals("system:unauthenticated"),
                s -> "grants role " + subject.object().path("roleRef").path("name").asText() + " to "
                        + s.path("name").asText(), "binds nothing to system:anonymous or system:unauthenticated");
    }

    /**
     * A binding's subjects that match, each a finding (built-in bindings are not judged: Kubernetes reconciles them).
     *
     * @param says what a matching subject's finding says after the binding's kind and name
     */
    private static Verdict subjectsBound(Subject subject, java.util.function.Predicate<JsonNode> matches,
                                         Function<JsonNode, String> says, String passMessage) {
        if (builtIn(subject.object())) {
            return Verdict.notApplicable("built-in Kubernetes binding (kubernetes.io/bootstrapping: rbac-defaults)");
        }
        List<Finding> findings = new ArrayList<>();
        List<JsonNode> subjects = Json.elements(subject.object(), "subjects");
        for (int i = 0; i < subjects.size(); i++) {
            if (matches.test(subjects.get(i))) {
                findings.add(new Finding("subjects[" + i + "]", null, Json.show(subjects.get(i)),
                        subject.kind() + " " + subject.name() + " " + says.apply(subjects.get(i))));
            }
        }
        return Verdict.of(findings, passMessage);
    }

    private static Verdict clusterWideWrites(Subject subject) {
        if (builtIn(subject.object())) {
            return Verdict.notApplicable("built-in Kubernetes binding (kubernetes.io/bootstrapping: rbac-defaults)");
        }
        List<JsonNode> subjects = Json.elements(subject.object(), "subjects");
        List<String> nonSystem = subjects.stream().filter(s -> !isSystemSubject(s, subject.settings())).map(RbacChecks::describe).toList();
        if (nonSystem.isEmpty()) {
            return Verdict.pass("binds only system subjects");
        }
        String roleName = subject.object().path("roleRef").path("name").asText();
        if (BUILT_IN_READ_ONLY.contains(roleName)) {
            return Verdict.pass("binds the built-in read-only ClusterRole " + roleName);
        }
        Optional<JsonNode> role = subject.view().objects("ClusterRole", null).stream()
                .filter(r -> r.path("metadata").path("name").asText().equals(roleName)).findFirst();
        if (role.isEmpty()) {
            return Verdict.fail(List.of(new Finding("roleRef.name", null, Json.show(subject.object().path("roleRef").path("name")),
                    "ClusterRoleBinding " + subject.name() + " grants ClusterRole " + roleName + ", which cannot be reviewed (not found), to " + nonSystem)));
        }
        List<String> writes = new ArrayList<>();
        for (JsonNode rule : Json.elements(role.get(), "rules")) {
            Json.strings(rule, "verbs").stream().filter(WRITE_VERBS::contains).filter(v -> !writes.contains(v)).forEach(writes::add);
        }
        if (writes.isEmpty()) {
            return Verdict.pass("ClusterRole " + roleName + " only reads");
        }
        return Verdict.fail(List.of(new Finding("roleRef.name", null, Json.show(subject.object().path("roleRef").path("name")),
                "ClusterRoleBinding " + subject.name() + " grants cluster-wide " + writes + " of ClusterRole " + roleName + " to " + nonSystem)));
    }

    /**
     * Kubernetes' own identities (system:masters, system:kube-controller-manager, service accounts of system
     * namespaces): not the "everybody" groups, and not users' service accounts.
     */
    static boolean isSystemSubject(JsonNode subject, ControlSettings settings) {
        String kind = subject.path("kind").asText();
        String name = subject.path("name").asText();
        if (kind.equals("ServiceAccount")) {
            return settings.systemNamespaces().contains(subject.path("namespace").asText());
        }
        if (EVERYBODY.contains(name) || name.startsWith("system:serviceaccounts:")) {
            return false;
        }
        if (name.startsWith("system:serviceaccount:")) {
            String[] parts = name.split(":");
            return parts.length == 4 && settings.systemNamespaces().contains(parts[2]);
        }
        return name.startsWith("system:");
    }

    private static String describe(JsonNode subject) {
        String namespace = subject.path("namespace").asText("");
        return subject.path("kind").asText() + " " + (namespace.isEmpty() ? "" : namespace + "/") + subject.path("name").asText();
    }
}
