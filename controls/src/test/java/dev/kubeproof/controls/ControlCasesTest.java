package dev.kubeproof.controls;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.InstalledPackage;
import dev.kubeproof.avro.OperatingSystem;
import dev.kubeproof.avro.Scanner;
import dev.kubeproof.avro.SeveritySummary;
import dev.kubeproof.avro.Vulnerability;
import dev.kubeproof.controls.pss.PssCheck;
import dev.kubeproof.controls.pss.PssChecks;
import dev.kubeproof.controls.view.InMemoryClusterView;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fixture case under {@code control-cases/<CONTROL-ID>/}, in the manner of kubescape's regolibrary: the file
 * name says the expected status ({@code pass*}, {@code fail*}, {@code not-applicable*}, {@code needs-configuration*});
 * a fail case lists the
 * findings it expects (path, container, and optionally value). A case file holds {@code object} (evaluated), and
 * optionally {@code cluster} (other objects in the view), {@code imageScans} and {@code settings} overrides.
 */
class ControlCasesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> CASE_KEYS = Set.of("object", "cluster", "imageScans", "settings", "expect");
    private static final ControlEngine DEFAULT_ENGINE = ControlEngine.withDefaults();

    record Case(String controlId, String file, Status expected, JsonNode content) {
        @Override
        public String toString() {
            return controlId + "/" + file;
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(casesRoot())) {
            for (Path dir : dirs.sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.sorted().toList()) {
                        cases.add(new Case(dir.getFileName().toString(), file.getFileName().toString(),
                                expectedStatus(file), YAML.readTree(file.toFile())));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldEvaluateEachCaseToItsExpectedResult(Case testCase) {
        // Given the case's object, the rest of its cluster and its settings
        JsonNode content = testCase.content();
        content.fieldNames().forEachRemaining(key -> assertThat(CASE_KEYS).as("keys of case %s", testCase).contains(key));
        ControlEngine engine = content.has("settings")
                ? ControlEngine.load(ControlSettings.defaults().with(content.get("settings")))
                : DEFAULT_ENGINE;
        InMemoryClusterView.Builder view = InMemoryClusterView.builder();
        content.path("cluster").forEach(view::add);
        if (content.has("imageScans")) {
            view.imageScansAvailable(true);
            content.get("imageScans").forEach(scan -> view.addImageScan(imageScan(scan)));
        }

        // When the case's control is evaluated on the object
        ControlResult result = engine.evaluate(content.get("object"), view.build()).stream()
                .filter(r -> r.control().id().equals(testCase.controlId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(testCase.controlId() + " does not apply to kind "
                        + content.path("object").path("kind").asText()));

        // Then the status is the expected one, and a FAIL names exactly the expected fields
        assertThat(result.status()).as("%s: %s", testCase, result.message()).isEqualTo(testCase.expected());
        assertThat(result.message()).isNotBlank();
        List<JsonNode> expectedFindings = new ArrayList<>();
        content.path("expect").path("findings").forEach(expectedFindings::add);
        if (testCase.expected() == Status.FAIL) {
            assertThat(expectedFindings).as("a fail case must list its expected findings: %s", testCase).isNotEmpty();
            assertThat(result.findings()).extracting(f -> f.path() + " @ " + f.container())
                    .as("%s findings %s", testCase, result.findings())
                    .containsExactlyInAnyOrderElementsOf(expectedFindings.stream()
                            .map(f -> f.path("path").asText() + " @ " + f.path("container").asText(null)).toList());
            for (JsonNode expected : expectedFindings) {
                if (expected.has("value")) {
                    assertThat(result.findings()).filteredOn(f -> f.path().equals(expected.path("path").asText()))
                            .extracting(Finding::value).contains(expected.get("value").isNull() ? null : expected.get("value").toString());
                }
            }
            assertThat(result.findings()).allSatisfy(f -> assertThat(f.message()).isNotBlank());
        } else if (testCase.expected() == Status.NEEDS_CONFIGURATION) {
            // the findings name the settings to give, as settings.<key>
            assertThat(result.findings()).isNotEmpty().allSatisfy(f -> assertThat(f.path()).startsWith("settings."));
        } else {
            assertThat(expectedFindings).as("only fail cases list findings: %s", testCase).isEmpty();
            assertThat(result.findings()).isEmpty();
        }
    }

    @Test
    void shouldHaveAPassAndAFailCaseForEveryObservableControlAndNoCasesForUnknownOnes() throws IOException {
        // Given the cases on disk, by control id and expected status
        Map<String, Set<Status>> statuses = new TreeMap<>();
        cases().forEach(c -> statuses.computeIfAbsent(c.controlId(), k -> new TreeSet<>()).add(c.expected()));

        // When compared with the catalog (the KP-PSS-* controls' cases are pss-cases/, run by PodSecurityStandardTest
        // at every version and level of the standard)
        Set<String> pssControls = PssChecks.all().stream().map(PssCheck::controlId).collect(Collectors.toSet());
        Set<String> observable = DEFAULT_ENGINE.observableIds().stream().filter(id -> !pssControls.contains(id))
                .collect(Collectors.toSet());

        // Then every observable control has both, and no case folder names anything else
        assertThat(observable).allSatisfy(id -> assertThat(statuses.getOrDefault(id, Set.of()))
                .as("cases of %s", id).contains(Status.PASS, Status.FAIL));
        assertThat(observable).containsAll(statuses.keySet());
    }

    private static Status expectedStatus(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".yaml")) {
            throw new IllegalStateException("case files end in .yaml: " + file);
        }
        if (name.startsWith("not-applicable")) {
            return Status.NOT_APPLICABLE;
        }
        if (name.startsWith("needs-configuration")) {
            return Status.NEEDS_CONFIGURATION;
        }
        if (name.startsWith("pass")) {
            return Status.PASS;
        }
        if (name.startsWith("fail")) {
            return Status.FAIL;
        }
        throw new IllegalStateException("case file names start with pass, fail, not-applicable or needs-configuration: " + file);
    }

    /** A scan as a case writes it: image, os, vulnerabilities [id, package, installed, fixed, severity], packages. */
    static ImageScan imageScan(JsonNode node) {
        List<Vulnerability> vulnerabilities = new ArrayList<>();
        int critical = 0;
        int high = 0;
        for (JsonNode v : node.path("vulnerabilities")) {
            dev.kubeproof.avro.Severity severity = dev.kubeproof.avro.Severity.valueOf(v.path("severity").asText());
            critical += severity == dev.kubeproof.avro.Severity.CRITICAL ? 1 : 0;
            high += severity == dev.kubeproof.avro.Severity.HIGH ? 1 : 0;
            vulnerabilities.add(Vulnerability.newBuilder()
                    .setId(v.path("id").asText())
                    .setPackageName(v.path("package").asText())
                    .setInstalledVersion(v.path("installed").asText())
                    .setFixedVersion(v.path("fixed").asText(null))
                    .setSeverity(severity)
                    .setPackageClass(v.path("class").asText(null))
                    .build());
        }
        List<InstalledPackage> packages = new ArrayList<>();
        for (JsonNode p : node.path("packages")) {
            packages.add(InstalledPackage.newBuilder().setName(p.path("name").asText())
                    .setVersion(p.path("version").asText(null)).setPackageClass(p.path("class").asText(null)).build());
        }
        JsonNode os = node.path("os");
        return ImageScan.newBuilder()
                .setScanId("case-" + node.path("image").asText())
                .setImageRef(node.path("image").asText())
                .setDigest(node.path("digest").asText(null))
                .setScanner(Scanner.newBuilder().setName("Trivy").build())
                .setScannedAt(Instant.parse("2025-01-01T00:00:00Z"))
                .setOs(os.isObject() ? OperatingSystem.newBuilder().setFamily(os.path("family").asText())
                        .setName(os.path("name").asText(null)).setEndOfLife(os.path("endOfLife").asBoolean(false)).build() : null)
                .setVulnerabilities(vulnerabilities)
                .setPackages(packages)
                .setSummary(SeveritySummary.newBuilder().setCritical(critical).setHigh(high).setMedium(0).setLow(0).setUnknown(0).build())
                .build();
    }

    static Path casesRoot() {
        try {
            return Path.of(ControlCasesTest.class.getResource("/control-cases").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("the control-cases test resources are missing", e);
        }
    }
}
