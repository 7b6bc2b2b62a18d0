package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** kubeproof's own manifests pass kubeproof's own controls (accepted risks are ControlExceptions beside them). */
class DeployManifestsTest {

    static Path repoRoot() {
        String root = System.getProperty("kubeproof.repo.root");
        assertThat(root).as("system property kubeproof.repo.root (set by the build)").isNotNull();
        return Path.of(root);
    }

    @Test
    void shouldPassEveryControlOnTheRepositorysDeployFolder() {
        // Given the deploy/ folder of this repository
        Path deploy = repoRoot().resolve("deploy");
        assertThat(deploy).isDirectory();

        // When scanned as a user would: kubeproof scan deploy/
        StringWriter out = new StringWriter();
        CommandLine commandLine = Kubeproof.commandLine();
        commandLine.setOut(new PrintWriter(out));
        int exit = commandLine.execute("scan", deploy.toString());
        String report = out.toString();

        // Then nothing fails and nothing errors, and the workloads were really evaluated
        assertThat(exit).as(report).isZero();
        assertThat(report).contains("kubeproof-streams").contains("kubeproof-resource-collector");
        assertThat(report).contains(" 0 failed").contains(" 0 errors").doesNotContain("\nFAIL ");
    }

    @Test
    void shouldKeepTheKustomizationsResourcesInTheRepository() throws Exception {
        // Every file a kustomization lists must exist, or `kubectl kustomize` fails for the user.
        Path base = repoRoot().resolve("deploy/kubernetes/base");
        for (String line : Files.readAllLines(base.resolve("kustomization.yaml"))) {
            if (line.startsWith("  - ") && line.trim().endsWith(".yaml")) {
                assertThat(base.resolve(line.trim().substring(2))).exists();
            }
        }
    }
}
