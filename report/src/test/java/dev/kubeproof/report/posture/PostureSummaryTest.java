package dev.kubeproof.report.posture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.controls.ControlEngine;

/** The summary is built from per-control aggregates: its size follows the catalog, not the cluster. */
class PostureSummaryTest {

    @Test
    void shouldCountStatusesFrameworksAndTopFailingControlsFromPerControlAggregates() {
        // Given a critical control failing on 12,000 resources (three examples) and a passing one
        List<PostureSummary.ControlPosture> perControl = List.of(
                new PostureSummary.ControlPosture("KP-PSS-003", Map.of(EvidenceStatus.FAIL, 12_000L,
                        EvidenceStatus.PASS, 88_000L), List.of("Pod shop/web-2", "Pod shop/web-1", "Pod shop/web-3")),
                new PostureSummary.ControlPosture("KP-PSS-015", Map.of(EvidenceStatus.PASS, 100_000L,
                        EvidenceStatus.CLOSED, 5L), List.of()));

        // When
        PostureSummary summary = PostureSummary.of(perControl, ControlEngine.withDefaults().controls());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        summary.print(new PrintStream(printed, true, StandardCharsets.UTF_8));

        // Then
        assertThat(summary.byStatus()).containsEntry(EvidenceStatus.PASS, 188_000L).containsEntry(EvidenceStatus.FAIL, 12_000L)
                .doesNotContainKey(EvidenceStatus.CLOSED);
        assertThat(summary.byFramework().get("pss").controlsEvaluated()).isEqualTo(2);
        assertThat(summary.byFramework().get("pss").controlsFailing()).isEqualTo(1);
        assertThat(summary.byFramework().get("pss").failingResults()).isEqualTo(12_000L);
        assertThat(summary.topFailing()).singleElement().satisfies(control -> {
            assertThat(control.controlId()).isEqualTo("KP-PSS-003");
            assertThat(control.failing()).isEqualTo(12_000L);
            assertThat(control.examples()).containsExactly("Pod shop/web-1", "Pod shop/web-2", "Pod shop/web-3");
        });
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("== Posture: 200000 control results")
                .contains("12000 resource(s)").contains("        Pod shop/web-1").contains("... and 11997 more");
    }

    @Test
    void shouldShowExemptResultsAndWhichPracticesAreAttested() {
        // Given exempted failures, an attested practice and one not attested
        List<PostureSummary.ControlPosture> perControl = List.of(
                new PostureSummary.ControlPosture("KP-POD-002", Map.of(EvidenceStatus.EXEMPT, 3L, EvidenceStatus.PASS, 40L), List.of()),
                new PostureSummary.ControlPosture("KP-ATT-001", Map.of(EvidenceStatus.PASS, 1L), List.of()),
                new PostureSummary.ControlPosture("KP-ATT-003", Map.of(EvidenceStatus.FAIL, 1L), List.of("Cluster sample")));

        // When
        PostureSummary summary = PostureSummary.of(perControl, ControlEngine.withDefaults().controls());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        summary.print(new PrintStream(printed, true, StandardCharsets.UTF_8));

        // Then
        assertThat(summary.practices()).extracting(p -> p.controlId() + " " + p.attested())
                .containsExactly("KP-ATT-001 true", "KP-ATT-003 false");
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .containsPattern("EXEMPT +3 +results exempted")
                .contains("1 / 2   practices attested")
                .containsPattern("attested +KP-ATT-001 +Periodic review of RBAC access")
                .containsPattern("NOT attested +KP-ATT-003");
    }

    @Test
    void shouldPrintRuntimeDetectionsByControlWithTheirActorsAndTheLatest() {
        // Given the history's runtime detections, aggregated per control
        List<PostureSummary.RuntimeDetections> runtime = List.of(
                new PostureSummary.RuntimeDetections("KP-RUN-001", 3, java.util.Map.of("bob@example.com", 3L),
                        "bob@example.com exec into pod payments/payments-db-0 container postgres: psql"),
                new PostureSummary.RuntimeDetections("KP-RUN-007", 1, java.util.Map.of("mallory@example.com", 1L),
                        "mallory@example.com was denied 10 times within 5 min"));

        // When the summary is printed
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PostureSummary.of(List.of(), runtime, ControlEngine.withDefaults().controls())
                .print(new PrintStream(printed, true, StandardCharsets.UTF_8));

        // Then the total, each control with its actors and its latest detection
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("== Runtime detections (from the audit stream): 4")
                .contains("KP-RUN-001      3  by bob@example.com (3)")
                .contains("latest: bob@example.com exec into pod payments/payments-db-0")
                .contains("KP-RUN-007      1  by mallory@example.com (1)");
    }
}
