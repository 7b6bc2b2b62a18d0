package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.demo.SampleApiServer;
import dev.kubeproof.demo.synthetic.SyntheticCluster;
import dev.kubeproof.demo.synthetic.SyntheticClusterShape;

/**
 * {@code ./kubeproof run --kubeconfig ... --exit-when-done} on a 20,000-pod synthetic cluster, exactly as a user runs
 * it: the packaged CLI in a JVM of its own with the launcher's default 1 GB heap (and its exit on out-of-memory), its
 * own local servers, the cluster served through a Kubernetes API, its Trivy reports and audit log. It must settle,
 * exit 0 and report the failures the cluster was generated with.
 */
class LargeClusterRunIT {
    static final int PODS = 20_000;
    private static final Pattern PRIVILEGED = Pattern.compile("KP-POD-001\\s+\\S+\\s+.*?(\\d+) resource\\(s\\)");

    @Test
    void shouldSettleOnTwentyThousandPodsOnTheDefaultHeap(@TempDir Path dir) throws Exception {
        // Given a 20,000-pod cluster (40,000 objects, 2,000 images, 6,000 audit events) behind a Kubernetes API
        SyntheticCluster cluster = SyntheticCluster.of(SyntheticClusterShape.ofPods(PODS));
        Path trivy = dir.resolve("trivy");
        cluster.writeTrivyReports(trivy);
        Path auditLog = cluster.writeAuditLog(dir.resolve("audit.log"));
        Path output = dir.resolve("run.out");
        try (SampleApiServer api = cluster.startApiServer()) {
            Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));

            // When the packaged CLI runs on it with the launcher's JVM options
            Path jar = Path.of("target/kubeproof.jar").toAbsolutePath();
            assertThat(jar).as("the packaged CLI (mvn package builds it before the integration tests)").exists();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-XX:+ExitOnOutOfMemoryError"));
            command.addAll(launcherDefaultJavaOptions());
            command.addAll(List.of("-jar", jar.toString(), "run",
                    "--kubeconfig", kubeconfig.toString(), "--trivy-reports", trivy.toString(), "--audit-log",
                    auditLog.toString(), "--exit-when-done", "--timeout", "PT25M", "--home", dir.resolve("home").toString()));
            Process run = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean finished = run.waitFor(30, TimeUnit.MINUTES);
            if (!finished) {
                run.destroyForcibly();
            }
            String printed = Files.readString(output);
            System.out.println(printed.lines().filter(line -> !line.contains(" INFO ")).reduce("", (a, b) -> a + "\n" + b));

            // Then it settled and exited 0, never out of memory, with every risky Deployment failing KP-POD-001
            assertThat(finished).as("finished within 30 minutes").isTrue();
            assertThat(printed).doesNotContain("OutOfMemoryError").contains("== Posture: ");
            assertThat(run.exitValue()).as("exit status (output in %s)", output).isZero();
            Matcher privileged = PRIVILEGED.matcher(printed);
            assertThat(privileged.find()).as("KP-POD-001 among the top failing controls").isTrue();
            assertThat(Long.parseLong(privileged.group(1))).isEqualTo(cluster.expectedFailures("KP-POD-001"));
        }
    }

    /** The JVM options the launcher uses when KUBEPROOF_JAVA_OPTS is unset, read from it: the heap and collector a user gets. */
    private static List<String> launcherDefaultJavaOptions() throws java.io.IOException {
        String launcher = Files.readString(Path.of("../kubeproof"));
        Matcher defaults = Pattern.compile("\\$\\{KUBEPROOF_JAVA_OPTS:-([^}]*)}").matcher(launcher);
        assertThat(defaults.find()).as("the launcher's default JVM options").isTrue();
        List<String> options = List.of(defaults.group(1).trim().split("\\s+"));
        assertThat(options).contains("-Xmx1g");
        return options;
    }
}
