package dev.kubeproof.controls;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.catalog.Catalog;
import dev.kubeproof.controls.catalog.CatalogEntry;
import dev.kubeproof.controls.catalog.CatalogException;
import dev.kubeproof.controls.catalog.Framework;
import dev.kubeproof.controls.catalog.Practice;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.runtime.AuditRules;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.checks.BuiltInChecks;

/**
 * The {@link Evaluator} of kubeproof: the catalog's metadata joined with each control's evaluation code, validated
 * together at start-up (every observable control has code, all code belongs to an observable control).
 * Thread-safe and stateless per call, so one instance serves every stream thread.
 */
public final class ControlEngine implements Evaluator {
    /** The deploy controls whose failure on a requested workload makes its creation a runtime detection. */
    private static final List<String> PRIVILEGED_WORKLOAD_CONTROLS =
            List.of("KP-POD-001", "KP-POD-002", "KP-POD-003", "KP-POD-004", "KP-POD-011");

    private final List<CatalogEntry> entries;
    private final List<ControlDefinition> definitions;
    private final Map<String, Check> checks;
    private final Map<String, List<CatalogEntry>> byKind = new HashMap<>();
    private final Map<String, Set<String>> reevaluate = new HashMap<>();
    private final List<Practice> practices;
    private final Map<String, Framework> frameworks;
    private final ControlSettings settings;
    private final AuditRules auditRules;

    private ControlEngine(Catalog catalog, Map<String, Check> checks, ControlSettings settings) {
        this.entries = catalog.entries();
        this.definitions = entries.stream().map(CatalogEntry::definition).toList();
        this.checks = Map.copyOf(checks);
        this.practices = catalog.practices();
        this.frameworks = catalog.frameworks();
        this.settings = settings;
        Set<String> runtimeControls = new TreeSet<>();
        for (CatalogEntry entry : entries) {
            if (entry.definition().auditEvaluated()) {
                runtimeControls.add(entry.id());
            }
        }
        this.auditRules = new AuditRules(settings.runtime(), Set.copyOf(settings.systemNamespaces()), this::workloadRisks,
                runtimeControls);
        for (CatalogEntry entry : entries) {
            ControlDefinition control = entry.definition();
            if (!control.observable() || control.auditEvaluated()) {
                continue;
            }
            for (String kind : control.appliesTo()) {
                byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(entry);
            }
            for (String dependency : control.dependsOn()) {
                reevaluate.computeIfAbsent(dependency, k -> new TreeSet<>()).addAll(control.appliesTo());
            }
        }
    }

    /** The built-in catalog and checks with the given settings. */
    public static ControlEngine load(ControlSettings settings) {
        return create(Catalog.builtIn(), BuiltInChecks.all(), settings);
    }

    /**
     * The built-in catalog and checks with the given settings, and custom controls after them (compiled CEL: see
     * {@code dev.kubeproof.controls.cel}).
     */
    public static ControlEngine load(ControlSettings settings, List<dev.kubeproof.controls.cel.CelControl> custom) {
        if (custom.isEmpty()) {
            return load(settings);
        }
        Map<String, String> sources = new HashMap<>();
        for (dev.kubeproof.controls.cel.CelControl control : custom) {
            String before = sources.putIfAbsent(control.id(), control.source());
            if (before != null) {
                throw new CatalogException(control.source(), List.of("control " + control.id()
                        + " is also declared in " + before));
            }
        }
        Map<String, Check> checks = new HashMap<>(BuiltInChecks.all());
        List<CatalogEntry> entries = new ArrayList<>();
        for (dev.kubeproof.controls.cel.CelControl control : custom) {
            entries.add(new CatalogEntry(control.definition(), control.excludeSystemNamespaces(), List.of()));
            checks.put(control.id(), dev.kubeproof.controls.cel.CelCheck.compile(control));
        }
        return create(Catalog.builtIn().withControls(entries, "custom controls"), checks, settings);
    }

