package dev.kubeproof.controls;

import java.util.List;
import java.util.Map;

/**
 * A control's metadata, loaded from the catalog resource ({@code controls.yaml}); the evaluation code is
 * looked up by {@link #id()}.
 *
 * @param id          stable id, e.g. KP-POD-001; never reused
 * @param version     bumped when the evaluation logic changes meaning
 * @param title       short title
 * @param description what is checked and why
 * @param severity    severity of a failure
 * @param phase       build, deploy, runtime or infrastructure
 * @param category    e.g. pod-security, rbac, network, images, secrets, resources, audit, control-plane
 * @param appliesTo   kinds the control evaluates, e.g. [Pod, Deployment, ...]
 * @param dependsOn   other kinds (or {@code ImageScan}) whose changes in the same namespace can change the
 *                    result, so that the evaluator re-evaluates
 * @param frameworks  framework mappings: key (cis, nsa, pss, soc2, mitre) to section/level ids
 * @param remediation how to fix a failure
 * @param references  links
 * @param observable  false for practices that cluster data cannot show (manual attestation controls)
 * @param notObservableReason why not, when not observable
 * @param attestation true for a practice that people attest ({@code kubeproof attest}): PASS while an attestation
 *                    is valid, FAIL when none is or it expired
 */
public record ControlDefinition(String id, int version, String title, String description, Severity severity,
                                String phase, String category, List<String> appliesTo, List<String> dependsOn,
                                Map<String, List<String>> frameworks, String remediation, List<String> references,
                                boolean observable, String notObservableReason, boolean attestation) {

    /** True for a runtime control: it judges audit events (who did what), not objects. */
    public boolean auditEvaluated() {
        return observable && "runtime".equals(phase);
    }
}
