package dev.kubeproof.controls.scan;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class ScanCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String stdin, String... args) {
        CommandLine command = new CommandLine(new ScanCommand().withStdin(InputStreams.of(stdin)));
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        return command.execute(args);
    }

    @Test
    void shouldExitZeroWhenEveryControlPasses() {
        // When the hardened manifests are scanned
        int exit = run("", ScanFixtures.path("manifests/hardened"));

        // Then nothing fails, and namespace controls saw the policies, quota and limits of the same files
        assertThat(err.toString()).isEmpty();
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("7 resources scanned").contains(" 0 failed");
    }

    @Test
    void shouldSayWhichSettingsToGiveInsteadOfGuessingThem(@TempDir Path tmp) throws Exception {
        // When the hardened manifests are scanned without the organisation's registries and owner labels
        int exit = run("", ScanFixtures.path("manifests/hardened"));

        // Then nothing fails, and the controls that depend on them say what to set instead of judging
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("NEEDS_CONFIGURATION").contains("KP-IMG-001")
                .contains("results need configuration: set requiredOwnerLabels, trustedRegistries in a settings file"
                        + " (--settings FILE) so that KP-IMG-001, KP-RES-001 can judge");

        // When the organisation's settings are given
        Path settings = Files.writeString(tmp.resolve("settings.yaml"),
                "trustedRegistries: [registry.k8s.io, docker.io/library, ghcr.io/kubeproof]\nrequiredOwnerLabels: [owner]\n");
        out.getBuffer().setLength(0);
        int configured = run("", "--settings", settings.toString(), ScanFixtures.path("manifests/hardened"));

        // Then they judge, and nothing needs configuration
        assertThat(configured).isZero();
        assertThat(out.toString()).doesNotContain("NEEDS_CONFIGURATION").doesNotContain("need configuration");
    }

    @Test
    void shouldExitOneWhenAFailureReachesTheThreshold() {
        // When a privileged pod is scanned with the default threshold (any failure)
        int exit = run("", ScanFixtures.path("manifests/insecure/privileged.yaml"));

        // Then it fails and the table says where
        assertThat(exit).isEqualTo(ScanCommand.EXIT_FAILURES);
        assertThat(out.toString()).contains("KP-POD-001").contains("spec.containers[0].securityContext.privileged (container shell)")
                .contains("privileged.yaml:2]");
    }

    @Test
    void shouldIgnoreFailuresBelowTheThreshold() throws Exception {
        // Given a pod whose only failures are below critical once the privileged flag is gone
        String pod = Files.readString(Path.of(ScanFixtures.path("manifests/insecure/privileged.yaml")))
                .replace("privileged: true", "privileged: false");

        // When scanned from stdin with --fail-on critical, and again with --fail-on HIGH
        int critical = run(pod, "--fail-on", "critical", "-");
        int high = run(pod, "--fail-on", "HIGH", "-");

        // Then only the high threshold fails (e.g. non-root and privilege escalation are high)
        assertThat(critical).isZero();
        assertThat(high).isEqualTo(ScanCommand.EXIT_FAILURES);
    }

    @Test
    void shouldJudgeCustomCelControlsAndAnAdmissionPolicyBesideTheBuiltInOnes() {
        // Given a Deployment without a cost-center label and with 6 replicas
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec: {replicas: 6}
                """;

        // When scanned with the custom controls directory (a control file and a ValidatingAdmissionPolicy)
        int exit = run(deployment, "--controls", "src/test/resources/custom-controls/good", "--fail-on", "critical", "-");

        // Then both custom controls fail it, with their messages
        assertThat(err.toString()).isEmpty();
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("ACME-LBL-001").contains("no cost-center label on Deployment web")
                .contains("VAP-DEMO-POLICY-EXAMPLE-COM");
    }

    @Test
    void shouldReportAnExpressionThatExceedsTheCostLimitAsErrorAndGoOn() {
        // Given two ConfigMaps: one with a list of 1,500 items, one with 3
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            items.append(i == 0 ? "" : ",").append("i").append(i);
        }
        String configMaps = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: long, namespace: shop}\ndata: {items: \""
                + items + "\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: short, namespace: shop}\n"
                + "data: {items: \"a,b,c\"}\n";

        // When scanned with a control whose expression is quadratic in the list
        run(configMaps, "--controls", "src/test/resources/custom-controls/costly", "--format", "json", "-");

        // Then the long one is ERROR, saying the limit was exceeded, and the short one is still judged
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString()).contains("exceeded the cost limit of 1000000");
        com.fasterxml.jackson.databind.JsonNode report = readJson(out.toString());
        java.util.Map<String, String> statuses = new java.util.TreeMap<>();
        for (com.fasterxml.jackson.databind.JsonNode resource : report.path("resources")) {
            for (com.fasterxml.jackson.databind.JsonNode result : resource.path("results")) {
                if ("ACME-COST-001".equals(result.path("controlId").asText())) {
                    statuses.put(resource.path("name").asText(), result.path("status").asText());
                }
            }
        }
        assertThat(statuses).containsEntry("long", "ERROR").containsEntry("short", "PASS");
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void shouldExitTwoWhenACustomControlDoesNotCompile() {
        assertThat(run("", "--controls", "src/test/resources/custom-controls/broken/syntax.yaml",
                ScanFixtures.path("manifests/hardened"))).isEqualTo(ScanCommand.EXIT_INVALID_INPUT);
        assertThat(err.toString()).contains("syntax.yaml").contains("ACME-BAD-001 validations[0].expression line 1");
    }

    @Test
    void shouldExitTwoOnInvalidInput() {
        assertThat(run("kind: [", "-")).isEqualTo(ScanCommand.EXIT_INVALID_INPUT);
        assertThat(err.toString()).contains("kubeproof scan: <stdin>:").contains("not valid YAML");
        assertThat(run("", "-")).isEqualTo(ScanCommand.EXIT_INVALID_INPUT);
        assertThat(err.toString()).contains("no Kubernetes objects found in -");
        assertThat(run("", "--format", "html", "-")).isEqualTo(2);
        assertThat(err.toString()).contains("'html' is not a format");
    }

    @Test
    void shouldRejectSettingsWithUnknownKeys(@TempDir Path dir) throws Exception {
        Path settings = Files.writeString(dir.resolve("settings.yaml"), "trustedRegistrys: [x]\n");

        assertThat(run("", "--settings", settings.toString(), ScanFixtures.path("manifests/hardened")))
                .isEqualTo(ScanCommand.EXIT_INVALID_INPUT);
        assertThat(err.toString()).contains("unknown control settings key(s) [trustedRegistrys]");
    }

    @Test
    void shouldWriteJsonToTheOutputFile(@TempDir Path dir) throws Exception {
        // When the insecure pod is scanned to a JSON file
        Path report = dir.resolve("report.json");
        int exit = run("", "--format", "json", "--output", report.toString(), ScanFixtures.path("manifests/insecure"));

        // Then the file holds every result of the pod with a consistent summary
        assertThat(exit).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        JsonNode results = json.path("resources").get(0).path("results");
        assertThat(json.path("resources")).hasSize(1);
        assertThat(json.path("summary").path("fail").asInt()).isEqualTo(countStatus(results, "FAIL")).isPositive();
        assertThat(json.path("summary").path("failuresBySeverity").path("critical").asInt()).as("KP-POD-001 and KP-PSS-003: privileged").isEqualTo(2);
        assertThat(results.findValuesAsText("controlId")).contains("KP-POD-001", "KP-NS-001");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldDescribeItselfInItsHelp() {
        run("", "--help");

        assertThat(out.toString()).contains("Usage: scan").contains("--fail-on=SEVERITY").contains("kustomize build")
                .contains("Exit codes:").contains("--settings=FILE");
    }

    private static int countStatus(JsonNode results, String status) {
        int count = 0;
        for (JsonNode result : results) {
            count += result.path("status").asText().equals(status) ? 1 : 0;
        }
        return count;
    }
}
