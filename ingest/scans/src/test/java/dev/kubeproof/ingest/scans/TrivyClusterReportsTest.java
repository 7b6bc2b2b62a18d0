package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.Severity;
import dev.kubeproof.contract.image.ImageScanReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrivyClusterReportsTest {

    private static final Path CLUSTER_REPORT = Path.of("src/test/resources/trivy-k8s/cluster-report.json");

    @Test
    void shouldReadOneScanPerImageOfAClusterReport() throws IOException {
        // Given a trivy k8s report: two Deployments running the same image, a DaemonSet with only a Go binary result
        ImageScanReader reader = ImageScanReader.installed().orElseThrow();

        // When it is read
        List<ImageScan> scans = reader.read(CLUSTER_REPORT);

        // Then each image is one scan under the report's cluster, with its OS, digest and every package result's
        // vulnerabilities (the jar's with the OS packages'); misconfiguration results are not vulnerabilities
        assertThat(scans).extracting(ImageScan::getImageRef)
                .containsExactly("ghcr.io/acme/web:1.4.2", "quay.io/prometheus/node-exporter:v1.6.1");
        ImageScan web = scans.get(0);
        assertThat(web.getClusterId()).isEqualTo("staging");
        assertThat(web.getDigest()).isEqualTo("sha256:9b2a7e5c3d1f0e8a6b4c2d0e8f6a4b2c0d8e6f4a2b0c8d6e4f2a0b8c6d4e2f0a8");
        assertThat(web.getOs().getFamily()).isEqualTo("debian");
        assertThat(web.getOs().getName()).isEqualTo("12.1");
        assertThat(web.getVulnerabilities()).extracting(v -> v.getId() + " " + v.getSeverity() + " " + v.getTarget())
                .containsExactly("CVE-2023-4911 HIGH ghcr.io/acme/web:1.4.2 (debian 12.1)", "CVE-2021-44228 CRITICAL app/app.jar");
        assertThat(web.getSummary().getCritical()).isEqualTo(1);
        assertThat(web.getSource()).isEqualTo("file:" + CLUSTER_REPORT);
        ImageScan exporter = scans.get(1);
        assertThat(exporter.getOs()).isNull();
        assertThat(exporter.getVulnerabilities()).singleElement().satisfies(v -> assertThat(v.getSeverity()).isEqualTo(Severity.HIGH));
    }

    @Test
    void shouldReadTheOlderShapeWithVulnerabilitiesAndMisconfigurationsLists() throws IOException {
        List<ImageScan> scans = ImageScanReader.installed().orElseThrow().read(Path.of("src/test/resources/trivy-k8s/legacy-cluster-report.json"));

        assertThat(scans).singleElement().satisfies(scan -> {
            assertThat(scan.getImageRef()).isEqualTo("ubuntu:22.04");
            assertThat(scan.getClusterId()).isEqualTo("minikube");
            assertThat(scan.getVulnerabilities()).extracting(v -> v.getId()).containsExactly("CVE-2016-2781");
        });
    }

    @Test
    void shouldReadImageAndOperatorReportsAndNameTheFileOfABadOne(@TempDir Path tmp) throws IOException {
        // Given the reader the scan command uses
        ImageScanReader reader = ImageScanReader.installed().orElseThrow();

        // Then image reports and Trivy Operator reports are read as the collector reads them
        assertThat(reader.read(ScanFixtures.trivy("alpine-310.json.golden"))).singleElement()
                .satisfies(scan -> assertThat(scan.getOs().getEndOfLife()).isTrue());
        assertThat(reader.read(ScanFixtures.operator("vulnerabilityreport_single_vuln.json"))).singleElement()
                .satisfies(scan -> assertThat(scan.getImageRef()).isEqualTo("index.docker.io/library/nginx:alpine"));

        // and a file that is no report is refused, naming the file and the problem
        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"SchemaVersion\": 1}");
        assertThatThrownBy(() -> reader.read(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("SchemaVersion must be 2");
        Path notJson = Files.writeString(tmp.resolve("notjson.json"), "{oops");
        assertThatThrownBy(() -> reader.read(notJson)).hasMessageContaining("notjson.json: not a JSON Trivy report");
    }
}
