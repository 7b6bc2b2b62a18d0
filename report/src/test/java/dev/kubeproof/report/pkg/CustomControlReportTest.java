package dev.kubeproof.report.pkg;

import static dev.kubeproof.avro.EvidenceStatus.FAIL;
import static dev.kubeproof.avro.EvidenceStatus.PASS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.report.ReportRequest;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.report.support.Chains;
import dev.kubeproof.report.support.ListEvidenceSource;

/** A report covers an organisation's custom controls when it is given their files, under the frameworks they map to. */
class CustomControlReportTest {
    private static final Instant FROM = Instant.parse("2026-10-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
    private static final String CONTROL = """
            id: ACME-LBL-001
            title: Deployments name a cost center
            severity: medium
            appliesTo: [Deployment]
            frameworks: {soc2: [CC1.3]}
            remediation: Add the label cost-center.
            validations: [{expression: "has(object.metadata.labels) && 'cost-center' in object.metadata.labels"}]
            """;

    @TempDir
    Path tmp;

    @Test
    void shouldReportTheEvidenceOfCustomControlsGivenTheirFilesAndLeaveItOutOtherwise() throws IOException {
        // Given a custom control's evidence: a failure fixed in October, beside a built-in control's
        Path file = Files.writeString(tmp.resolve("cost-center.yaml"), CONTROL);
        ListEvidenceSource source = new ListEvidenceSource().add(
                Chains.of("ACME-LBL-001", "shop", "web").then(FAIL, Instant.parse("2026-10-02T00:00:00Z"))
                        .then(PASS, Instant.parse("2026-10-10T00:00:00Z")),
                Chains.of("KP-POD-001", "shop", "web").then(PASS, Instant.parse("2026-10-02T00:00:00Z")));

        // When a SOC 2 report is written with the control's file, and one without
        ReportFilter soc2 = new ReportFilter(List.of("soc2"), List.of(), List.of(), List.of());
        JsonNode with = summary(source, ControlScope.withCustomControls(List.of(file), soc2), soc2, "with");
        JsonNode without = summary(source, ControlScope.withCustomControls(List.of(), soc2), soc2, "without");

        // Then the first counts the custom control under SOC 2 with its violation, the second does not know it
        JsonNode custom = control(with, "ACME-LBL-001");
        assertThat(custom).isNotNull();
        assertThat(custom.path("violationsOpened").asInt() + custom.path("violationsClosed").asInt()).isPositive();
        assertThat(custom.toString()).contains("soc2");
        assertThat(control(without, "ACME-LBL-001")).isNull();
        assertThat(control(without, "KP-POD-001")).isNotNull();
    }

    private JsonNode summary(ListEvidenceSource source, ControlScope scope, ReportFilter filter, String name)
            throws IOException {
        Path dir = tmp.resolve(name);
        new PackageWriter(scope, Clock.fixed(Instant.parse("2026-11-02T08:00:00Z"), ZoneOffset.UTC)).write(source,
                new ReportRequest(new Period(FROM, TO), filter, Set.of(), dir, null, null), line -> { });
        return new ObjectMapper().readTree(dir.resolve(PackageFiles.SUMMARY_JSON).toFile());
    }

    private static JsonNode control(JsonNode summary, String id) {
        for (JsonNode control : summary.path("controls")) {
            if (control.path("id").asText().equals(id)) {
                return control;
            }
        }
        return null;
    }
}
