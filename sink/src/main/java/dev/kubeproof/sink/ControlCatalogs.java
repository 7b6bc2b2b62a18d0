package dev.kubeproof.sink;

import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.siem.ControlCatalog;

/** The control catalog for enriching documents (framework mappings, categories, links). */
public final class ControlCatalogs {
    private ControlCatalogs() {
    }

    /** The catalog of the built-in control engine: framework mappings, categories and links for every document. */
    public static ControlCatalog builtIn() {
        return ControlCatalog.of(ControlEngine.withDefaults());
    }

    /** The built-in controls each Trivy Kubernetes check (KSV id) corresponds to: the catalog's trivyChecks. */
    public static java.util.function.Function<String, java.util.List<String>> trivyLinks() {
        return ControlEngine.withDefaults()::controlsOfTrivyCheck;
    }
}
