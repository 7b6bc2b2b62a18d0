package dev.kubeproof.controls.cel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.kubeproof.controls.catalog.CatalogException;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.Severity;
import dev.kubeproof.controls.Status;

/**
 * Reads custom controls: YAML files of kubeproof control documents, or Kubernetes {@code ValidatingAdmissionPolicy}
 * manifests taken as they are (several documents per file allowed). Every problem names the file, the document and
 * the field; unknown fields are rejected. Each control's expressions are compiled by {@link CelCheck} when loaded.
 *
 * <pre>
 * id: ACME-LBL-001            # stable, never reused; letters, digits and dashes, not KP-
 * title: Workloads name their cost center
 * severity: medium
 * appliesTo: [Deployment, StatefulSet]
 * frameworks: {soc2: [CC6.1]}
 * remediation: Add the label cost-center.
 * matchConditions: [{name: not-system, expression: "object.metadata.namespace != 'kube-system'"}]
 * validations:
 *   - expression: "has(object.metadata.labels) &amp;&amp; 'cost-center' in object.metadata.labels"
 *     messageExpression: "'no cost-center label on ' + object.metadata.name"
 * cases: [{name: labelled, expect: PASS, object: {...}}, {name: bare, expect: FAIL, object: {...}}]
 * </pre>
 */
public final class CelControlFiles {
    /** Annotations of a ValidatingAdmissionPolicy that give the control what the policy does not say. */
    public static final String ID_ANNOTATION = "kubeproof.dev/control-id";
    public static final String SEVERITY_ANNOTATION = "kubeproof.dev/severity";
    public static final String TITLE_ANNOTATION = "kubeproof.dev/title";
    public static final String FRAMEWORKS_ANNOTATION = "kubeproof.dev/frameworks";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper YAML_TO_JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("id", "version", "title", "description", "severity", "category",
            "appliesTo", "frameworks", "remediation", "references", "excludeSystemNamespaces", "variables",
            "matchConditions", "validations", "params", "cases");
    private static final Set<String> KNOWN_FRAMEWORKS = Set.of("cis", "nsa", "pss", "soc2", "mitre");
    /** Resource names of admission rules and the kinds kubeproof evaluates. */
    private static final Map<String, String> KINDS = Map.ofEntries(Map.entry("pods", "Pod"),
            Map.entry("deployments", "Deployment"), Map.entry("statefulsets", "StatefulSet"),
            Map.entry("daemonsets", "DaemonSet"), Map.entry("replicasets", "ReplicaSet"), Map.entry("jobs", "Job"),
            Map.entry("cronjobs", "CronJob"), Map.entry("services", "Service"), Map.entry("ingresses", "Ingress"),
            Map.entry("namespaces", "Namespace"), Map.entry("configmaps", "ConfigMap"),
            Map.entry("serviceaccounts", "ServiceAccount"), Map.entry("roles", "Role"),
            Map.entry("clusterroles", "ClusterRole"), Map.entry("rolebindings", "RoleBinding"),
            Map.entry("clusterrolebindings", "ClusterRoleBinding"), Map.entry("networkpolicies", "NetworkPolicy"),
            Map.entry("nodes", "Node"), Map.entry("persistentvolumes", "PersistentVolume"),
            Map.entry("persistentvolumeclaims", "PersistentVolumeClaim"));
    /** A pod template's kinds, for a rule on {@code *}. */
    private static final List<String> WORKLOADS = List.of("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
            "Job", "CronJob");

    private CelControlFiles() {
    }

    /** The controls of files and directories (their {@code .yaml}, {@code .yml} and {@code .json} files, sorted). */
    public static List<CelControl> read(List<Path> paths) throws IOException {
        return published(paths).stream().map(Published::control).toList();
    }

    /**
     * A control with its own document as JSON: what the custom-controls topic carries, one control per record.
     *
     * @param document the control's document alone (of a file that may hold several), as JSON
     */
    public record Published(CelControl control, String document) {
    }

