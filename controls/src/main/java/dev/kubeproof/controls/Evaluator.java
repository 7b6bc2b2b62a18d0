package dev.kubeproof.controls;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.catalog.Framework;
import dev.kubeproof.controls.runtime.AuditRules;

/**
 * Evaluates the catalog's controls on Kubernetes objects. The streams topology and the offline scan both use
 * it, so that a manifest and the same object in a cluster get the same results.
 */
public interface Evaluator {

    /** Every control in the catalog, observable or not. */
    List<ControlDefinition> controls();

    /** The standards the controls' {@code frameworks} map to, by key, with their editions; empty when unknown. */
    default Map<String, Framework> frameworks() {
        return Map.of();
    }

    /**
     * Evaluates every control that applies to the object's kind. One result per such control; a control whose
     * code throws yields an ERROR result, never an exception.
     */
    List<ControlResult> evaluate(JsonNode object, ClusterView view);

    /**
     * Kinds whose objects in the same namespace must be re-evaluated when an object of {@code changedKind}
     * changes (e.g. a NetworkPolicy change re-evaluates its Namespace); {@code ImageScan} for scans.
     */
    Set<String> kindsToReevaluate(String changedKind);

    /**
     * Re-evaluates an object after an object of {@code changedKind} changed (a dependency, or {@code ImageScan}):
     * only the controls that declare it in {@code dependsOn}, because no other control reads it. Default: every
     * control, as {@link #evaluate}.
     */
    default List<ControlResult> reevaluate(JsonNode object, ClusterView view, String changedKind) {
        return evaluate(object, view);
    }

    /** The runtime controls that judge audit events; none unless the evaluator has a catalog of them. */
    default AuditRules auditRules() {
        return AuditRules.none();
    }
}
