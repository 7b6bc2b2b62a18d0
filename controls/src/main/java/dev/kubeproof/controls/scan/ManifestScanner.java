package dev.kubeproof.controls.scan;

import java.util.ArrayList;
import java.util.List;

import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.controls.view.InMemoryClusterView;

/**
 * The offline scan: evaluates manifests with the same engine as the streams topology, without Kafka. All manifests
 * read together form the cluster view, so namespace controls see the NetworkPolicies, quotas and service accounts
 * declared next to them.
 */
public final class ManifestScanner {

    private final Evaluator evaluator;

    public ManifestScanner(Evaluator evaluator) {
        this.evaluator = evaluator;
    }

    /** Evaluates every manifest against a view of all of them (no image scan data: scan controls are N/A). */
    public ScanReport scan(List<Manifest> manifests, List<String> warnings) {
        ClusterView view = InMemoryClusterView.of(manifests.stream().map(Manifest::object).toList());
        List<ScanReport.ResourceResults> resources = new ArrayList<>();
        for (Manifest manifest : manifests) {
            resources.add(new ScanReport.ResourceResults(manifest, evaluator.evaluate(manifest.object(), view)));
        }
        return new ScanReport(resources, evaluator.controls(), warnings);
    }
}
