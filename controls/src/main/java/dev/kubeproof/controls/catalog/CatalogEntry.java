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
 */
public record CatalogEntry(ControlDefinition definition, boolean excludeSystemNamespaces, List<String> needsSettings) {

    public CatalogEntry {
        needsSettings = List.copyOf(needsSettings);
    }

    public String id() {
        return definition.id();
    }
}
