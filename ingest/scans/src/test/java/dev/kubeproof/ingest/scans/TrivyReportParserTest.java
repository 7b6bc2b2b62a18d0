package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.Severity;
import dev.kubeproof.avro.Vulnerability;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrivyReportParserTest {
    private final TrivyReportParser parser = new TrivyReportParser(ScanHarness.CLOCK);

    private ImageScan parse(String golden) {
        return parser.parse(ScanFixtures.json(ScanFixtures.trivy(golden)), null, "file:" + golden);
    }

    static Stream<Path> everyGolden() {
        return ScanFixtures.trivyGoldens().stream();
    }

    @ParameterizedTest
    @MethodSource("everyGolden")
    void shouldReadEveryTrivyGoldenReport(Path golden) {
        // Given
        JsonNode raw = ScanFixtures.json(golden);

        // When
        ImageScan scan = parser.parse(raw, null, "http");

        // Then: everything in the report is carried over
        int findings = 0;
        for (JsonNode result : raw.path("Results")) {
            findings += result.path("Vulnerabilities").size();
        }
        assertThat(scan.getVulnerabilities()).hasSize(findings);
        assertThat(scan.getImageRef()).isEqualTo(raw.get("ArtifactName").asText());
        assertThat(scan.getArtifactType()).isEqualTo(raw.get("ArtifactType").asText());
        assertThat(scan.getScannedAt())
                .isEqualTo(Instant.parse(raw.get("CreatedAt").asText()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(scan.getScanner().getName()).isEqualTo("Trivy");
        var summary = scan.getSummary();
        assertThat(summary.getCritical() + summary.getHigh() + summary.getMedium() + summary.getLow() + summary.getUnknown())
                .isEqualTo(findings);
        assertThat(scan.getScanId()).hasSize(64);
        assertThat(ImageScan.newBuilder(scan).build()).isEqualTo(scan);
        if (raw.path("Metadata").has("ImageID")) {
            assertThat(scan.getDigest()).isEqualTo(raw.path("Metadata").get("ImageID").asText());
            assertThat(ImageScans.keyOf(scan)).isEqualTo(scan.getDigest());
        }
        if (raw.path("Metadata").has("OS")) {
            assertThat(scan.getOs().getFamily()).isEqualTo(raw.path("Metadata").path("OS").get("Family").asText());
            assertThat(scan.getOs().getEndOfLife()).isEqualTo(raw.path("Metadata").path("OS").path("EOSL").asBoolean(false));
        } else {
            assertThat(scan.getOs()).isNull();
        }
    }

    @Test
    void shouldCarryOverAlpineWithItsEndOfLifeAndNvdScores() {
        // When
        ImageScan scan = parse("alpine-310.json.golden");

        // Then
        assertThat(scan.getDigest()).isEqualTo("sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4");
        assertThat(scan.getOs().getFamily()).isEqualTo("alpine");
        assertThat(scan.getOs().getName()).isEqualTo("3.10.2");
        assertThat(scan.getOs().getEndOfLife()).isTrue();
        assertThat(scan.getVulnerabilities()).extracting(Vulnerability::getId)
                .containsExactly("CVE-2019-1549", "CVE-2019-1551", "CVE-2019-1549", "CVE-2019-1551");
        Vulnerability first = scan.getVulnerabilities().get(0);
        assertThat(first.getPackageName()).isEqualTo("libcrypto1.1");
        assertThat(first.getInstalledVersion()).isEqualTo("1.1.1c-r0");
        assertThat(first.getFixedVersion()).isEqualTo("1.1.1d-r0");
        assertThat(first.getStatus()).isEqualTo("fixed");
        assertThat(first.getSeverity()).isEqualTo(Severity.MEDIUM);
        assertThat(first.getCvssScore()).isEqualTo(5.3);
        assertThat(first.getTitle()).isEqualTo("openssl: information disclosure in fork()");
        assertThat(first.getPrimaryUrl()).isEqualTo("https://avd.aquasec.com/nvd/cve-2019-1549");
        assertThat(first.getTarget()).isEqualTo("testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)");
        assertThat(first.getPackageClass()).isEqualTo("os-pkgs");
        assertThat(scan.getSummary().getMedium()).isEqualTo(4);
        assertThat(scan.getScannedAt()).isEqualTo(Instant.parse("2021-08-25T12:20:30Z"));
    }

    @Test
    void shouldKeepUnfixedAndWillNotFixFindingsWithoutAFixedVersion() {
        // When
        ImageScan debian = parse("debian-buster.json.golden");
        ImageScan ubi = parse("ubi-7.json.golden");

        // Then
        assertThat(debian.getOs().getEndOfLife()).isFalse();
        assertThat(debian.getVulnerabilities()).filteredOn(v -> v.getId().equals("CVE-2019-18276")).singleElement()
                .satisfies(v -> {
                    assertThat(v.getStatus()).isEqualTo("affected");
                    assertThat(v.getFixedVersion()).isNull();
                    assertThat(v.getSeverity()).isEqualTo(Severity.LOW);
                    assertThat(v.getCvssScore()).isEqualTo(7.8);
                });
        assertThat(debian.getSummary().getCritical()).isEqualTo(1);
        assertThat(debian.getSummary().getLow()).isEqualTo(1);
        assertThat(ubi.getOs().getFamily()).isEqualTo("redhat");
        assertThat(ubi.getVulnerabilities()).singleElement().satisfies(v -> {
            assertThat(v.getStatus()).isEqualTo("will_not_fix");
            assertThat(v.getFixedVersion()).isNull();
        });
    }

    @Test
    void shouldKeyARepositoryScanWithoutDigestByItsArtifactName() {
        // When
        ImageScan pom = parse("pom.json.golden");

        // Then
        assertThat(pom.getDigest()).isNull();
        assertThat(pom.getOs()).isNull();
        assertThat(pom.getArtifactType()).isEqualTo("repository");
        assertThat(ImageScans.keyOf(pom)).isEqualTo("testdata/fixtures/repo/pom");
        assertThat(pom.getVulnerabilities()).extracting(Vulnerability::getCvssScore).containsExactly(9.8, 8.1);
        assertThat(pom.getVulnerabilities()).extracting(Vulnerability::getPackageClass).containsOnly("lang-pkgs");
        assertThat(pom.getSummary().getCritical()).isEqualTo(1);
        assertThat(pom.getSummary().getHigh()).isEqualTo(1);
    }

    @Test
    void shouldPreferRepoDigestsAndTakeRepositoryAndTagFromRepoTags() {
        // Given
        ObjectNode report = (ObjectNode) ScanFixtures.json(ScanFixtures.trivy("debian-buster.json.golden"));
        report.put("ArtifactName", "debian:buster");
        ObjectNode metadata = (ObjectNode) report.get("Metadata");
        metadata.putArray("RepoTags").add("registry.example.com:5000/library/debian:buster");
        metadata.putArray("RepoDigests").add("registry.example.com:5000/library/debian@sha256:aaaa");

        // When
        ImageScan scan = parser.parse(report, "c1", "http");

        // Then
        assertThat(scan.getDigest()).isEqualTo("sha256:aaaa");
        assertThat(scan.getRepository()).isEqualTo("registry.example.com:5000/library/debian");
        assertThat(scan.getTag()).isEqualTo("buster");
        assertThat(scan.getClusterId()).isEqualTo("c1");
        assertThat(ImageScans.keyOf(scan)).isEqualTo("sha256:aaaa");
    }

    @Test
    void shouldKeyByRepositoryAndTagWhenThereIsNoDigest() {
        // Given
        ObjectNode report = (ObjectNode) ScanFixtures.json(ScanFixtures.trivy("ubi-7.json.golden"));
        report.put("ArtifactName", "registry.access.redhat.com/ubi7:7.7");
        ((ObjectNode) report.get("Metadata")).remove("ImageID");

        // When
        ImageScan scan = parser.parse(report, null, "http");

        // Then
        assertThat(scan.getDigest()).isNull();
        assertThat(ImageScans.keyOf(scan)).isEqualTo("registry.access.redhat.com/ubi7:7.7");
    }

    @Test
    void shouldListPackagesWhenTheReportHasThem() {
        // Given
        ObjectNode report = (ObjectNode) ScanFixtures.json(ScanFixtures.trivy("alpine-310.json.golden"));
        ArrayNode packages = ((ObjectNode) report.get("Results").get(0)).putArray("Packages");
        packages.addObject().put("Name", "musl").put("Version", "1.1.22-r3");
        packages.addObject().put("Name", "busybox").put("Version", "1.30.1-r2");

        // When
        ImageScan scan = parser.parse(report, null, "http");

        // Then
        assertThat(scan.getPackages()).hasSize(2).allSatisfy(p -> assertThat(p.getPackageClass()).isEqualTo("os-pkgs"));
        assertThat(scan.getPackages().get(0).getName()).isEqualTo("musl");
    }

    static Stream<Arguments> badReports() {
        String alpine = new String(ScanFixtures.bytes(ScanFixtures.trivy("alpine-310.json.golden")));
        return Stream.of(
                Arguments.of(alpine.replace("\"SchemaVersion\": 2", "\"SchemaVersion\": 1"), ErrorTypes.WRONG_API_VERSION),
                Arguments.of(alpine.replace("\"SchemaVersion\": 2,", ""), ErrorTypes.MISSING_FIELD),
                Arguments.of(alpine.replace("\"ArtifactName\"", "\"Artifact\""), ErrorTypes.MISSING_FIELD),
                Arguments.of(alpine.replaceFirst("\"VulnerabilityID\"", "\"VulnID\""), ErrorTypes.MISSING_FIELD),
                Arguments.of(alpine.replaceFirst("\"Severity\": \"MEDIUM\"", "\"Severity\": \"SEVERE\""), ErrorTypes.UNKNOWN_ENUM),
                Arguments.of(alpine.replaceFirst("\"CreatedAt\": \"[^\"]*\"", "\"CreatedAt\": \"last tuesday\""), ErrorTypes.INVALID_VALUE),
                Arguments.of(alpine.replaceFirst("\"Results\": \\[", "\"Results\": 7, \"Ignored\": ["), ErrorTypes.INVALID_VALUE),
                Arguments.of("[]", ErrorTypes.INVALID_VALUE));
    }

    @ParameterizedTest
    @MethodSource("badReports")
    void shouldClassifyBadReports(String report, String errorType) {
        assertThatThrownBy(() -> parser.parse(ScanFixtures.json(report), null, "http"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.errorType()).isEqualTo(errorType));
    }
}
