package dev.kubeproof.controls.catalog;

import java.util.List;

import dev.kubeproof.controls.ControlDefinition;

/**
 * A control as the catalog declares it: its public definition plus how the engine scopes it.
 *
 * @param definition              the control's metadata
 * @param excludeSystemNamespaces true when objects in the configured system namespaces are NOT_APPLICABLE (the
 *                                platform's own pods legitimately use host access); false for controls that target
 *                                those namespaces (control plane) or cluster-wide grants (RBAC)
 * @param needsSettings           control settings only an organisation can give (its trusted registries, its owner
 *                                labels): until each is configured, the control reports NEEDS_CONFIGURATION instead
 *                                of judging by kubeproof's guess
 * @param trivyChecks             the Trivy Kubernetes checks (KSV ids) that judge the same thing, so that a scanner's
 *                                misconfiguration finding is linked to this control; the same thing, not the same
 *                                rule: the verdicts may differ, and where they do, kubeproof's control says why
 */
public record CatalogEntry(ControlDefinition definition, boolean excludeSystemNamespaces, List<String> needsSettings,
                           List<String> trivyChecks) {

    public CatalogEntry {
        needsSettings = List.copyOf(needsSettings);
        trivyChecks = List.copyOf(trivyChecks);
    }

    /** A control no scanner check corresponds to (custom controls). */
    public CatalogEntry(ControlDefinition definition, boolean excludeSystemNamespaces, List<String> needsSettings) {
        this(definition, excludeSystemNamespaces, needsSettings, List.of());
    }

    public String id() {
        return definition.id();
    }
}
