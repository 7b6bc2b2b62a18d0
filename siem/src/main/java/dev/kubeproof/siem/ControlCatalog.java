package dev.kubeproof.siem;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Looks up a control's {@link ControlInfo} by id. The formatters work without one (every field that only the
 * catalog knows is then left out); with one they add the framework mappings, category and documentation link.
 */
@FunctionalInterface
public interface ControlCatalog {

    Optional<ControlInfo> find(String controlId);

    static ControlCatalog empty() {
        return id -> Optional.empty();
    }

    static ControlCatalog of(Collection<ControlInfo> controls) {
        Map<String, ControlInfo> byId = controls.stream()
                .collect(Collectors.toUnmodifiableMap(ControlInfo::controlId, Function.identity(), (a, b) -> {
                    throw new IllegalArgumentException("control " + a.controlId() + " is listed twice");
                }));
        return id -> Optional.ofNullable(byId.get(id));
    }
}
