package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Shift-left image controls: {@code kubeproof scan --trivy-report} judges manifests' images by Trivy results. */
class ScanWithTrivyReportTest {

    private static final Path CLUSTER_REPORT = Path.of("../ingest/scans/src/test/resources/trivy-k8s/cluster-report.json");
    private static final Path WORKLOADS = Path.of("src/test/resources/scan-trivy/workloads.yaml");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int scan(String... args) {
        CommandLine commandLine = Kubeproof.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void shouldJudgeTheManifestsImagesByTheGivenTrivyReport() throws Exception {
        // When the workloads are scanned with a trivy k8s cluster report
        int exit = scan("scan", "--format", "json", "--trivy-report", CLUSTER_REPORT.toString(), WORKLOADS.toString());

        // Then web fails for its fixable critical vulnerability (log4shell) and passes the scanned check, and api,
        // which no report covers, fails as not scanned
        assertThat(exit).as(err.toString()).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(status(report, "web", "KP-IMG-006")).isEqualTo("FAIL");
        assertThat(message(report, "web", "KP-IMG-006")).contains("CVE-2021-44228");
        assertThat(status(report, "web", "KP-IMG-004")).isEqualTo("PASS");
        assertThat(status(report, "api", "KP-IMG-004")).isEqualTo("FAIL");
    }

    @Test
    void shouldLeaveTheScanControlsNotApplicableWithoutAReportAndRefuseAMissingFile() throws Exception {
        // Without a report the image controls that need scan data cannot judge
        scan("scan", "--format", "json", WORKLOADS.toString());
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(status(report, "web", "KP-IMG-006")).isEqualTo("NOT_APPLICABLE");

        // and a report that does not exist is an input error naming it
        assertThat(scan("scan", "--trivy-report", "no-such-report.json", WORKLOADS.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--trivy-report no-such-report.json: no such file");
    }

    private static JsonNode result(JsonNode report, String name, String controlId) {
        for (JsonNode resource : report.path("resources")) {
            if (resource.path("name").asText().equals(name)) {
                for (JsonNode result : resource.path("results")) {
                    if (result.path("controlId").asText().equals(controlId)) {
                        return result;
                    }
                }
            }
        }
        throw new AssertionError("no " + controlId + " result for " + name + " in " + report);
    }

    private static String status(JsonNode report, String name, String controlId) {
        return result(report, name, controlId).path("status").asText();
    }

    private static String message(JsonNode report, String name, String controlId) {
        return result(report, name, controlId).toString();
    }
}
