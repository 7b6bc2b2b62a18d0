package dev.kubeproof.siem;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceRecord;

/**
 * One configured SIEM output: a format and the least severe control severity it carries. A transition of a
 * control below the minimum yields no document, so a SIEM that wants only HIGH and CRITICAL gets only those.
 *
 * @param formatter       the format
 * @param minimumSeverity the least severe control severity to output; INFO outputs everything
 */
public record ViolationOutput(ViolationFormatter formatter, ControlSeverity minimumSeverity) {

    public ViolationOutput {
        Objects.requireNonNull(formatter, "formatter");
        Objects.requireNonNull(minimumSeverity, "minimumSeverity");
    }

    /** Every severity, in the given format. */
    public static ViolationOutput of(String format) {
        return new ViolationOutput(ViolationFormats.named(format), ControlSeverity.INFO);
    }

    /**
     * From configuration values, e.g. {@code ("ocsf", "high")}; a null minimum means every severity.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static ViolationOutput of(String format, String minimumSeverity, ControlCatalog catalog) {
        ControlSeverity minimum = ControlSeverity.INFO;
        if (minimumSeverity != null && !minimumSeverity.isBlank()) {
            try {
                minimum = ControlSeverity.valueOf(minimumSeverity.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("minimum severity '" + minimumSeverity
                        + "' is unknown; use one of critical, high, medium, low, info", e);
            }
        }
        return new ViolationOutput(ViolationFormats.named(format, catalog), minimum);
    }

    public boolean accepts(EvidenceRecord transition) {
        return Transitions.atLeast(transition.getSeverity(), minimumSeverity);
    }

    /** The document, or empty when the control's severity is below the minimum. */
    public Optional<String> format(EvidenceRecord transition) {
        return accepts(transition) ? Optional.of(formatter.format(transition)) : Optional.empty();
    }
}
