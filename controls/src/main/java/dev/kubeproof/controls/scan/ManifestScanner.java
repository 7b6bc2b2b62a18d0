package dev.kubeproof.controls.scan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.controls.exceptions.ControlExceptions;
import dev.kubeproof.controls.exceptions.ExceptionRule;
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
        return scan(manifests, warnings, Instant.now());
    }

    /**
     * The same, applying the kubeproof ControlException documents found among the manifests as of {@code now}:
     * a FAIL they cover is reported EXEMPT with the reason; an expired one is reported as a warning.
     */
    public ScanReport scan(List<Manifest> manifests, List<String> warnings, Instant now) {
        return scan(manifests, warnings, now, null);
    }

    /**
     * The same with image scan results ({@code scan --trivy-report}): the image controls judge the manifests'
     * images by them, and an image without one is "not scanned". {@code imageScans} null: no scan data, the image
     * controls that need it are NOT_APPLICABLE.
     */
    public ScanReport scan(List<Manifest> manifests, List<String> warnings, Instant now, List<ImageScan> imageScans) {
        List<String> allWarnings = new ArrayList<>(warnings);
        List<ExceptionRule> rules = new ArrayList<>();
        List<Manifest> objects = new ArrayList<>();
        for (Manifest manifest : manifests) {
            if (ControlExceptions.isExceptionDocument(manifest.object())) {
                ExceptionRule rule = ControlExceptions.parse(manifest.object());
                rules.add(rule);
                if (!rule.activeAt(now)) {
                    allWarnings.add(manifest.source() + ":" + manifest.line() + ": control exception " + rule.exceptionId()
                            + (rule.revoked() ? " is revoked" : " expired at " + rule.expiresAt()) + " and covers nothing");
                }
            } else {
                objects.add(manifest);
            }
        }
        ControlExceptions exceptions = new ControlExceptions(rules);
        InMemoryClusterView.Builder viewBuilder = InMemoryClusterView.builder();
        objects.forEach(m -> viewBuilder.add(m.object()));
        if (imageScans != null) {
            viewBuilder.imageScansAvailable(true);
            imageScans.forEach(viewBuilder::addImageScan);
        }
        ClusterView view = viewBuilder.build();
        List<ScanReport.ResourceResults> resources = new ArrayList<>();
        for (Manifest manifest : objects) {
            resources.add(new ScanReport.ResourceResults(manifest,
                    exceptions.apply(evaluator.evaluate(manifest.object(), view), manifest.object(), null, now)));
        }
        return new ScanReport(resources, evaluator.controls(), allWarnings);
    }
}
