package dev.kubeproof.siem;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.kubeproof.controls.catalog.Framework;
import dev.kubeproof.controls.Evaluator;

/**
 * Looks up a control's {@link ControlInfo} by id, and the standards its framework mappings refer to. The formatters
 * work without one (every field that only the catalog knows is then left out); with one they add the framework
 * mappings with the standards' versions, category and documentation link.
 */
@FunctionalInterface
public interface ControlCatalog {

    Optional<ControlInfo> find(String controlId);

    /** The standard a framework key (cis, nsa, ...) refers to; empty when the catalog does not say. */
    default Optional<Framework> standard(String key) {
        return Optional.empty();
    }

    static ControlCatalog empty() {
        return id -> Optional.empty();
    }

    static ControlCatalog of(Collection<ControlInfo> controls) {
        return of(controls, java.util.List.of());
    }

    /** The catalog of an evaluator (the control engine): its controls, and the standards their mappings refer to. */
    static ControlCatalog of(Evaluator evaluator) {
        return of(evaluator.controls().stream()
                        .map(d -> new ControlInfo(d.id(), d.category(), d.description(), d.frameworks(), d.references()))
                        .toList(),
                evaluator.frameworks().values());
    }

    static ControlCatalog of(Collection<ControlInfo> controls, Collection<Framework> standards) {
        Map<String, ControlInfo> byId = controls.stream()
                .collect(Collectors.toUnmodifiableMap(ControlInfo::controlId, Function.identity(), (a, b) -> {
                    throw new IllegalArgumentException("control " + a.controlId() + " is listed twice");
                }));
        Map<String, Framework> byKey = standards.stream()
                .collect(Collectors.toUnmodifiableMap(Framework::key, Function.identity()));
        return new ControlCatalog() {
            @Override
            public Optional<ControlInfo> find(String controlId) {
                return Optional.ofNullable(byId.get(controlId));
            }

            @Override
            public Optional<Framework> standard(String key) {
                return Optional.ofNullable(byKey.get(key));
            }
        };
    }
}
