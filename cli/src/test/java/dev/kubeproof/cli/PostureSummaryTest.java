package dev.kubeproof.cli;

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
                new PostureSummary.ControlPosture("KP-POD-001", Map.of(EvidenceStatus.FAIL, 12_000L,
                        EvidenceStatus.PASS, 88_000L), List.of("Pod shop/web-2", "Pod shop/web-1", "Pod shop/web-3")),
                new PostureSummary.ControlPosture("KP-POD-006", Map.of(EvidenceStatus.PASS, 100_000L,
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
            assertThat(control.controlId()).isEqualTo("KP-POD-001");
            assertThat(control.failing()).isEqualTo(12_000L);
            assertThat(control.examples()).containsExactly("Pod shop/web-1", "Pod shop/web-2", "Pod shop/web-3");
        });
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("== Posture: 200000 control results")
                .contains("12000 resource(s)").contains("        Pod shop/web-1").contains("... and 11997 more");
    }
}
