package dev.kubeproof.controls.runtime;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditObjectReference;
import dev.kubeproof.avro.AuditStage;
import dev.kubeproof.avro.UserInfo;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.k8s.Json;

/**
 * The runtime controls that judge one audit event on its own (KP-RUN-001..006, 008). The two that need memory, the
 * denial burst (KP-RUN-007, {@link DenialBurst}) and the silent audit stream (KP-RUN-009), are kept by the evidence
 * topology with the thresholds of {@link #settings()}. Stateless and thread-safe.
 *
 * <p>A request the API server denied (401/403, or an admission webhook's refusal) is still a detection of the
 * runtime controls that judge what was asked (exec, privileged pods, RBAC grants, impersonation): it is recorded as an
 * attempt, with the response code and reason, never as something that happened. Detections in system namespaces are
 * detections: nothing is exempt by namespace.
 */
public final class AuditRules {
    public static final String EXEC = "KP-RUN-001";
    public static final String ANONYMOUS = "KP-RUN-002";
    public static final String RBAC_ESCALATION = "KP-RUN-003";
    public static final String SECRET_READ = "KP-RUN-004";
    public static final String PRIVILEGED_WORKLOAD = "KP-RUN-005";
    public static final String IMPERSONATION = "KP-RUN-006";
    public static final String DENIAL_BURST = "KP-RUN-007";
    public static final String SOURCE_NETWORK = "KP-RUN-008";
    public static final String AUDIT_SILENCE = "KP-RUN-009";
    public static final String SYSTEM_NAMESPACE_WORKLOAD = "KP-RUN-010";
    /** Every runtime control kubeproof has code for. */
    public static final Set<String> CONTROL_IDS = Set.of(EXEC, ANONYMOUS, RBAC_ESCALATION, SECRET_READ,
            PRIVILEGED_WORKLOAD, IMPERSONATION, DENIAL_BURST, SOURCE_NETWORK, AUDIT_SILENCE, SYSTEM_NAMESPACE_WORKLOAD);

    private static final Set<String> INTERACTIVE = Set.of("exec", "attach", "portforward");
    private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");
    private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch");
    private static final Set<String> ROLE_RESOURCES = Set.of("roles", "clusterroles");
    private static final Set<String> BINDING_RESOURCES = Set.of("rolebindings", "clusterrolebindings");
    private static final Set<String> WORKLOAD_RESOURCES = Set.of("pods", "deployments", "statefulsets", "daemonsets",
            "replicasets", "replicationcontrollers", "jobs", "cronjobs");
    private static final Set<String> ESCALATION_VERBS = Set.of("escalate", "bind", "impersonate");
    private static final Set<String> ANONYMOUS_NAMES = Set.of("system:anonymous");
    private static final Set<String> ANONYMOUS_GROUPS = Set.of("system:unauthenticated");

