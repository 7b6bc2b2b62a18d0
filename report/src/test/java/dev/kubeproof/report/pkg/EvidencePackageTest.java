package dev.kubeproof.report.pkg;

import static dev.kubeproof.avro.EvidenceStatus.CLOSED;
import static dev.kubeproof.avro.EvidenceStatus.EXEMPT;
import static dev.kubeproof.avro.EvidenceStatus.FAIL;
import static dev.kubeproof.avro.EvidenceStatus.NOT_APPLICABLE;
import static dev.kubeproof.avro.EvidenceStatus.PASS;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.report.ReportRequest;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.report.support.Chains;
import dev.kubeproof.report.support.ListEvidenceSource;

/** A whole package made from known evidence: every format, then verified, then tampered with in every way. */
class EvidencePackageTest {
    static final Instant FROM = Instant.parse("2026-10-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path dir;
    Path publicKey;

    @BeforeEach
    void makePackage() throws IOException {
        // Given a month of evidence: a failure from September fixed in October, an exempted one, a deleted resource,
        // a not-applicable one and a runtime detection, signed with a fresh key
        Path privateKey = tmp.resolve("signer.key");
        publicKey = tmp.resolve("signer.pub.pem");
        Signing.keygen(privateKey, publicKey);
        ListEvidenceSource source = new ListEvidenceSource().add(
                Chains.of("KP-POD-001", "shop", "web").then(FAIL, Instant.parse("2026-09-20T00:00:00Z"))
                        .then(PASS, Instant.parse("2026-10-08T12:00:00Z")),
                Chains.of("KP-POD-001", "shop", "legacy").then(FAIL, Instant.parse("2026-10-02T00:00:00Z"))
                        .then(EXEMPT, Instant.parse("2026-10-03T00:00:00Z"), "bob@example.com",
                                Chains.exception("EXC-1", "ciso@example.com", Instant.parse("2026-12-31T00:00:00Z"))),
                Chains.of("KP-POD-002", "shop", "tmp").then(FAIL, Instant.parse("2026-10-10T00:00:00Z"))
                        .then(CLOSED, Instant.parse("2026-10-11T00:00:00Z")),
                Chains.of("KP-POD-002", "shop", "web").then(NOT_APPLICABLE, Instant.parse("2026-08-01T00:00:00Z")),
                Chains.of("KP-RUN-001", "shop", "web").then(FAIL, Instant.parse("2026-10-20T00:00:00Z"), "mallory@example.com", null),
                Chains.of("KP-POD-001", "shop", "late").then(FAIL, TO));
        ControlEngine engine = ControlEngine.withDefaults();
        ControlScope scope = ControlScope.of(engine.controls(), engine.frameworks(), ReportFilter.ALL);
        dir = tmp.resolve("october");
        new PackageWriter(scope, Clock.fixed(Instant.parse("2026-11-02T08:00:00Z"), ZoneOffset.UTC)).write(source,
                new ReportRequest(new Period(FROM, TO), ReportFilter.ALL, Set.of(), dir, privateKey, null), line -> { });
    }

    @Test
    void shouldLeaveNoPartialPackageWhenTheStoreFailsHalfWay() throws IOException {
        // Given a store that fails after the package's files are open (Elasticsearch gone, no such index)
        ControlEngine engine = ControlEngine.withDefaults();
        ControlScope scope = ControlScope.of(engine.controls(), engine.frameworks(), ReportFilter.ALL);
        dev.kubeproof.report.source.EvidenceSource failing = (period, controls, filter, consumer, progress) -> {
            throw new IOException("no evidence in Elasticsearch: kubeproof-evidence does not exist");
        };
        Path fresh = tmp.resolve("november");
        Path empty = Files.createDirectories(tmp.resolve("december"));

        // When a package is written into a new and into an empty directory, Then the error comes through
        PackageWriter writer = new PackageWriter(scope, Clock.fixed(Instant.parse("2026-12-02T08:00:00Z"), ZoneOffset.UTC));
        for (Path out : List.of(fresh, empty)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.write(failing, new ReportRequest(
                            new Period(TO, Instant.parse("2026-12-01T00:00:00Z")), ReportFilter.ALL, Set.of(), out, null, null),
                            line -> { }))
                    .hasMessageContaining("does not exist");
        }

        // And nothing that looks like a package is left: the new directory is gone, the empty one empty again
        assertThat(fresh).doesNotExist();
        assertThat(empty).isEmptyDirectory();
    }

