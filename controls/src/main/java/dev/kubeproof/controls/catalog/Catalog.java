package dev.kubeproof.controls.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Severity;

/**
 * The control catalog: metadata as data, read from {@code controls.yaml} and validated as a whole, so a typo fails
 * start-up with a message naming the control and field rather than silently dropping a control.
 */
public final class Catalog {

    /** The built-in catalog's classpath location. */
    public static final String RESOURCE = "/dev/kubeproof/controls/controls.yaml";

    /** The phase of controls that judge audit events (what was done) rather than objects (what is). */
    public static final String RUNTIME_PHASE = "runtime";
    public static final Set<String> PHASES = Set.of("build", "deploy", "runtime", "infrastructure", "governance");

    private static final Set<String> TOP_LEVEL_KEYS = Set.of("definitions", "frameworks", "controls", "practices");
    private static final Set<String> FRAMEWORK_KEYS = Set.of("name", "version", "url");
    private static final Set<String> CONTROL_KEYS = Set.of("id", "version", "title", "description", "severity", "phase",
            "category", "appliesTo", "dependsOn", "frameworks", "remediation", "references", "observable",
            "notObservableReason", "attestation", "excludeSystemNamespaces", "needsSettings", "trivyChecks");
    private static final Set<String> PRACTICE_KEYS = Set.of("id", "phase", "practice", "controls");

    private final List<CatalogEntry> entries;
    private final Map<String, CatalogEntry> byId;
    private final List<Practice> practices;
    private final Map<String, Framework> frameworks;

