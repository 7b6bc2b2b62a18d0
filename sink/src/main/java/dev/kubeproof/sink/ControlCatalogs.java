package dev.kubeproof.sink;

import java.util.List;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ControlInfo;

/** The control catalog for enriching documents (framework mappings, categories, links). */
public final class ControlCatalogs {
    private ControlCatalogs() {
    }

    public static ControlCatalog of(List<ControlDefinition> definitions) {
        return ControlCatalog.of(definitions.stream()
                .map(d -> new ControlInfo(d.id(), d.category(), d.description(), d.frameworks(), d.references()))
                .toList());
    }

    /** The catalog of the built-in control engine: framework mappings, categories and links for every document. */
    public static ControlCatalog builtIn() {
        return of(ControlEngine.withDefaults().controls());
    }
}