    @Test
    void shouldWriteEveryFormatAndVerifyWithTheSignersKey() throws IOException {
        // When
        PackageVerifier.Result result = PackageVerifier.verify(dir, publicKey);

        // Then
        assertThat(result.problems()).isEmpty();
        assertThat(result.records()).isEqualTo(6);
        assertThat(result.keys()).isEqualTo(5);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(PackageFiles.MANIFEST,
                    PackageFiles.SIGNATURE, PackageFiles.EVIDENCE, PackageFiles.STATE_AT_START, PackageFiles.CHAINS,
                    PackageFiles.CHECKPOINTS, PackageFiles.EVIDENCE_CSV, PackageFiles.VIOLATIONS_CSV, PackageFiles.EXEMPTIONS_CSV,
                    PackageFiles.CONTROLS_CSV, PackageFiles.SUMMARY_JSON, PackageFiles.HTML, PackageFiles.PDF, PackageFiles.OSCAL);
        }
        JsonNode summary = JSON.readTree(dir.resolve(PackageFiles.SUMMARY_JSON).toFile());
        JsonNode privileged = control(summary, "KP-POD-001");
        assertThat(privileged.path("violationsOpened").asInt()).isEqualTo(1);
        assertThat(privileged.path("violationsClosed").asInt()).isEqualTo(2);
        assertThat(summary.path("exceptions").get(0).path("approvedBy").asText()).isEqualTo("ciso@example.com");
        assertThat(summary.path("runtimeDetections").path("KP-RUN-001").path("mallory@example.com").asInt()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve(PackageFiles.EVIDENCE_CSV))).hasSize(1 + 6)
                .noneMatch(line -> line.contains("/uid-shop-late"));
        assertThat(Files.readString(dir.resolve(PackageFiles.VIOLATIONS_CSV))).contains("2026-09-20T00:00:00Z");
        assertThat(Files.readString(dir.resolve(PackageFiles.HTML))).contains("ciso@example.com").contains("data:image/png;base64,");
    }

    @Test
    void shouldRenderAPdfWhosePagesAreNotBlankAndHoldTheCharts() throws IOException {
        // When the PDF's pages are rendered to images
        try (PDDocument pdf = Loader.loadPDF(dir.resolve(PackageFiles.PDF).toFile())) {
            PDFRenderer renderer = new PDFRenderer(pdf);
            int images = 0;
            for (int page = 0; page < pdf.getNumberOfPages(); page++) {
                BufferedImage image = renderer.renderImageWithDPI(page, 40);
                // Then every page has ink on it
                assertThat(inkedPixels(image)).as("page %d", page + 1).isGreaterThan(100);
                PDPage pdPage = pdf.getPage(page);
                for (COSName name : pdPage.getResources().getXObjectNames()) {
                    if (pdPage.getResources().getXObject(name) instanceof PDImageXObject chart) {
                        assertThat(chart.getWidth()).isGreaterThanOrEqualTo(600);
                        images++;
                    }
                }
            }
            // and the three charts are in it
            assertThat(images).isEqualTo(3);
            assertThat(new org.apache.pdfbox.text.PDFTextStripper().getText(pdf)).contains("KP-POD-001").contains("ciso@example.com");
        }
    }

    @Test
    void shouldWriteOscalAssessmentResultsThatValidateAgainstTheOfficialSchema() throws IOException {
        // Given NIST's published OSCAL 1.1.2 Assessment Results JSON schema
        JsonSchema schema;
        try (InputStream in = getClass().getResourceAsStream("/schema/json/oscal-ar_schema.json")) {
            assertThat(in).as("oscal-ar_schema.json from liboscal-java").isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }

        // When the package's OSCAL is validated
        JsonNode oscal = JSON.readTree(dir.resolve(PackageFiles.OSCAL).toFile());
        Set<ValidationMessage> errors = schema.validate(oscal);

        // Then it is valid, with one observation per key and a not-satisfied finding for the failed control
        assertThat(errors).isEmpty();
        JsonNode result = oscal.path("assessment-results").path("results").get(0);
        assertThat(result.path("observations")).hasSize(5);
        List<String> notSatisfied = new ArrayList<>();
        result.path("findings").forEach(f -> {
            if (f.path("target").path("status").path("state").asText().equals("not-satisfied")) {
                notSatisfied.add(f.path("target").path("target-id").asText());
            }
        });
        assertThat(notSatisfied).containsExactlyInAnyOrder("kp-pod-001", "kp-pod-002", "kp-run-001");
    }

    @Test
    void shouldNotAcceptAnOscalDocumentTheSchemaForbids() throws IOException {
        // Given the schema and the package's OSCAL with a finding status the standard does not know
        JsonSchema schema;
        try (InputStream in = getClass().getResourceAsStream("/schema/json/oscal-ar_schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        JsonNode oscal = JSON.readTree(dir.resolve(PackageFiles.OSCAL).toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) oscal.path("assessment-results").path("results").get(0).path("findings")
                .get(0).path("target").path("status")).put("state", "mostly-fine");

        // When / Then the validation the previous test relies on does reject it
        assertThat(schema.validate(oscal)).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {PackageFiles.EVIDENCE, PackageFiles.STATE_AT_START, PackageFiles.CHAINS, PackageFiles.EVIDENCE_CSV,
            PackageFiles.VIOLATIONS_CSV, PackageFiles.SUMMARY_JSON, PackageFiles.HTML, PackageFiles.PDF, PackageFiles.OSCAL})
    void shouldFailWhenOneByteOfAFileChanges(String file) throws IOException {
        // Given one byte changed in the middle of the file
        Path path = dir.resolve(file);
        byte[] bytes = Files.readAllBytes(path);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(path, bytes);

        // When
        PackageVerifier.Result result = PackageVerifier.verify(dir, publicKey);

        // Then the message names the file
        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).anyMatch(p -> p.startsWith(file + ": SHA-256"));
    }

    @Test
    void shouldFailWhenTheManifestChangesAfterSigning() throws IOException {
        // Given the manifest's period widened after signing
        Path manifest = dir.resolve(PackageFiles.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace("2026-10-01T00:00:00Z", "2026-09-01T00:00:00Z"));

        // When / Then
        assertThat(PackageVerifier.verify(dir, publicKey).problems())
                .anyMatch(p -> p.startsWith(PackageFiles.SIGNATURE + " does not verify"));
    }

    @Test
    void shouldFailWhenTheSignatureIsSwappedForAnotherKeys() throws IOException {
        // Given the manifest re-signed by someone else's key
        Path otherKey = tmp.resolve("other.key");
        Signing.keygen(otherKey, tmp.resolve("other.pub.pem"));
        Files.writeString(dir.resolve(PackageFiles.SIGNATURE),
                Signing.sign(Files.readAllBytes(dir.resolve(PackageFiles.MANIFEST)), otherKey));

        // When / Then
        assertThat(PackageVerifier.verify(dir, publicKey).problems()).singleElement().asString()
                .startsWith(PackageFiles.SIGNATURE + " does not verify");
    }

    @Test
    void shouldNameTheKeyWhenAnEvidenceLineIsRemoved() throws IOException {
        // Given the appendix without the record that closed web's violation (the manifest re-hashed, as a forger would)
        Path evidence = dir.resolve(PackageFiles.EVIDENCE);
        List<String> lines = new ArrayList<>(Files.readAllLines(evidence));
        String removed = lines.stream().filter(l -> l.contains("uid-shop-web") && l.contains("KP-POD-001")).findFirst().orElseThrow();
        lines.remove(removed);
        Files.write(evidence, lines);

        // When
        PackageVerifier.Result result = PackageVerifier.verify(dir, publicKey);

        // Then the file, the line and the key are named
        assertThat(result.problems()).anyMatch(p -> p.startsWith(PackageFiles.EVIDENCE + ": SHA-256"));
        assertThat(result.problems()).anyMatch(p -> p.startsWith(PackageFiles.EVIDENCE + " line")
                && p.contains("prod/KP-POD-001/uid-shop-web"));
    }

    @Test
    void shouldNameTheKeyAndSequenceWhenEvidenceLinesAreReordered() throws IOException {
        // Given legacy's two records swapped
        Path evidence = dir.resolve(PackageFiles.EVIDENCE);
        List<String> lines = new ArrayList<>(Files.readAllLines(evidence));
        int first = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("uid-shop-legacy")) {
                first = i;
                break;
            }
        }
        String a = lines.get(first);
        lines.set(first, lines.get(first + 1));
        lines.set(first + 1, a);
        Files.write(evidence, lines);

        // When
        PackageVerifier.Result result = PackageVerifier.verify(dir, publicKey);

        // Then
        assertThat(result.problems()).anyMatch(p -> p.startsWith(PackageFiles.EVIDENCE + ": key prod/KP-POD-001/uid-shop-legacy sequence 2")
                && p.endsWith("comes before sequence 1 (records out of order)"));
    }

    @Test
    void shouldFailWhenAFileIsAddedOrRemoved() throws IOException {
        // Given a file added and one removed
        Files.writeString(dir.resolve("extra.csv"), "x\n");
        Files.delete(dir.resolve(PackageFiles.EXEMPTIONS_CSV));

        // When / Then
        assertThat(PackageVerifier.verify(dir, publicKey).problems()).contains(
                "extra.csv is not in the manifest (added after the package was made)",
                PackageFiles.EXEMPTIONS_CSV + " is listed in the manifest but missing");
    }

    private static JsonNode control(JsonNode summary, String id) {
        for (JsonNode control : summary.path("controls")) {
            if (control.path("id").asText().equals(id)) {
                return control;
            }
        }
        throw new AssertionError("no control " + id);
    }

    private static long inkedPixels(BufferedImage image) {
        long inked = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    inked++;
                }
            }
        }
        return inked;
    }

    static String text(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
