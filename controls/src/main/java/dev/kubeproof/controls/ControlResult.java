package dev.kubeproof.controls;

import java.util.List;

/**
 * One control evaluated on one object.
 *
 * @param control  the control's definition
 * @param status   PASS, FAIL, NOT_APPLICABLE, NEEDS_CONFIGURATION or ERROR (EXEMPT is applied later, from exceptions)
 * @param message  one line, e.g. "container nginx runs privileged"
 * @param findings the offending fields of a FAIL, the settings to give of a NEEDS_CONFIGURATION (empty otherwise)
 */
public record ControlResult(ControlDefinition control, Status status, String message, List<Finding> findings) {
    public ControlResult {
        findings = List.copyOf(findings);
    }
}
