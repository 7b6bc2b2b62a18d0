package dev.kubeproof.cli.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.kubeproof.demo.SampleApiServer;
import dev.kubeproof.demo.synthetic.SyntheticCluster;
import dev.kubeproof.demo.synthetic.SyntheticClusterShape;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kubeproof bench cluster}: serves a synthetic cluster through a (mock) Kubernetes API until stopped, and
 * writes what {@code kubeproof run} needs to watch it: a kubeconfig, the images' Trivy reports and an audit log.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Serves a synthetic cluster through a local (mock) Kubernetes API until stopped (Ctrl-C), and "
                + "writes a kubeconfig, Trivy reports and an audit log for it, e.g. to try",
                "  kubeproof run --kubeconfig DIR/kubeconfig --trivy-reports DIR/trivy --audit-log DIR/audit.log"})
public final class SyntheticClusterCommand implements Callable<Integer> {

    @Option(names = "--pods", defaultValue = "20000", description = "Pods (default: ${DEFAULT-VALUE}); namespaces, "
            + "Deployments and images follow in the default proportions (20 pods and 5 Deployments per namespace, "
            + "one image per 10 pods).")
    int pods;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the kubeconfig, "
            + "the Trivy reports (DIR/trivy) and the audit log (DIR/audit.log).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SyntheticCluster cluster = SyntheticCluster.of(SyntheticClusterShape.ofPods(pods));
        SyntheticClusterShape shape = cluster.shape();
        Path reports = out.resolve("trivy");
        cluster.writeTrivyReports(reports);
        Path auditLog = cluster.writeAuditLog(out.resolve("audit.log"));
        try (SampleApiServer api = cluster.startApiServer()) {
            Path kubeconfig = api.writeKubeconfig(out.resolve("kubeconfig"));
            System.out.printf("synthetic cluster: %,d objects (%,d pods, %,d Deployments in %,d namespaces, %,d images) "
                            + "served at %s%n", api.objectCount(), shape.pods(), shape.deployments(), shape.namespaces(),
                    shape.images(), api.url());
            System.out.printf("  expected: KP-POD-001 (privileged) fails on %,d Deployments (their ReplicaSets and Pods are judged on them)%n",
                    cluster.expectedFailures("KP-POD-001"));
            System.out.printf("watch it with:%n  ./kubeproof run --kubeconfig %s --trivy-reports %s --audit-log %s%n",
                    kubeconfig, reports, auditLog);
            System.out.println("serving until stopped (Ctrl-C)");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }
}
