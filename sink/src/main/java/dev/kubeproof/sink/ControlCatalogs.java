package dev.kubeproof.sink;

import java.util.List;
import java.util.ServiceLoader;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.Evaluator;
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

    /**
     * The catalog of the {@link Evaluator} registered as a {@link ServiceLoader} service on the class path, or an
     * empty catalog when there is none (documents then lack only what the catalog adds).
     */
    public static ControlCatalog discover() {
        return ServiceLoader.load(Evaluator.class).findFirst().map(e -> of(e.controls())).orElse(ControlCatalog.empty());
    }
}
