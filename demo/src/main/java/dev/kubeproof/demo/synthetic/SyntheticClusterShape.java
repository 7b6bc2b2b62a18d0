package dev.kubeproof.demo.synthetic;

/**
 * The size of a {@link SyntheticCluster}, validated on construction.
 *
 * @param pods        Pods, spread evenly over the Deployments (each Deployment has one ReplicaSet)
 * @param namespaces  namespaces, each with a ServiceAccount, a Role and RoleBinding, and (four in five) a
 *                    default-deny NetworkPolicy
 * @param deployments Deployments, spread evenly over the namespaces (each with a Service)
 * @param images      distinct container images, each with a Trivy report
 */
public record SyntheticClusterShape(int pods, int namespaces, int deployments, int images) {
    /** {@code kubeproof bench}'s default: 20,000 pods in 1,000 namespaces, 5,000 Deployments, 2,000 images. */
    public static final SyntheticClusterShape DEFAULT = ofPods(20_000);

    public SyntheticClusterShape {
        positive("pods", pods);
        positive("namespaces", namespaces);
        positive("deployments", deployments);
        positive("images", images);
        if (deployments > pods) {
            throw new IllegalArgumentException("deployments (" + deployments + ") must not exceed pods (" + pods
                    + "): every Deployment runs at least one pod");
        }
        if (namespaces > deployments) {
            throw new IllegalArgumentException("namespaces (" + namespaces + ") must not exceed deployments ("
                    + deployments + "): every namespace holds at least one Deployment");
        }
    }

    /** The default proportions for a pod count: 20 pods and 5 Deployments per namespace, one image per 10 pods. */
    public static SyntheticClusterShape ofPods(int pods) {
        positive("pods", pods);
        return new SyntheticClusterShape(pods, Math.max(1, pods / 20), Math.max(1, pods / 4), Math.max(1, pods / 10));
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }
}