    private final RuntimeSettings settings;
    private final Set<String> systemNamespaces;
    private final Function<JsonNode, List<Finding>> workloadRisks;
    private final Set<String> enabled;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param settings         thresholds and lists
     * @param systemNamespaces the platform's namespaces (the control settings' {@code systemNamespaces})
     * @param workloadRisks the findings of the deploy controls a privileged workload fails (privileged, host
     *                      namespaces, sensitive hostPath), for the object a request carries; the same code judges
     *                      a running pod and a requested one
     * @param enabled       the runtime controls of the catalog in use; others are never reported
     */
    public AuditRules(RuntimeSettings settings, Set<String> systemNamespaces, Function<JsonNode, List<Finding>> workloadRisks,
                      Set<String> enabled) {
        this.settings = settings;
        this.systemNamespaces = Set.copyOf(systemNamespaces);
        this.workloadRisks = workloadRisks;
        this.enabled = Set.copyOf(enabled);
    }

    /** No runtime control: for evaluators without a catalog of them. */
    public static AuditRules none() {
        return new AuditRules(RuntimeSettings.defaults(), Set.of(), object -> List.of(), Set.of());
    }

    public RuntimeSettings settings() {
        return settings;
    }

    public boolean enabled(String controlId) {
        return enabled.contains(controlId);
    }

    /** Everything the event shows, in control order; empty for a routine event. */
    public List<Detection> evaluate(AuditEvent event) {
        return evaluate(event, SuperuserRoles.NONE);
    }

    /**
     * Everything the event shows; {@code superuserRoles} says which roles grant everything ({@code *} on {@code *}),
     * so that a binding to one counts like a binding to cluster-admin.
     */
    public List<Detection> evaluate(AuditEvent event, SuperuserRoles superuserRoles) {
        if (!judged(event)) {
            return List.of();
        }
        List<Detection> detections = new ArrayList<>();
        interactive(event).ifPresent(detections::add);
        anonymous(event).ifPresent(detections::add);
        rbac(event, superuserRoles).ifPresent(detections::add);
        secretRead(event).ifPresent(detections::add);
        privilegedWorkload(event).ifPresent(detections::add);
        impersonation(event).ifPresent(detections::add);
        sourceNetwork(event).ifPresent(detections::add);
        systemNamespaceWorkload(event).ifPresent(detections::add);
        return detections.stream().filter(d -> enabled.contains(d.controlId())).toList();
    }

    /**
     * The stage at which a request is judged, once: ResponseComplete; for exec, attach and port-forward the
     * ResponseStarted of the upgraded connection (their ResponseComplete arrives only when the session ends).
     */
    public static boolean judged(AuditEvent event) {
        boolean interactive = isInteractive(event);
        if (event.getStage() == AuditStage.ResponseStarted) {
            return interactive;
        }
        if (event.getStage() != AuditStage.ResponseComplete) {
            return false;
        }
        // A session that started was judged at ResponseStarted (101 Switching Protocols).
        return !(interactive && code(event) == 101);
    }

    /**
     * True when a rule reads the event's request or response body (writes of RBAC objects and workloads): every
     * other event can travel without them.
     */
    public static boolean needsBodies(AuditEvent event) {
        AuditObjectReference ref = event.getObjectRef();
        return ref != null && ref.getSubresource() == null && WRITE_VERBS.contains(event.getVerb())
                && (ROLE_RESOURCES.contains(ref.getResource()) || BINDING_RESOURCES.contains(ref.getResource())
                || WORKLOAD_RESOURCES.contains(ref.getResource()));
    }

    /** True when the API server refused the request: 401, 403, or the authorizer's forbid decision. */
    public static boolean isDenied(AuditEvent event) {
        int code = code(event);
        return code == 401 || code == 403
                || "forbid".equals(event.getAnnotations().get("authorization.k8s.io/decision"));
    }

    /** The principal who made the request (the impersonator when impersonation was used). */
    public static String principal(AuditEvent event) {
        UserInfo user = event.getUser();
        return user == null || user.getUsername() == null ? "unknown" : user.getUsername();
    }

    // ---------------------------------------------------------------- KP-RUN-001

    private Optional<Detection> interactive(AuditEvent event) {
        if (!isInteractive(event)) {
            return Optional.empty();
        }
        AuditObjectReference ref = event.getObjectRef();
        if (!settings.execNamespaces().isEmpty() && !settings.execNamespaces().contains(ref.getNamespace())) {
            return Optional.empty();
        }
        List<String> command = query(event.getRequestUri(), "command");
        List<String> containers = query(event.getRequestUri(), "container");
        String container = containers.isEmpty() ? null : containers.get(0);
        String action = switch (ref.getSubresource()) {
            case "exec" -> "exec into";
            case "attach" -> "attach to";
            default -> "port-forward to";
        };
        List<Finding> findings = new ArrayList<>();
        findings.add(new Finding("objectRef.subresource", container, quoted(ref.getSubresource()),
                "pods/" + ref.getSubresource() + " by " + principal(event)));
        if (!command.isEmpty()) {
            findings.add(new Finding("requestURI.command", container, quoted(String.join(" ", command)),
                    "command " + String.join(" ", command)));
        }
        List<String> ports = query(event.getRequestUri(), "ports");
        if (!ports.isEmpty()) {
            findings.add(new Finding("requestURI.ports", null, quoted(String.join(",", ports)), "ports " + String.join(",", ports)));
        }
        String message = principal(event) + " " + action + " pod " + ref.getNamespace() + "/" + ref.getName()
                + (container == null ? "" : " container " + container)
                + (command.isEmpty() ? "" : ": " + String.join(" ", command));
        return Optional.of(detection(EXEC, objectSubject(event, "Pod", "v1"), message, findings, event, true));
    }

    private static boolean isInteractive(AuditEvent event) {
        AuditObjectReference ref = event.getObjectRef();
        return ref != null && "pods".equals(ref.getResource()) && ref.getSubresource() != null
                && INTERACTIVE.contains(ref.getSubresource());
    }

    // ---------------------------------------------------------------- KP-RUN-002

    private Optional<Detection> anonymous(AuditEvent event) {
        UserInfo user = event.getUser();
        boolean anonymous = user != null && ((user.getUsername() != null && ANONYMOUS_NAMES.contains(user.getUsername()))
                || user.getGroups().stream().anyMatch(ANONYMOUS_GROUPS::contains));
        if (!anonymous || isDenied(event) || code(event) >= 400) {
            return Optional.empty();
        }
        String path = event.getRequestUri().split("\\?", 2)[0];
        if (event.getObjectRef() == null && settings.anonymousAllowedPaths().stream().anyMatch(path::equals)) {
            return Optional.empty(); // public discovery information: readable by anyone in default RBAC
        }
        String message = "anonymous request allowed: " + event.getVerb() + " " + path + " (" + code(event) + ")";
        return Optional.of(detection(ANONYMOUS, Detection.Subject.user(principal(event)), message,
                List.of(new Finding("requestURI", null, quoted(event.getRequestUri()), message)), event, false));
    }

    // ---------------------------------------------------------------- KP-RUN-003

    /** Roles known to grant every verb on every resource, by kind ({@code Role}, {@code ClusterRole}), namespace, name. */
    public interface SuperuserRoles {
        SuperuserRoles NONE = (kind, namespace, name) -> false;

        boolean grantsEverything(String kind, String namespace, String name);
    }

    /**
     * For a successful create/update of a Role or ClusterRole whose body the event carries: whether it grants every
     * verb on every resource of every group. Empty for any other event.
     */
    public Optional<Boolean> roleGrantsEverything(AuditEvent event) {
        AuditObjectReference ref = event.getObjectRef();
        if (ref == null || ref.getSubresource() != null || !WRITE_VERBS.contains(event.getVerb())
                || !ROLE_RESOURCES.contains(ref.getResource()) || isDenied(event) || code(event) >= 400) {
            return Optional.empty();
        }
        return requestedObject(event).map(role -> Json.elements(role, "rules").stream().anyMatch(rule ->
                Json.strings(rule, "verbs").contains("*") && Json.strings(rule, "resources").contains("*")
                        && Json.strings(rule, "apiGroups").contains("*")));
    }

    private Optional<Detection> rbac(AuditEvent event, SuperuserRoles superuserRoles) {
        AuditObjectReference ref = event.getObjectRef();
        if (ref == null || ref.getSubresource() != null || !WRITE_VERBS.contains(event.getVerb())
                || !"rbac.authorization.k8s.io".equals(ref.getApiGroup())) {
            return Optional.empty();
        }
        Optional<JsonNode> body = requestedObject(event);
        if (body.isEmpty()) {
            return Optional.empty();
        }
        List<Finding> findings = new ArrayList<>();
        String what;
        if (ROLE_RESOURCES.contains(ref.getResource())) {
            findings.addAll(dangerousGrants(body.get()));
            what = ("roles".equals(ref.getResource()) ? "Role " : "ClusterRole ");
        } else if (BINDING_RESOURCES.contains(ref.getResource())) {
            JsonNode roleRef = body.get().path("roleRef");
            String roleKind = roleRef.path("kind").asText();
            String roleName = roleRef.path("name").asText();
            if ("ClusterRole".equals(roleKind) && "cluster-admin".equals(roleName)) {
                findings.add(new Finding("roleRef.name", null, "\"cluster-admin\"", "binds cluster-admin to "
                        + subjects(body.get())));
            } else if (superuserRoles.grantsEverything(roleKind, "Role".equals(roleKind) ? ref.getNamespace() : null,
                    roleName)) {
                findings.add(new Finding("roleRef.name", null, quoted(roleName), "binds " + roleKind + " " + roleName
                        + " (grants * on *) to " + subjects(body.get())));
            }
            what = ("rolebindings".equals(ref.getResource()) ? "RoleBinding " : "ClusterRoleBinding ");
        } else {
            return Optional.empty();
        }
        if (findings.isEmpty()) {
            return Optional.empty();
        }
        Detection.Subject subject = objectSubject(event, what.trim(), "rbac.authorization.k8s.io/v1");
        String message = principal(event) + " " + pastTense(event.getVerb()) + " " + what + qualified(subject) + ": "
                + findings.get(0).message() + (findings.size() > 1 ? " (+" + (findings.size() - 1) + " more)" : "");
        return Optional.of(detection(RBAC_ESCALATION, subject, message, findings, event, true));
    }

    /** The grants of a Role or ClusterRole that let their holder escalate: wildcards, exec, secrets, escalate/bind/impersonate. */
    static List<Finding> dangerousGrants(JsonNode role) {
        List<Finding> findings = new ArrayList<>();
        List<JsonNode> rules = Json.elements(role, "rules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            List<String> verbs = Json.strings(rule, "verbs");
            List<String> resources = Json.strings(rule, "resources");
            String at = "rules[" + i + "]";
            if (verbs.contains("*")) {
                findings.add(new Finding(at + ".verbs", null, Json.show(rule.path("verbs")), "grants every verb (*)"));
            }
            if (resources.contains("*")) {
                findings.add(new Finding(at + ".resources", null, Json.show(rule.path("resources")), "grants every resource (*)"));
            }
            boolean anyVerb = verbs.contains("*");
            for (String resource : resources) {
                if ((resource.equals("pods/exec") || resource.equals("pods/attach") || resource.equals("pods/*"))
                        && (anyVerb || verbs.contains("create") || verbs.contains("get"))) {
                    findings.add(new Finding(at + ".resources", null, Json.show(rule.path("resources")), "grants " + resource));
                }
                if (resource.equals("secrets") && (anyVerb || verbs.stream().anyMatch(READ_VERBS::contains))) {
                    findings.add(new Finding(at + ".resources", null, Json.show(rule.path("resources")), "grants reading secrets"));
                }
            }
            for (String verb : verbs) {
                if (ESCALATION_VERBS.contains(verb)) {
                    findings.add(new Finding(at + ".verbs", null, Json.show(rule.path("verbs")), "grants " + verb));
                }
            }
        }
        return findings;
    }

    // ---------------------------------------------------------------- KP-RUN-004

    private Optional<Detection> secretRead(AuditEvent event) {
        AuditObjectReference ref = event.getObjectRef();
        if (ref == null || !"secrets".equals(ref.getResource()) || ref.getSubresource() != null
                || !READ_VERBS.contains(event.getVerb()) || isDenied(event) || code(event) >= 400
                || settings.isAutomation(principal(event), groups(event))) {
            return Optional.empty();
        }
        String target = ref.getName() == null ? "secrets in " + (ref.getNamespace() == null ? "all namespaces" : "namespace " + ref.getNamespace())
                : "secret " + qualified(ref);
        String message = principal(event) + " read " + target + " (" + event.getVerb() + ")";
        return Optional.of(detection(SECRET_READ, Detection.Subject.user(principal(event)), message,
                List.of(new Finding("objectRef", null, quoted(qualified(ref)), message)), event, false));
    }

    // ---------------------------------------------------------------- KP-RUN-005

    private Optional<Detection> privilegedWorkload(AuditEvent event) {
        AuditObjectReference ref = event.getObjectRef();
        if (ref == null || ref.getSubresource() != null || !WRITE_VERBS.contains(event.getVerb())
                || !WORKLOAD_RESOURCES.contains(ref.getResource())) {
            return Optional.empty();
        }
        Optional<JsonNode> body = requestedObject(event);
        if (body.isEmpty() || !body.get().path("kind").isTextual()) {
            return Optional.empty();
        }
        List<Finding> risks = workloadRisks.apply(body.get());
        if (risks.isEmpty()) {
            return Optional.empty();
        }
        String kind = body.get().path("kind").asText();
        Detection.Subject subject = objectSubject(event, kind, body.get().path("apiVersion").asText("v1"));
        String message = principal(event) + " " + pastTense(event.getVerb()) + " " + kind + " " + qualified(subject)
                + ": " + risks.get(0).message() + (risks.size() > 1 ? " (+" + (risks.size() - 1) + " more)" : "");
        return Optional.of(detection(PRIVILEGED_WORKLOAD, subject, message, risks, event, true));
    }

    // ---------------------------------------------------------------- KP-RUN-006

    private Optional<Detection> impersonation(AuditEvent event) {
        UserInfo as = event.getImpersonatedUser();
        if (as == null) {
            return Optional.empty();
        }
        String message = principal(event) + " impersonated " + as.getUsername()
                + (as.getGroups().isEmpty() ? "" : " (groups " + String.join(", ", as.getGroups()) + ")")
                + ": " + event.getVerb() + " " + event.getRequestUri().split("\\?", 2)[0];
        return Optional.of(detection(IMPERSONATION, Detection.Subject.user(principal(event)), message,
                List.of(new Finding("impersonatedUser.username", null, quoted(as.getUsername()), message)), event, false));
    }

    // ---------------------------------------------------------------- KP-RUN-008

    private Optional<Detection> sourceNetwork(AuditEvent event) {
        if (event.getSourceIps().isEmpty() || settings.isAutomation(principal(event), groups(event))) {
            return Optional.empty();
        }
        String client = event.getSourceIps().get(0); // the original client; later entries are proxies
        if (!settings.outsideAllowedNetworks(client)) {
            return Optional.empty();
        }
        String message = principal(event) + " reached the API server from " + client
                + ", outside the allowed networks " + settings.allowedSourceCidrs();
        // Reaching the API server is the finding, whether or not the request was then allowed.
        return Optional.of(new Detection(SOURCE_NETWORK, Detection.Subject.user(principal(event)), message,
                List.of(new Finding("sourceIPs[0]", null, quoted(client), message + " (" + code(event) + ")")), false,
                false));
    }

    // ---------------------------------------------------------------- KP-RUN-010

    /**
     * A workload created in a system namespace by a principal that is not the platform's own: a person, or a
     * service account of another namespace. Controllers (system:serviceaccount:kube-system:*, system:kube-*, nodes)
     * create there all the time and are not reported.
     */
    private Optional<Detection> systemNamespaceWorkload(AuditEvent event) {
        AuditObjectReference ref = event.getObjectRef();
        if (ref == null || ref.getSubresource() != null || !"create".equals(event.getVerb())
                || !WORKLOAD_RESOURCES.contains(ref.getResource()) || !systemNamespaces.contains(ref.getNamespace())
                || isSystemPrincipal(principal(event), groups(event))) {
            return Optional.empty();
        }
        String kind = requestedObject(event).map(b -> b.path("kind").asText("")).filter(k -> !k.isEmpty())
                .orElse(ref.getResource());
        Detection.Subject subject = objectSubject(event, kind, ref.getApiVersion() == null ? "v1" : ref.getApiVersion());
        String message = principal(event) + " created " + kind + " " + qualified(subject) + " in system namespace "
                + ref.getNamespace();
        return Optional.of(detection(SYSTEM_NAMESPACE_WORKLOAD, subject, message,
                List.of(new Finding("user.username", null, quoted(principal(event)), message)), event, true));
    }

    /** The platform's own principals: system users other than service accounts, and service accounts of its namespaces. */
    private boolean isSystemPrincipal(String username, List<String> groups) {
        if (groups.contains("system:nodes")) {
            return true;
        }
        String serviceAccount = "system:serviceaccount:";
        if (username.startsWith(serviceAccount)) {
            String namespace = username.substring(serviceAccount.length()).split(":", 2)[0];
            return systemNamespaces.contains(namespace);
        }
        return username.startsWith("system:") && !username.equals("system:anonymous");
    }

    // ---------------------------------------------------------------- shared

    private Detection detection(String controlId, Detection.Subject subject, String message, List<Finding> findings,
                                AuditEvent event, boolean everyOccurrence) {
        boolean attempt = isDenied(event) || code(event) >= 400;
        List<Finding> all = new ArrayList<>(findings);
        String text = message;
        if (attempt) {
            String reason = event.getResponseStatus() == null ? null : event.getResponseStatus().getReason();
            String detail = event.getResponseStatus() == null ? null : event.getResponseStatus().getMessage();
            text = "attempt denied (" + code(event) + (reason == null ? "" : " " + reason) + "): " + message;
            all.add(new Finding("responseStatus", null, String.valueOf(code(event)),
                    "denied: " + code(event) + (reason == null ? "" : " " + reason) + (detail == null ? "" : ": " + detail)));
        }
        return new Detection(controlId, subject, text, all, attempt, everyOccurrence);
    }

    private Detection.Subject objectSubject(AuditEvent event, String kind, String apiVersion) {
        AuditObjectReference ref = event.getObjectRef();
        Optional<JsonNode> response = responseObject(event).map(b -> b.path("metadata"));
        String name = ref.getName();
        if (name == null || name.isEmpty()) {
            // A create with generateName names the object only in its response; a denied one never does.
            name = response.map(m -> m.path("name").asText("")).filter(n -> !n.isEmpty())
                    .or(() -> parse(event.getRequestObject()).map(b -> b.path("metadata"))
                            .map(m -> m.path("name").asText(m.path("generateName").asText("") + "*")))
                    .orElse("*");
        }
        String uid = ref.getUid();
        if (uid == null || uid.isEmpty()) {
            uid = response.map(m -> m.path("uid").asText("")).filter(u -> !u.isEmpty()).orElse(null);
        }
        if (uid == null) {
            // No uid in the event (exec, denied creates): name the object by its path, stable across events.
            uid = ref.getResource() + "/" + (ref.getNamespace() == null ? "" : ref.getNamespace() + "/") + name;
        }
        return new Detection.Subject(kind, apiVersion, ref.getNamespace(), name, uid);
    }

    /** The object the request asks for: the response when there is one (patches), else the request body. */
    private Optional<JsonNode> requestedObject(AuditEvent event) {
        Optional<JsonNode> response = responseObject(event);
        if (response.isPresent() && response.get().path("kind").isTextual()
                && !"Status".equals(response.get().path("kind").asText())) {
            return response;
        }
        if ("patch".equals(event.getVerb())) {
            return Optional.empty(); // a patch body is not the object
        }
        return parse(event.getRequestObject());
    }

    private Optional<JsonNode> responseObject(AuditEvent event) {
        return parse(event.getResponseObject());
    }

    private Optional<JsonNode> parse(String json) {
        if (json == null) {
            return Optional.empty();
        }
        try {
            JsonNode node = mapper.readTree(json);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private static String subjects(JsonNode binding) {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode subject : Json.elements(binding, "subjects")) {
            names.add(subject.path("kind").asText() + " " + subject.path("name").asText());
        }
        return names.isEmpty() ? "no subject" : String.join(", ", names);
    }

    private static List<String> groups(AuditEvent event) {
        return event.getUser() == null ? List.of() : event.getUser().getGroups();
    }

    static int code(AuditEvent event) {
        Integer code = event.getResponseStatus() == null ? null : event.getResponseStatus().getCode();
        return code == null ? 0 : code;
    }

    private static String qualified(Detection.Subject subject) {
        return (subject.namespace() == null ? "" : subject.namespace() + "/") + subject.name();
    }

    private static String qualified(AuditObjectReference ref) {
        return (ref.getNamespace() == null ? "" : ref.getNamespace() + "/") + (ref.getName() == null ? "" : ref.getName());
    }

    private static String pastTense(String verb) {
        return switch (verb) {
            case "create" -> "created";
            case "update" -> "updated";
            case "patch" -> "patched";
            default -> verb;
        };
    }

    private static String quoted(String text) {
        return text == null ? null : "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Values of one query parameter of a request URI, decoded, in order. */
    static List<String> query(String uri, String parameter) {
        List<String> values = new ArrayList<>();
        int question = uri == null ? -1 : uri.indexOf('?');
        if (question < 0) {
            return values;
        }
        for (String pair : uri.substring(question + 1).split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            if (name.toLowerCase(Locale.ROOT).equals(parameter)) {
                String value = URLDecoder.decode(equals < 0 ? "" : pair.substring(equals + 1), StandardCharsets.UTF_8);
                if (!values.contains(value) || !parameter.equals("container")) {
                    values.add(value);
                }
            }
        }
        return values;
    }
}
