package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.CustomControl;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.cel.LiveControls;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.evaluation.EvaluationProcessor;
import dev.kubeproof.streams.evaluation.PublishedControls;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;

/**
 * Custom controls published on the custom-controls topic while the pipeline runs: judged without a restart, on every
 * stored object they apply to; a new version judges again, a withdrawal closes the evidence, a bad document is
 * dead-lettered and changes nothing.
 */
class PublishedCustomControlsTopologyTest {
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String COST_CENTER = """
            {"id": "ACME-LBL-001", "title": "Workloads name a cost center", "severity": "medium",
             "appliesTo": ["Deployment"], "remediation": "Add the label cost-center.",
             "validations": [{"expression": "has(object.metadata.labels) && 'cost-center' in object.metadata.labels",
                              "messageExpression": "'no cost-center label on ' + object.metadata.name"}]}
            """;
    private static final String COST_CENTER_V2 = COST_CENTER.replace("'cost-center' in object.metadata.labels",
            "'cost-center' in object.metadata.labels && object.metadata.labels['cost-center'].startsWith('cc-')");

    @TempDir
    Path stateDir;

    private TopologyHarness topology;
    private LiveControls controls;

    @BeforeEach
    void start() {
        controls = new LiveControls(ControlSettings.defaults(), List.of());
        topology = new TopologyHarness(stateDir, controls, ViolationFormats.named("ecs",
                ControlCatalog.of(controls.engine())));
        // Given two Deployments already judged by the built-in controls: one names its cost center, one does not
        ObjectNode labelled = Resources.deployment("shop", "web", "uid-web", false, "nginx:1.27");
        labelled.with("metadata").with("labels").put("cost-center", "cc-7");
        topology.pipe(Resources.change("prod", ChangeType.ADDED, labelled, "1", T1));
        topology.pipe(Resources.change("prod", ChangeType.ADDED,
                Resources.deployment("shop", "api", "uid-api", false, "nginx:1.27"), "1", T1));
        assertThat(ofControl(topology.evidence(), "ACME-LBL-001")).isEmpty();
    }

    @AfterEach
    void close() {
        topology.close();
    }

    @Test
    void shouldJudgeEveryStoredObjectByAControlPublishedWhileRunning() {
        // When alice publishes a control, and the pipeline's next wall-clock tick comes (no object changed)
        publish("ACME-LBL-001", COST_CENTER, "alice");
        topology.advance(TopologyHarness.EXCEPTION_CHECK);

        // Then both stored Deployments are judged by it at once, the change attributed to the control and its publisher
        List<EvidenceRecord> evidence = ofControl(topology.evidence(), "ACME-LBL-001");
        assertThat(evidence).extracting(r -> r.getResource().getName() + " " + r.getStatus())
                .containsExactlyInAnyOrder("web PASS", "api FAIL");
        assertThat(evidence).allSatisfy(r -> {
            assertThat(r.getCause().getChangeType()).isEqualTo(EvaluationProcessor.CAUSE_CONTROL);
            assertThat(r.getActor()).isEqualTo("alice");
        });
        assertThat(topology.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldJudgeAgainByANewVersionAndCloseTheEvidenceOfAWithdrawnControl() {
        // Given the control in force
        publish("ACME-LBL-001", COST_CENTER, "alice");
        topology.advance(TopologyHarness.EXCEPTION_CHECK);
        topology.evidence();

        // When a stricter version is published, and a Deployment's label no longer satisfies it
        ObjectNode odd = Resources.deployment("shop", "web", "uid-web", false, "nginx:1.27");
        odd.with("metadata").with("labels").put("cost-center", "seven");
        topology.pipe(Resources.change("prod", ChangeType.MODIFIED, odd, "2", T1.plusSeconds(60)));
        publish("ACME-LBL-001", COST_CENTER_V2, "bob");
        topology.pipe(Resources.change("prod", ChangeType.MODIFIED,
                Resources.deployment("shop", "other", "uid-other", false, "nginx:1.27"), "1", T1.plusSeconds(120)));

        // Then the next input finds the new version and every stored Deployment is judged by it
        assertThat(ofControl(topology.evidence(), "ACME-LBL-001"))
                .extracting(r -> r.getResource().getName() + " " + r.getStatus() + " " + r.getActor())
                .contains("web FAIL bob").anyMatch(line -> line.startsWith("other FAIL"));

        // When the control is withdrawn
        topology.customControls.pipeInput("ACME-LBL-001", (CustomControl) null, topology.clock.instant());
        topology.advance(TopologyHarness.EXCEPTION_CHECK);

        // Then its open evidence is CLOSED, saying why, and no evaluation judges by it any more
        List<EvidenceRecord> closed = ofControl(topology.evidence(), "ACME-LBL-001");
        assertThat(closed).extracting(r -> r.getResource().getName()).containsExactlyInAnyOrder("web", "api", "other");
        assertThat(closed).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.CLOSED);
            assertThat(r.getMessage()).isEqualTo("control ACME-LBL-001 withdrawn from the custom controls");
        });
        topology.pipe(Resources.change("prod", ChangeType.MODIFIED,
                Resources.deployment("shop", "api", "uid-api", false, "nginx:1.28"), "2", T1.plusSeconds(300)));
        assertThat(ofControl(topology.evidence(), "ACME-LBL-001")).isEmpty();
    }

    @Test
    void shouldDeadLetterADocumentThatDoesNotCompileAndKeepTheVersionInForce() {
        // Given the control in force
        publish("ACME-LBL-001", COST_CENTER, "alice");
        topology.advance(TopologyHarness.EXCEPTION_CHECK);
        topology.evidence();

        // When a version that does not compile arrives, and one whose key is not its id
        publish("ACME-LBL-001", COST_CENTER.replace("has(object.metadata.labels) &&", "has(object.metadata.labels &&"),
                "mallory");
        publish("ACME-OTHER-001", COST_CENTER, "mallory");

        // Then both are dead-lettered with the reason, and the version in force still judges
        List<DeadLetter> letters = topology.handlerDeadLetters.letters();
        assertThat(letters).hasSize(2).allSatisfy(letter -> {
            assertThat(letter.getSource()).isEqualTo(PublishedControls.DEAD_LETTER_SOURCE);
            assertThat(letter.getErrorType()).isEqualTo("INVALID_CONTROL");
            assertThat(letter.getTopic()).isEqualTo(topology.topics.customControls().name());
        });
        assertThat(letters.get(0).getReason()).contains("ACME-LBL-001").contains("validations[0].expression");
        assertThat(letters.get(1).getReason()).contains("must be one document declaring ACME-OTHER-001");
        topology.pipe(Resources.change("prod", ChangeType.MODIFIED,
                Resources.deployment("shop", "web", "uid-web", false, "nginx:1.28"), "2", T1.plusSeconds(300)));
        assertThat(ofControl(topology.evidence(), "ACME-LBL-001")).extracting(EvidenceRecord::getStatus)
                .containsExactly(EvidenceStatus.FAIL);
        assertThat(controls.revisions().get("ACME-LBL-001").publishedBy()).isEqualTo("alice");
    }

    private void publish(String id, String document, String by) {
        topology.customControls.pipeInput(id, CustomControl.newBuilder().setControlId(id).setDocument(document)
                .setSource("acme.yaml").setSha256(Integer.toHexString(document.hashCode())).setPublishedBy(by)
                .setPublishedAt(topology.clock.instant()).build(), topology.clock.instant());
    }

    private static List<EvidenceRecord> ofControl(List<EvidenceRecord> evidence, String controlId) {
        return evidence.stream().filter(r -> r.getControlId().equals(controlId)).toList();
    }
}
