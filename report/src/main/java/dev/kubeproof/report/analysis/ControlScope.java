package dev.kubeproof.report.analysis;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.catalog.Framework;
import dev.kubeproof.report.model.ReportFilter;

/**
 * The controls a report covers (those the filter admits, in catalog order) and the frameworks it reports on (those
 * asked for, else every framework any of them maps to).
 */
public record ControlScope(Map<String, ControlDefinition> controls, List<Framework> frameworks, String catalogVersion) {

    /** The scope among kubeproof's built-in controls. */
    public static ControlScope builtIn(ReportFilter filter) {
        dev.kubeproof.controls.ControlEngine engine = dev.kubeproof.controls.ControlEngine.withDefaults();
        return of(engine.controls(), engine.frameworks(), filter);
    }

    /**
     * The scope among the built-in controls and an organisation's custom controls (control files or directories, as
     * {@code scan --controls} reads them; the files published with {@code controls publish}), so that a report covers
     * the custom controls' evidence too, under the frameworks they map to.
     */
    public static ControlScope withCustomControls(List<java.nio.file.Path> customControls, ReportFilter filter)
            throws java.io.IOException {
        if (customControls.isEmpty()) {
            return builtIn(filter);
        }
        dev.kubeproof.controls.ControlEngine engine = dev.kubeproof.controls.ControlEngine.load(
                dev.kubeproof.controls.ControlSettings.defaults(),
                dev.kubeproof.controls.cel.CelControlFiles.read(customControls));
        return of(engine.controls(), engine.frameworks(), filter);
    }

    public static ControlScope of(Collection<ControlDefinition> catalog, Map<String, Framework> standards,
                                  ReportFilter filter) {
        for (String id : filter.controls()) {
            if (catalog.stream().noneMatch(c -> c.id().equals(id))) {
                throw new IllegalArgumentException("unknown control " + id + " (see kubeproof scan --list-controls)");
            }
        }
        for (String key : filter.frameworks()) {
            if (!standards.containsKey(key)) {
                throw new IllegalArgumentException("unknown framework " + key + "; one of " + new TreeSet<>(standards.keySet()));
            }
        }
        Map<String, ControlDefinition> controls = new LinkedHashMap<>();
        Set<String> frameworkKeys = new TreeSet<>();
        for (ControlDefinition control : catalog) {
            if (filter.admitsControl(control.id(), control.frameworks().keySet())) {
                controls.put(control.id(), control);
                control.frameworks().keySet().stream()
                        .filter(key -> filter.frameworks().isEmpty() || filter.frameworks().contains(key))
                        .forEach(frameworkKeys::add);
            }
        }
        List<Framework> frameworks = frameworkKeys.stream().filter(standards::containsKey).map(standards::get).toList();
        return new ControlScope(Map.copyOf(controls), frameworks, catalogVersion(catalog));
    }

    /** The frameworks of this report a control counts towards. */
    public List<String> frameworksOf(String controlId) {
        ControlDefinition control = controls.get(controlId);
        return control == null ? List.of() : frameworks.stream().map(Framework::key)
                .filter(control.frameworks()::containsKey).toList();
    }

    /** Controls in catalog order. */
    public List<ControlDefinition> ordered() {
        return controls.values().stream().sorted(java.util.Comparator.comparing(ControlDefinition::id)).toList();
    }

    /**
     * The catalog's identity: the SHA-256 (first 16 hex digits) over every control id and version, so a report
     * names exactly which definitions judged its evidence.
     */
    static String catalogVersion(Collection<ControlDefinition> catalog) {
        StringBuilder ids = new StringBuilder();
        catalog.stream().sorted(java.util.Comparator.comparing(ControlDefinition::id))
                .forEach(c -> ids.append(c.id()).append('@').append(c.version()).append('\n'));
        return dev.kubeproof.contract.evidence.EvidenceChain.sha256Hex(
                ids.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
    }
}
