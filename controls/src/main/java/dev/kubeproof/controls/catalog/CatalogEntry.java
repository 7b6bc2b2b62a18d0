package dev.kubeproof.controls.catalog;

import dev.kubeproof.controls.ControlDefinition;

/**
 * A control as the catalog declares it: its public definition plus how the engine scopes it.
 *
 * @param definition              the control's metadata
 * @param excludeSystemNamespaces true when objects in the configured system namespaces are NOT_APPLICABLE (the
 *                                platform's own pods legitimately use host access); false for controls that target
 *                                those namespaces (control plane) or cluster-wide grants (RBAC)
 */
public record CatalogEntry(ControlDefinition definition, boolean excludeSystemNamespaces) {

    public String id() {
        return definition.id();
    }
}
