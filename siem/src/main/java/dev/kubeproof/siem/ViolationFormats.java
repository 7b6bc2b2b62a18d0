package dev.kubeproof.siem;

import java.util.List;
import java.util.Locale;

/** The violation formats by their configured name. */
public final class ViolationFormats {
    /** Every format name {@link #named} accepts. */
    public static final List<String> NAMES = List.of(EcsViolationFormatter.NAME, OcsfComplianceFindingFormatter.NAME);

    private ViolationFormats() {
    }

    /** {@code ecs} or {@code ocsf} (any case), without control metadata. */
    public static ViolationFormatter named(String name) {
        return named(name, ControlCatalog.empty());
    }

    /** {@code ecs} or {@code ocsf} (any case), enriched from the catalog. */
    public static ViolationFormatter named(String name, ControlCatalog catalog) {
        String normalized = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (normalized) {
            case EcsViolationFormatter.NAME -> new EcsViolationFormatter(catalog, EcsViolationFormatter.VIOLATIONS_DATASET,
                    EcsViolationFormatter.DEFAULT_RULE_REFERENCE_BASE);
            case OcsfComplianceFindingFormatter.NAME -> new OcsfComplianceFindingFormatter(catalog);
            default -> throw new IllegalArgumentException("violation format '" + name + "' is unknown; use one of " + NAMES);
        };
    }
}
