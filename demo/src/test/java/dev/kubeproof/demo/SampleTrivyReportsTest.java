package dev.kubeproof.demo;

import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SampleTrivyReportsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SampleCluster sample;
    private static Map<String, JsonNode> reports;

    @BeforeAll
    static void load() throws IOException {
        sample = SampleCluster.load();
        reports = new HashMap<>();
        for (var entry : sample.trivyReports().entrySet()) {
            reports.put(entry.getKey(), JSON.readTree(entry.getValue()));
        }
    }

    @Test
    void shouldBeTrivySchemaVersionTwoImageReportsWithFixedTimes() {
        // Given / When / Then
        assertThat(reports).hasSizeGreaterThanOrEqualTo(15);
        Set<String> createdAt = new HashSet<>();
        reports.forEach((name, report) -> {
            assertThat(report.path("SchemaVersion").asInt()).as(name).isEqualTo(2);
            assertThat(report.path("ArtifactType").asText()).as(name).isEqualTo("container_image");
            assertThat(report.path("ArtifactName").asText()).as(name).isNotBlank();
            Instant.parse(report.path("CreatedAt").asText());
            assertThat(createdAt.add(report.path("CreatedAt").asText())).as(name + " CreatedAt unique").isTrue();
            assertThat(report.path("Metadata").path("OS").path("Family").asText()).as(name).isNotBlank();
            assertThat(report.path("Metadata").path("RepoDigests").size()).as(name).isPositive();
            assertThat(report.path("Results").size()).as(name).isPositive();
            for (JsonNode result : report.path("Results")) {
                assertThat(result.path("Class").asText()).as(name).isIn("os-pkgs", "lang-pkgs");
                assertThat(result.path("Packages").size()).as(name + " lists packages").isPositive();
            }
        });
    }

    @Test
    void shouldScanOnlyImagesTheWorkloadsRun() {
        // Given
        Set<String> images = sample.images();

        // When / Then: each report's tag is an image some container uses, with or without its digest
        reports.forEach((name, report) -> {
            String tagged = report.path("Metadata").path("RepoTags").get(0).asText();
            assertThat(images).as(name).anyMatch(i -> i.equals(tagged) || i.startsWith(tagged + "@"));
        });
    }

    @Test
    void shouldMatchTheDigestsThatManifestsPin() {
        // Given
        Map<String, String> pinnedByTag = new HashMap<>();
        for (String image : sample.images()) {
            int at = image.indexOf('@');
            if (at > 0) {
                pinnedByTag.put(image.substring(0, at), image.substring(at + 1));
            }
        }

        // When / Then
        int matched = 0;
        for (JsonNode report : reports.values()) {
            String tagged = report.path("Metadata").path("RepoTags").get(0).asText();
            String repository = tagged.substring(0, tagged.lastIndexOf(':'));
            String digest = report.path("Metadata").path("RepoDigests").get(0).asText();
            assertThat(digest).startsWith(repository + "@sha256:");
            if (pinnedByTag.containsKey(tagged)) {
                assertThat(digest).isEqualTo(repository + "@" + pinnedByTag.get(tagged));
                matched++;
            }
        }
        assertThat(matched).isGreaterThanOrEqualTo(15);
    }

    @Test
    void shouldReportTheKnownVulnerableImages() {
        // Given
        JsonNode alpine = reports.get("alpine-3.10.2.json");
        JsonNode debian = reports.get("debian-10.1.json");
        JsonNode nginx = reports.get("nginx-alpine.json");

        // When / Then: end-of-life OSes and the fixture CVEs
        assertThat(alpine.path("Metadata").path("OS").path("EOSL").asBoolean()).isTrue();
        assertThat(alpine.path("Results").get(0).path("Vulnerabilities").toString()).contains("CVE-2019-1549", "CVE-2019-1551");
        assertThat(debian.path("Metadata").path("OS").path("EOSL").asBoolean()).isTrue();
        JsonNode critical = debian.path("Results").get(0).path("Vulnerabilities").get(0);
        assertThat(critical.path("VulnerabilityID").asText()).isEqualTo("CVE-2019-18224");
        assertThat(critical.path("Severity").asText()).isEqualTo("CRITICAL");
        assertThat(critical.path("FixedVersion").asText()).isEqualTo("2.0.5-1+deb10u1");
        assertThat(nginx.path("Results").get(0).path("Vulnerabilities").toString()).contains("CVE-2023-23914");
        // the company's distroless images are clean and current
        JsonNode api = reports.get("payments-api-1.14.2.json");
        assertThat(api.path("Metadata").path("OS").has("EOSL")).isFalse();
        assertThat(api.path("Results").get(0).has("Vulnerabilities")).isFalse();
    }
}