    /** The controls of files and directories, each with its own document; ids must be unique across them. */
    public static List<Published> published(List<Path> paths) throws IOException {
        List<Published> controls = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (Path file : files(paths)) {
            String source = file.toString();
            List<JsonNode> documents = documents(Files.readString(file), source);
            for (int i = 0; i < documents.size(); i++) {
                CelControl control = control(documents.get(i), documents.size() == 1 ? source
                        : source + " (document " + (i + 1) + ")");
                String before = seen.put(control.id(), control.source());
                if (before != null) {
                    throw new CatalogException(control.source(), List.of("control " + control.id()
                            + " is also declared in " + before));
                }
                controls.add(new Published(control, YAML_TO_JSON.writeValueAsString(documents.get(i))));
            }
        }
        return controls;
    }

    private static List<Path> files(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> entries = Files.list(path)) {
                    files.addAll(entries.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList());
                }
            } else {
                files.add(path);
            }
        }
        return files;
    }

    /** The controls of one file's text; each compiled. */
    public static List<CelControl> parse(String text, String source) {
        List<JsonNode> documents = documents(text, source);
        List<CelControl> controls = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            controls.add(control(documents.get(i), documents.size() == 1 ? source : source + " (document " + (i + 1) + ")"));
        }
        return controls;
    }

    private static List<JsonNode> documents(String text, String source) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (iterator.hasNext()) {
                JsonNode document = iterator.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new CatalogException(source, List.of("not valid YAML: " + e.getMessage()));
        }
        if (documents.isEmpty()) {
            throw new CatalogException(source, List.of("no control in it"));
        }
        return documents;
    }

    /** One document as a compiled control: compile errors surface here, with the file's name. */
    private static CelControl control(JsonNode document, String where) {
        CelControl control = "ValidatingAdmissionPolicy".equals(document.path("kind").asText())
                ? admissionPolicy(document, where) : controlDocument(document, where);
        CelCheck.compile(control);
        return control;
    }

    private static CelControl controlDocument(JsonNode node, String source) {
        List<String> problems = new ArrayList<>();
        if (!node.isObject()) {
            throw new CatalogException(source, List.of("a control must be a mapping"));
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                problems.add("unknown field '" + key + "' (known: " + new java.util.TreeSet<>(KEYS) + ")");
            }
        });
        String id = node.path("id").asText("");
        checkId(id, problems);
        String title = text(node, "title", problems);
        Severity severity = severity(node.path("severity").asText(""), problems);
        List<String> appliesTo = strings(node.path("appliesTo"), "appliesTo", problems);
        if (appliesTo.isEmpty()) {
            problems.add("field 'appliesTo' must list at least one kind, e.g. [Deployment]");
        }
        Map<String, List<String>> frameworks = frameworks(node.path("frameworks"), problems);
        String remediation = text(node, "remediation", problems);
        List<CelControl.Expression> variables = expressions(node.path("variables"), "variables", problems);
        List<CelControl.Expression> conditions = expressions(node.path("matchConditions"), "matchConditions", problems);
        List<CelControl.Validation> validations = validations(node.path("validations"), problems);
        List<CelControl.Case> cases = cases(node.path("cases"), problems);
        int version = node.path("version").asInt(1);
        if (version < 1) {
            problems.add("field 'version' must be a positive integer");
        }
        if (!problems.isEmpty()) {
            throw new CatalogException(source, problems.stream().map(p -> (id.isEmpty() ? "" : "control " + id + ": ") + p)
                    .toList());
        }
        ControlDefinition definition = definition(id, version, title, node.path("description").asText(title), severity,
                node.path("category").asText("custom"), appliesTo, dependsOn(variables, conditions, validations),
                frameworks, remediation, strings(node.path("references"), "references", problems));
        return new CelControl(definition, node.path("excludeSystemNamespaces").asBoolean(false), variables, conditions,
                validations, node.path("params").isMissingNode() ? null : node.path("params"), cases, source);
    }

    /**
     * A ValidatingAdmissionPolicy as it is: its resource rules become the kinds, its variables, match conditions and
     * validations the control's; what a policy does not say (id, severity, title, frameworks) comes from kubeproof.dev
     * annotations, with defaults.
     */
    private static CelControl admissionPolicy(JsonNode policy, String source) {
        List<String> problems = new ArrayList<>();
        String name = policy.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            problems.add("metadata.name is missing");
        }
        JsonNode annotations = policy.path("metadata").path("annotations");
        String id = annotations.path(ID_ANNOTATION).asText("VAP-" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "-"));
        checkId(id, problems);
        Severity severity = severity(annotations.path(SEVERITY_ANNOTATION).asText("medium"), problems);
        JsonNode spec = policy.path("spec");
        List<String> kinds = new ArrayList<>();
        for (JsonNode rule : spec.path("matchConstraints").path("resourceRules")) {
            for (JsonNode resource : rule.path("resources")) {
                String plural = resource.asText().split("/")[0];
                if (plural.equals("*")) {
                    WORKLOADS.forEach(kind -> addOnce(kinds, kind));
                } else if (KINDS.containsKey(plural)) {
                    addOnce(kinds, KINDS.get(plural));
                } else {
                    problems.add("spec.matchConstraints: resource '" + plural + "' is not a kind kubeproof watches (known: "
                            + new java.util.TreeSet<>(KINDS.keySet()) + ")");
                }
            }
        }
        if (kinds.isEmpty() && problems.isEmpty()) {
            problems.add("spec.matchConstraints.resourceRules names no resource");
        }
        if (!spec.path("paramKind").isMissingNode()) {
            problems.add("spec.paramKind: parameter resources are not supported; write the values into the expressions "
                    + "or use a kubeproof control file with params");
        }
        Map<String, List<String>> frameworks = new LinkedHashMap<>();
        String frameworkText = annotations.path(FRAMEWORKS_ANNOTATION).asText("");
        if (!frameworkText.isBlank()) {
            try {
                frameworks = frameworks(YAML.readTree(frameworkText), problems);
            } catch (IOException e) {
                problems.add(FRAMEWORKS_ANNOTATION + " is not a YAML mapping: " + e.getMessage());
            }
        }
        List<CelControl.Expression> variables = expressions(spec.path("variables"), "spec.variables", problems);
        List<CelControl.Expression> conditions = expressions(spec.path("matchConditions"), "spec.matchConditions", problems);
        List<CelControl.Validation> validations = validations(spec.path("validations"), problems);
        if (!problems.isEmpty()) {
            throw new CatalogException(source, problems.stream().map(p -> "ValidatingAdmissionPolicy " + name + ": " + p)
                    .toList());
        }
        String title = annotations.path(TITLE_ANNOTATION).asText("Admission policy " + name + " holds");
        ControlDefinition definition = definition(id, 1, title, "The ValidatingAdmissionPolicy " + name + ", judged on "
                        + "the objects that exist (including those created before it or that slipped past it).", severity,
                "admission-policy", kinds, dependsOn(variables, conditions, validations), frameworks,
                "Change the object so that the admission policy " + name + " would admit it.", List.of());
        return new CelControl(definition, false, variables, conditions, validations, null, List.of(), source);
    }

    private static ControlDefinition definition(String id, int version, String title, String description, Severity severity,
                                                String category, List<String> appliesTo, List<String> dependsOn,
                                                Map<String, List<String>> frameworks, String remediation,
                                                List<String> references) {
        return new ControlDefinition(id, version, title, description, severity, "deploy", category, List.copyOf(appliesTo),
                dependsOn, frameworks, remediation, references, true, null, false);
    }

    /** A control that reads the namespace is judged again when its Namespace changes. */
    private static List<String> dependsOn(List<CelControl.Expression> variables, List<CelControl.Expression> conditions,
                                          List<CelControl.Validation> validations) {
        StringBuilder all = new StringBuilder();
        variables.forEach(v -> all.append(v.expression()).append('\n'));
        conditions.forEach(c -> all.append(c.expression()).append('\n'));
        validations.forEach(v -> all.append(v.expression()).append('\n').append(v.messageExpression()).append('\n'));
        return all.toString().contains("namespaceObject") ? List.of("Namespace") : List.of();
    }

    private static void checkId(String id, List<String> problems) {
        if (!id.matches("[A-Z][A-Z0-9]*(-[A-Z0-9]+)+")) {
            problems.add("field 'id' must be upper-case letters, digits and dashes like ACME-LBL-001, was '" + id + "'");
        } else if (id.startsWith("KP-")) {
            problems.add("id " + id + ": KP- ids are kubeproof's own; choose your organisation's prefix");
        }
    }

    private static Severity severity(String text, List<String> problems) {
        try {
            return Severity.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("field 'severity' is '" + text + "', expected one of critical, high, medium, low, info");
            return Severity.INFO;
        }
    }

    private static String text(JsonNode node, String field, List<String> problems) {
        String value = node.path(field).asText("");
        if (value.isBlank()) {
            problems.add("field '" + field + "' is required");
        }
        return value;
    }

    private static List<String> strings(JsonNode node, String field, List<String> problems) {
        if (node.isMissingNode()) {
            return List.of();
        }
        if (!node.isArray()) {
            problems.add("field '" + field + "' must be a list");
            return List.of();
        }
        List<String> values = new ArrayList<>();
        node.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static Map<String, List<String>> frameworks(JsonNode node, List<String> problems) {
        Map<String, List<String>> frameworks = new LinkedHashMap<>();
        if (node.isMissingNode()) {
            return frameworks;
        }
        if (!node.isObject()) {
            problems.add("field 'frameworks' must be a mapping of framework to clauses, e.g. {soc2: [CC6.1]}");
            return frameworks;
        }
        node.properties().forEach(entry -> {
            if (!KNOWN_FRAMEWORKS.contains(entry.getKey())) {
                problems.add("field 'frameworks' has unknown framework '" + entry.getKey() + "', expected one of "
                        + new java.util.TreeSet<>(KNOWN_FRAMEWORKS));
            }
            List<String> clauses = new ArrayList<>();
            if (entry.getValue().isArray()) {
                entry.getValue().forEach(clause -> clauses.add(clause.asText()));
            } else {
                clauses.add(entry.getValue().asText());
            }
            frameworks.put(entry.getKey(), List.copyOf(clauses));
        });
        return frameworks;
    }

    private static List<CelControl.Expression> expressions(JsonNode node, String field, List<String> problems) {
        List<CelControl.Expression> expressions = new ArrayList<>();
        if (node.isMissingNode()) {
            return expressions;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            String name = entry.path("name").asText("");
            String expression = entry.path("expression").asText("");
            if (name.isBlank() || expression.isBlank()) {
                problems.add(field + "[" + i + "] needs a name and an expression");
            }
            expressions.add(new CelControl.Expression(name, expression));
        }
        return expressions;
    }

    private static List<CelControl.Validation> validations(JsonNode node, List<String> problems) {
        List<CelControl.Validation> validations = new ArrayList<>();
        if (!node.isArray() || node.isEmpty()) {
            problems.add("'validations' must list at least one {expression, message}");
            return validations;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            String expression = entry.path("expression").asText("");
            if (expression.isBlank()) {
                problems.add("validations[" + i + "] has no expression");
            }
            validations.add(new CelControl.Validation(expression, entry.path("message").asText(null),
                    entry.path("messageExpression").asText(null)));
        }
        return validations;
    }

    private static List<CelControl.Case> cases(JsonNode node, List<String> problems) {
        List<CelControl.Case> cases = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            String name = entry.path("name").asText("case " + (i + 1));
            Status expect;
            try {
                expect = Status.valueOf(entry.path("expect").asText("").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("cases[" + i + "] (" + name + "): 'expect' must be PASS, FAIL, NOT_APPLICABLE or ERROR");
                continue;
            }
            if (!entry.path("object").isObject()) {
                problems.add("cases[" + i + "] (" + name + "): 'object' must be a Kubernetes object");
                continue;
            }
            cases.add(new CelControl.Case(name, expect, entry.path("object"), entry.path("oldObject").isObject()
                    ? entry.path("oldObject") : null, entry.path("namespaceObject").isObject()
                    ? entry.path("namespaceObject") : null));
        }
        return cases;
    }

    private static void addOnce(List<String> kinds, String kind) {
        if (!kinds.contains(kind)) {
            kinds.add(kind);
        }
    }
}
