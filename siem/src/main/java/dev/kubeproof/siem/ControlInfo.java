package dev.kubeproof.siem;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the control catalog knows about a control beyond what an {@code EvidenceRecord} carries: enough for a
 * SIEM to group findings by framework and to link to the control's documentation.
 *
 * @param controlId   the control's stable id, e.g. KP-POD-001
 * @param category    e.g. pod-security, rbac; may be null
 * @param description what the control checks and why; may be null
 * @param frameworks  framework key (cis, nsa, pss, soc2, mitre, ...) to the section or level ids it maps to
 * @param references  documentation links, the first one being the control's own page
 */
public record ControlInfo(String controlId, String category, String description, Map<String, List<String>> frameworks,
                          List<String> references) {

    public ControlInfo {
        Objects.requireNonNull(controlId, "controlId");
        frameworks = frameworks == null ? Map.of() : Map.copyOf(frameworks);
        frameworks.forEach((key, ids) -> Objects.requireNonNull(ids, "frameworks." + key));
        references = references == null ? List.of() : List.copyOf(references);
    }
}
