package dev.kubeproof.report.model;

import java.util.List;
import java.util.Set;

/**
 * What a report is about: empty lists mean "all". Frameworks select the controls mapped to them (cis, nsa, pss,
 * soc2, mitre); controls, clusters and namespaces select evidence directly.
 */
public record ReportFilter(List<String> frameworks, List<String> controls, List<String> clusters, List<String> namespaces) {

    public static final ReportFilter ALL = new ReportFilter(List.of(), List.of(), List.of(), List.of());

    public ReportFilter {
        frameworks = frameworks == null ? List.of() : List.copyOf(frameworks);
        controls = controls == null ? List.of() : List.copyOf(controls);
        clusters = clusters == null ? List.of() : List.copyOf(clusters);
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    }

    /** Whether a transition passes the cluster and namespace filters (controls are chosen before, from the catalog). */
    public boolean admits(Transition transition) {
        return (clusters.isEmpty() || clusters.contains(transition.clusterId()))
                && (namespaces.isEmpty() || (transition.namespace() != null && namespaces.contains(transition.namespace())));
    }

    /** Whether a control with these framework keys and id is in scope. */
    public boolean admitsControl(String controlId, Set<String> frameworkKeys) {
        return (controls.isEmpty() || controls.contains(controlId))
                && (frameworks.isEmpty() || frameworks.stream().anyMatch(frameworkKeys::contains));
    }
}