    /** The built-in catalog and checks with {@link ControlSettings#defaults()}. */
    public static ControlEngine withDefaults() {
        return load(ControlSettings.defaults());
    }

    /**
     * An engine over any catalog and checks (tests, extensions). Fails with a {@link CatalogException} naming each
     * control whose code is missing or which has code but is not an observable catalog control.
     */
    public static ControlEngine create(Catalog catalog, Map<String, Check> checks, ControlSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        List<String> problems = new ArrayList<>();
        for (CatalogEntry entry : catalog.entries()) {
            boolean hasCode = entry.definition().auditEvaluated() ? AuditRules.CONTROL_IDS.contains(entry.id())
                    : checks.containsKey(entry.id());
            if (entry.definition().observable() && !hasCode) {
                problems.add("control " + entry.id() + ": observable but no evaluation code is registered for it");
            }
            if (!entry.definition().observable() && hasCode) {
                problems.add("control " + entry.id() + ": field 'observable' is false but evaluation code is registered for it");
            }
        }
        for (String id : new TreeSet<>(checks.keySet())) {
            if (catalog.entry(id).isEmpty()) {
                problems.add("evaluation code is registered for " + id + ", which the catalog does not declare");
            }
        }
        if (!problems.isEmpty()) {
            throw new CatalogException("control catalog", problems);
        }
        return new ControlEngine(catalog, checks, settings);
    }

    @Override
    public Map<String, Framework> frameworks() {
        return frameworks;
    }

    @Override
    public List<ControlDefinition> controls() {
        return definitions;
    }

    /** One control by id. */
    public Optional<ControlDefinition> control(String id) {
        return entries.stream().map(CatalogEntry::definition).filter(c -> c.id().equals(id)).findFirst();
    }

    /** The guides' practices and the controls covering each. */
    public List<Practice> practices() {
        return practices;
    }

    public ControlSettings settings() {
        return settings;
    }

    @Override
    public AuditRules auditRules() {
        return auditRules;
    }

    /**
     * What makes a requested workload privileged: the failures of the deploy controls for privileged containers,
     * host namespaces and sensitive hostPaths on the object, judged by their own code (KP-RUN-005 uses it).
     */
    private List<Finding> workloadRisks(JsonNode object) {
        List<Finding> risks = new ArrayList<>();
        Subject subject = new Subject(object, ClusterView.empty(), settings);
        for (String id : PRIVILEGED_WORKLOAD_CONTROLS) {
            Check check = checks.get(id);
            if (check == null || !byKind.getOrDefault(object.path("kind").asText(), List.of()).stream()
                    .anyMatch(entry -> entry.id().equals(id))) {
                continue;
            }
            // The check itself, without the system-namespace scope of the deploy control: a request for a
            // privileged workload in kube-system is still a detection.
            try {
                Verdict verdict = check.evaluate(subject);
                if (verdict != null && verdict.status() == Status.FAIL) {
                    risks.addAll(verdict.findings());
                }
            } catch (RuntimeException e) {
                // an object the check cannot read is judged by the deploy control when it exists
            }
        }
        return risks;
    }

    /** Kinds that at least one observable control evaluates: what a watcher should feed the engine. */
    public Set<String> evaluatedKinds() {
        return Set.copyOf(byKind.keySet());
    }

    /** Kinds whose changes feed some control's result ({@code dependsOn}), e.g. NetworkPolicy, ImageScan. */
    public Set<String> dependencyKinds() {
        return Set.copyOf(reevaluate.keySet());
    }

    @Override
    public List<ControlResult> evaluate(JsonNode object, ClusterView view) {
        if (object == null || !object.isObject()) {
            return List.of();
        }
        return evaluate(byKind.getOrDefault(object.path("kind").asText(), List.of()), object, view);
    }

