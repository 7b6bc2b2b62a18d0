package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.Severity;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

import org.junit.jupiter.api.Test;

class TrivyOperatorReportsTest {

    @Test
    void shouldReadEveryFixtureVulnerabilityReportAndRefuseOtherReports() {
        for (Path file : ScanFixtures.operatorReports()) {
            JsonNode report = ScanFixtures.json(file);
            if (TrivyOperatorReports.isVulnerabilityReport(report)) {
                assertThat(TrivyOperatorReports.toImageScan(report, "c1").getVulnerabilities()).as(file.toString())
                        .hasSize(report.path("report").path("vulnerabilities").size());
            } else {
                assertThatThrownBy(() -> TrivyOperatorReports.toImageScan(report, "c1")).as(file.toString())
                        .isInstanceOfSatisfying(InvalidInputException.class,
                                e -> assertThat(e.errorType()).isEqualTo(ErrorTypes.WRONG_KIND));
            }
        }
    }

    @Test
    void shouldCarryTheImageWorkloadContainerAndFinding() {
        // Given
        JsonNode report = ScanFixtures.json(ScanFixtures.operator("vulnerabilityreport_single_vuln.json"));

        // When
        ImageScan scan = TrivyOperatorReports.toImageScan(report, "prod");

        // Then
        assertThat(scan.getClusterId()).isEqualTo("prod");
        assertThat(scan.getImageRef()).isEqualTo("index.docker.io/library/nginx:alpine");
        assertThat(scan.getRepository()).isEqualTo("index.docker.io/library/nginx");
        assertThat(scan.getTag()).isEqualTo("alpine");
        assertThat(scan.getDigest()).isNull();
        assertThat(ImageScans.keyOf(scan)).isEqualTo("index.docker.io/library/nginx:alpine");
        assertThat(scan.getScanner().getVersion()).isEqualTo("0.38.2");
        assertThat(scan.getScanner().getVendor()).isEqualTo("Aqua Security");
        assertThat(scan.getScannedAt()).isEqualTo(Instant.parse("2023-03-23T16:23:01Z"));
        assertThat(scan.getContainer()).isEqualTo("nginx");
        assertThat(scan.getSource()).isEqualTo("trivy-operator");
        assertThat(scan.getWorkload().getKind()).isEqualTo("ReplicaSet");
        assertThat(scan.getWorkload().getName()).isEqualTo("nginx-deployment-965685897");
        assertThat(scan.getWorkload().getNamespace()).isEqualTo("default");
        assertThat(scan.getWorkload().getApiVersion()).isEqualTo("apps/v1");
        assertThat(scan.getWorkload().getApiGroup()).isEqualTo("apps");
        assertThat(scan.getWorkload().getUid()).isEqualTo("d19c7f74-b4c3-429d-9a45-1b2f5efc3c88");
        assertThat(scan.getWorkload().getClusterId()).isEqualTo("prod");
        assertThat(scan.getVulnerabilities()).singleElement().satisfies(v -> {
            assertThat(v.getId()).isEqualTo("CVE-2023-23914");
            assertThat(v.getPackageName()).isEqualTo("curl");
            assertThat(v.getInstalledVersion()).isEqualTo("7.87.0-r1");
            assertThat(v.getFixedVersion()).isEqualTo("7.87.0-r2");
            assertThat(v.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(v.getCvssScore()).isEqualTo(4.2);
            assertThat(v.getPrimaryUrl()).isEqualTo("https://avd.aquasec.com/nvd/cve-2023-23914");
            assertThat(v.getTarget()).isNull();
        });
        assertThat(scan.getSummary().getCritical()).isEqualTo(1);
    }

    @Test
    void shouldKeyByTheArtifactDigestWhenTheReportHasOne() {
        // Given
        ObjectNode report = (ObjectNode) ScanFixtures.json(ScanFixtures.operator("vulnerabilityreport_single_vuln.json"));
        ((ObjectNode) report.path("report").path("artifact")).put("digest", "sha256:0123abcd");
        ((ObjectNode) report.path("report")).putObject("os").put("family", "alpine").put("name", "3.17.1").put("eosl", true);

        // When
        ImageScan scan = TrivyOperatorReports.toImageScan(report, "c1");

        // Then
        assertThat(ImageScans.keyOf(scan)).isEqualTo("sha256:0123abcd");
        assertThat(scan.getImageRef()).isEqualTo("index.docker.io/library/nginx:alpine@sha256:0123abcd");
        assertThat(scan.getOs().getEndOfLife()).isTrue();
    }

    @Test
    void shouldRefuseWrongVersionsAndMissingParts() {
        ObjectNode report = (ObjectNode) ScanFixtures.json(ScanFixtures.operator("vulnerabilityreport_single_vuln.json"));
        ObjectNode v2 = report.deepCopy().put("apiVersion", "aquasecurity.github.io/v2");
        ObjectNode noReport = report.deepCopy();
        noReport.remove("report");
        ObjectNode badSeverity = report.deepCopy();
        ((ObjectNode) badSeverity.path("report").path("vulnerabilities").get(0)).put("severity", "APOCALYPTIC");

        assertThatThrownBy(() -> TrivyOperatorReports.toImageScan(v2, "c1"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorTypes.WRONG_API_VERSION));
        assertThatThrownBy(() -> TrivyOperatorReports.toImageScan(noReport, "c1"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorTypes.MISSING_FIELD));
        assertThatThrownBy(() -> TrivyOperatorReports.toImageScan(badSeverity, "c1"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorTypes.UNKNOWN_ENUM));
    }
}