    private Catalog(Map<String, Framework> frameworks, List<CatalogEntry> entries, List<Practice> practices) {
        this.frameworks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(frameworks));   // the file's order
        this.entries = List.copyOf(entries);
        Map<String, CatalogEntry> index = new LinkedHashMap<>();
        entries.forEach(entry -> index.put(entry.id(), entry));
        this.byId = Map.copyOf(index);
        this.practices = List.copyOf(practices);
    }

    /** The catalog shipped with kubeproof, parsed once (a Catalog is immutable). */
    public static Catalog builtIn() {
        Catalog parsed = builtIn;
        if (parsed == null) {
            parsed = readBuiltIn(); // two threads may both parse it once: the same catalog
            builtIn = parsed;
        }
        return parsed;
    }

    private static volatile Catalog builtIn;

    private static Catalog readBuiltIn() {
        try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the control catalog resource " + RESOURCE + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "controls.yaml");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the control catalog " + RESOURCE, e);
        }
    }

    /** Parses and validates a catalog; {@code source} names it in errors. */
    public static Catalog parse(String yaml, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new CatalogException(source, List.of("not valid YAML: " + e.getOriginalMessage()));
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new CatalogException(source, List.of("must be a mapping with 'controls' and 'practices'"));
        }
        root.fieldNames().forEachRemaining(key -> {
            if (!TOP_LEVEL_KEYS.contains(key)) {
                problems.add("unknown top-level key '" + key + "' (known: " + sorted(TOP_LEVEL_KEYS) + ")");
            }
        });
        Map<String, Framework> frameworks = readFrameworks(root.path("frameworks"), problems);
        List<CatalogEntry> entries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        JsonNode controls = root.path("controls");
        if (!controls.isArray() || controls.isEmpty()) {
            problems.add("'controls' must be a non-empty list");
        }
        for (int i = 0; i < controls.size(); i++) {
            readControl(controls.get(i), i, frameworks.keySet(), problems).ifPresent(entry -> {
                if (!ids.add(entry.id())) {
                    problems.add("control " + entry.id() + ": duplicate id");
                }
                entries.add(entry);
            });
        }
        List<Practice> practices = new ArrayList<>();
        Set<String> practiceIds = new HashSet<>();
        JsonNode practiceList = root.path("practices");
        if (!practiceList.isArray() || practiceList.isEmpty()) {
            problems.add("'practices' must be a non-empty list");
        }
        for (int i = 0; i < practiceList.size(); i++) {
            readPractice(practiceList.get(i), i, ids, problems).ifPresent(practice -> {
                if (!practiceIds.add(practice.id())) {
                    problems.add("practice " + practice.id() + ": duplicate id");
                }
                practices.add(practice);
            });
        }
        if (!problems.isEmpty()) {
            throw new CatalogException(source, problems);
        }
        return new Catalog(frameworks, entries, practices);
    }

    /**
     * This catalog with more controls (an organisation's own, e.g. in CEL) after its own; their frameworks must be
     * this catalog's and their ids new.
     */
    public Catalog withControls(List<CatalogEntry> extra, String source) {
        List<String> problems = new ArrayList<>();
        List<CatalogEntry> all = new ArrayList<>(entries);
        for (CatalogEntry entry : extra) {
            if (byId.containsKey(entry.id())) {
                problems.add("control " + entry.id() + " is already in the catalog");
            }
            for (String framework : entry.definition().frameworks().keySet()) {
                if (!frameworks.containsKey(framework)) {
                    problems.add("control " + entry.id() + ": unknown framework '" + framework + "'");
                }
            }
            all.add(entry);
        }
        if (!problems.isEmpty()) {
            throw new CatalogException(source, problems);
        }
        return new Catalog(frameworks, all, practices);
    }

    /** The standards controls map to, by key (cis, nsa, pss, soc2, mitre), with their versions. */
    public Map<String, Framework> frameworks() {
        return frameworks;
    }

    public List<CatalogEntry> entries() {
        return entries;
    }

    public Optional<CatalogEntry> entry(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public List<Practice> practices() {
        return practices;
    }

    private static Map<String, Framework> readFrameworks(JsonNode node, List<String> problems) {
        Map<String, Framework> frameworks = new LinkedHashMap<>();
        if (node.isMissingNode()) {
            return frameworks;      // a catalog whose controls map to no standard
        }
        if (!node.isObject()) {
            problems.add("'frameworks' must be a mapping of key to {name, version, url}");
            return frameworks;
        }
        node.fields().forEachRemaining(e -> {
            String where = "framework " + e.getKey();
            JsonNode value = e.getValue();
            value.fieldNames().forEachRemaining(key -> {
                if (!FRAMEWORK_KEYS.contains(key)) {
                    problems.add(where + ": unknown field '" + key + "' (known: " + sorted(FRAMEWORK_KEYS) + ")");
                }
            });
            String name = requiredText(value, "name", where, problems);
            String url = requiredText(value, "url", where, problems);
            JsonNode version = value.path("version");
            if (!version.isMissingNode() && !version.isTextual()) {
                problems.add(where + ": field 'version' must be a string (quote it: \"1.2\")");
            }
            frameworks.put(e.getKey(), new Framework(e.getKey(), name, version.isTextual() ? version.asText() : null, url));
        });
        return frameworks;
    }

    private static Optional<CatalogEntry> readControl(JsonNode node, int index, Set<String> knownFrameworks,
                                                     List<String> problems) {
        if (!node.isObject()) {
            problems.add("controls[" + index + "]: must be a mapping");
            return Optional.empty();
        }
        String id = node.path("id").asText("");
        String where = id.isEmpty() ? "controls[" + index + "]" : "control " + id;
        int before = problems.size();
        if (!id.matches("KP-[A-Z]+-\\d{3}")) {
            problems.add(where + ": field 'id' must look like KP-POD-001, was '" + id + "'");
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!CONTROL_KEYS.contains(key)) {
                problems.add(where + ": unknown field '" + key + "' (known: " + sorted(CONTROL_KEYS) + ")");
            }
        });
        int version = node.path("version").asInt(0);
        if (!node.path("version").isInt() || version < 1) {
            problems.add(where + ": field 'version' must be a positive integer");
        }
        String title = requiredText(node, "title", where, problems);
        String description = requiredText(node, "description", where, problems);
        String remediation = requiredText(node, "remediation", where, problems);
        String category = requiredText(node, "category", where, problems);
        String severityText = requiredText(node, "severity", where, problems);
        Severity severity = null;
        try {
            severity = Severity.valueOf(severityText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            if (!severityText.isEmpty()) {
                problems.add(where + ": field 'severity' is '" + severityText + "', expected one of critical, high, medium, low, info");
            }
        }
        String phase = requiredText(node, "phase", where, problems);
        if (!phase.isEmpty() && !PHASES.contains(phase)) {
            problems.add(where + ": field 'phase' is '" + phase + "', expected one of " + sorted(PHASES));
        }
        List<String> appliesTo = stringList(node, "appliesTo", where, problems);
        List<String> dependsOn = stringList(node, "dependsOn", where, problems);
        List<String> references = stringList(node, "references", where, problems);
        for (String reference : references) {
            if (!reference.startsWith("https://") && !reference.startsWith("http://")) {
                problems.add(where + ": field 'references' entry '" + reference + "' is not an http(s) link");
            }
        }
        Map<String, List<String>> frameworks = new LinkedHashMap<>();
        JsonNode frameworkNode = node.path("frameworks");
        if (!frameworkNode.isMissingNode() && !frameworkNode.isObject()) {
            problems.add(where + ": field 'frameworks' must be a mapping of framework to ids");
        }
        frameworkNode.fields().forEachRemaining(e -> {
            if (!knownFrameworks.contains(e.getKey())) {
                problems.add(where + ": field 'frameworks' has unknown framework '" + e.getKey() + "', expected one of "
                        + sorted(knownFrameworks));
            }
            List<String> values = new ArrayList<>();
            JsonNode value = e.getValue();
            if (value.isArray()) {
                value.forEach(v -> values.add(v.asText()));
            } else if (value.isValueNode() && !value.isNull()) {
                values.add(value.asText());
            }
            if (values.isEmpty() || values.stream().anyMatch(String::isBlank)) {
                problems.add(where + ": field 'frameworks." + e.getKey() + "' must be an id or a list of ids");
            }
            frameworks.put(e.getKey(), List.copyOf(values));
        });
        JsonNode observableNode = node.path("observable");
        if (!observableNode.isMissingNode() && !observableNode.isBoolean()) {
            problems.add(where + ": field 'observable' must be true or false");
        }
        boolean observable = observableNode.asBoolean(true);
        String reason = node.path("notObservableReason").asText(null);
        if (observable && reason != null) {
            problems.add(where + ": field 'notObservableReason' is only for observable: false controls");
        }
        if (!observable && (reason == null || reason.isBlank())) {
            problems.add(where + ": field 'notObservableReason' is required when observable is false");
        }
        boolean fromAudit = observable && RUNTIME_PHASE.equals(phase);
        if (observable && !fromAudit && appliesTo.isEmpty()) {
            problems.add(where + ": field 'appliesTo' must list at least one kind for an observable control");
        }
        if (fromAudit && !appliesTo.isEmpty()) {
            problems.add(where + ": field 'appliesTo' must be empty for a runtime control (it judges audit events, not objects)");
        }
        if (!observable && !appliesTo.isEmpty()) {
            problems.add(where + ": field 'appliesTo' must be empty for a non-observable control (nothing is evaluated)");
        }
        JsonNode attestationNode = node.path("attestation");
        if (!attestationNode.isMissingNode() && !attestationNode.isBoolean()) {
            problems.add(where + ": field 'attestation' must be true or false");
        }
        boolean attestation = attestationNode.asBoolean(false);
        if (attestation && observable) {
            problems.add(where + ": field 'attestation' is only for observable: false controls (people attest what"
                    + " cluster data cannot show)");
        }
        JsonNode exclude = node.path("excludeSystemNamespaces");
        if (!exclude.isMissingNode() && !exclude.isBoolean()) {
            problems.add(where + ": field 'excludeSystemNamespaces' must be true or false");
        }
        List<String> needsSettings = stringList(node, "needsSettings", where, problems);
        for (String key : needsSettings) {
            if (!ControlSettings.KEYS.contains(key)) {
                problems.add(where + ": needsSettings names '" + key + "', which is not a control settings key " + ControlSettings.KEYS);
            }
        }
        List<String> trivyChecks = stringList(node, "trivyChecks", where, problems);
        for (String check : trivyChecks) {
            if (!check.matches("KSV\\d{3}")) {
                problems.add(where + ": trivyChecks names '" + check + "', which is not a Trivy Kubernetes check id like KSV017");
            }
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        ControlDefinition definition = new ControlDefinition(id, version, title, description, severity, phase, category,
                List.copyOf(appliesTo), List.copyOf(dependsOn), Map.copyOf(frameworks), remediation,
                List.copyOf(references), observable, reason, attestation);
        return Optional.of(new CatalogEntry(definition, exclude.asBoolean(false), needsSettings, trivyChecks));
    }

    private static Optional<Practice> readPractice(JsonNode node, int index, Set<String> controlIds, List<String> problems) {
        String id = node.path("id").asText("");
        String where = id.isEmpty() ? "practices[" + index + "]" : "practice " + id;
        int before = problems.size();
        if (id.isEmpty()) {
            problems.add(where + ": field 'id' is required");
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!PRACTICE_KEYS.contains(key)) {
                problems.add(where + ": unknown field '" + key + "' (known: " + sorted(PRACTICE_KEYS) + ")");
            }
        });
        String phase = requiredText(node, "phase", where, problems);
        if (!phase.isEmpty() && !PHASES.contains(phase)) {
            problems.add(where + ": field 'phase' is '" + phase + "', expected one of " + sorted(PHASES));
        }
        String text = requiredText(node, "practice", where, problems);
        List<String> controls = stringList(node, "controls", where, problems);
        if (controls.isEmpty()) {
            problems.add(where + ": field 'controls' must name at least one control");
        }
        for (String control : controls) {
            if (!controlIds.contains(control)) {
                problems.add(where + ": field 'controls' names unknown control " + control);
            }
        }
        return problems.size() > before ? Optional.empty() : Optional.of(new Practice(id, phase, text, controls));
    }

    private static String requiredText(JsonNode node, String field, String where, List<String> problems) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(where + ": field '" + field + "' is required (non-empty text)");
            return "";
        }
        return value.asText().strip();
    }

    private static List<String> stringList(JsonNode node, String field, String where, List<String> problems) {
        JsonNode value = node.path(field);
        List<String> out = new ArrayList<>();
        if (value.isMissingNode() || value.isNull()) {
            return out;
        }
        if (!value.isArray()) {
            problems.add(where + ": field '" + field + "' must be a list");
            return out;
        }
        for (JsonNode element : value) {
            if (!element.isTextual() || element.asText().isBlank()) {
                problems.add(where + ": field '" + field + "' must contain only non-empty strings, found " + element);
            } else {
                out.add(element.asText());
            }
        }
        return out;
    }

    private static List<String> sorted(Set<String> set) {
        return set.stream().sorted().toList();
    }
}