    @Override
    public List<ControlResult> reevaluate(JsonNode object, ClusterView view, String changedKind) {
        if (object == null || !object.isObject()) {
            return List.of();
        }
        return evaluate(byKind.getOrDefault(object.path("kind").asText(), List.of()).stream()
                .filter(entry -> entry.definition().dependsOn().contains(changedKind)).toList(), object, view);
    }

    private List<ControlResult> evaluate(List<CatalogEntry> applicable, JsonNode object, ClusterView view) {
        Subject subject = new Subject(object, view, settings);
        List<ControlResult> results = new ArrayList<>(applicable.size());
        for (CatalogEntry entry : applicable) {
            results.add(evaluate(entry, subject));
        }
        return results;
    }

    private ControlResult evaluate(CatalogEntry entry, Subject subject) {
        ControlDefinition control = entry.definition();
        if (entry.excludeSystemNamespaces() && subject.inSystemNamespace()) {
            String namespace = subject.kind().equals("Namespace") ? subject.name() : subject.namespace();
            return new ControlResult(control, Status.NOT_APPLICABLE,
                    "system namespace " + namespace + " is out of scope (settings.systemNamespaces)", List.of());
        }
        if (!settings.judgeOwnedWorkloads()) {
            Optional<String> owner = controllerJudgedToo(subject.object(), control.appliesTo());
            if (owner.isPresent()) {
                return new ControlResult(control, Status.NOT_APPLICABLE, "judged on its owner " + owner.get()
                        + " (settings.judgeOwnedWorkloads)", List.of());
            }
        }
        List<String> missing = entry.needsSettings().stream().filter(key -> !settings.configured().contains(key)).toList();
        if (!missing.isEmpty()) {
            // The settings to give are the findings: where the fix belongs is the settings file, not the object.
            return new ControlResult(control, Status.NEEDS_CONFIGURATION, "needs configuration: set "
                    + missing.stream().map(key -> "`" + key + "`").collect(java.util.stream.Collectors.joining(" and "))
                    + " in the control settings; kubeproof cannot know them, so it does not judge by its defaults",
                    missing.stream().map(key -> new Finding("settings." + key, null, null, "set " + key
                            + " in the control settings (a settings file, or the service's controlSettings)")).toList());
        }
        try {
            Verdict verdict = checks.get(control.id()).evaluate(subject);
            if (verdict == null) {
                throw new IllegalStateException("the check returned no verdict");
            }
            return new ControlResult(control, verdict.status(), verdict.message(), verdict.findings());
        } catch (RuntimeException e) {
            // Recorded, never silent: the control could not be verified on this object.
            return new ControlResult(control, Status.ERROR,
                    "evaluation failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    List.of());
        }
    }

    /**
     * The controller that owns the object ({@code ownerReferences} with {@code controller: true}), as
     * {@code Kind/name}, when the control judges that kind too: then the owner carries the finding.
     */
    static Optional<String> controllerJudgedToo(JsonNode object, Collection<String> judgedKinds) {
        for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false) && judgedKinds.contains(owner.path("kind").asText())) {
                return Optional.of(owner.path("kind").asText() + "/" + owner.path("name").asText());
            }
        }
        return Optional.empty();
    }

    @Override
    public Set<String> kindsToReevaluate(String changedKind) {
        return reevaluate.getOrDefault(changedKind, Set.of());
    }

    /**
     * The controls a Trivy Kubernetes check corresponds to (the catalog's {@code trivyChecks}), in catalog order; empty
     * for a check no control judges.
     */
    public List<String> controlsOfTrivyCheck(String checkId) {
        return entries.stream().filter(entry -> entry.trivyChecks().contains(checkId)).map(CatalogEntry::id).toList();
    }

    /** Ids of the controls that judge objects (observable, not runtime), in catalog order. */
    public Set<String> observableIds() {
        Set<String> ids = new LinkedHashSet<>();
        entries.stream().filter(e -> e.definition().observable() && !e.definition().auditEvaluated())
                .forEach(e -> ids.add(e.id()));
        return ids;
    }
}
