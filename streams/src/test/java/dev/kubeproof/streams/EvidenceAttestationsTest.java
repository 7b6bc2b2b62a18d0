package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.evaluation.EvaluationProcessor;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;

/**
 * Practices no cluster data shows, evidenced by people: each attestation control of the catalog has evidence per
 * cluster, FAIL until attested, PASS while an attestation is valid (naming who attested and where the evidence
 * is), FAIL again when it expires (wall-clock punctuation, no other input) or is revoked; a renewal is recorded.
 */
class EvidenceAttestationsTest {
    private static final String CLUSTER = "prod";
    private static final String RBAC_REVIEW = "KP-ATT-001";
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyHarness topology;

    @BeforeEach
    void start() {
        topology = new TopologyHarness(stateDir, ControlEngine.withDefaults(), ViolationFormats.named("ecs"));
    }

    @AfterEach
    void close() {
        topology.close();
    }

    /** A cluster is known by its cluster-scoped objects, e.g. a Node. */
    private void clusterSeen() {
        com.fasterxml.jackson.databind.node.ObjectNode node = Resources.namespace("node-1", "uid-node-1");
        node.put("kind", "Node");
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, node, "1", T1));
    }

    private Attestation attestation(String id, String cluster, Duration validFor) {
        Instant now = topology.clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return Attestation.newBuilder().setAttestationId(id).setControlId(RBAC_REVIEW).setClusterId(cluster)
                .setAttestedBy("carol (IAM lead)").setEvidenceUrl("https://grc.example/reviews/2026-Q1")
                .setNote("quarterly review").setAttestedAt(now).setValidUntil(now.plus(validFor)).build();
    }

    private List<EvidenceRecord> clusterEvidence(String controlId) {
        return topology.evidence().stream().filter(r -> r.getResource().getKind().equals(EvaluationProcessor.CLUSTER_KIND))
                .filter(r -> r.getControlId().equals(controlId)).toList();
    }

    @Test
    void shouldNotNoticeAClusterFromNamespacedObjectsAlone() {
        // When only a namespace and a pod of a cluster arrive
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, Resources.namespace("shop", "uid-ns"), "1", T1));
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, Resources.pod("shop", "web", "uid-web", false), "1", T1));

        // Then no cluster evidence yet (it comes with the cluster's first cluster-scoped object)
        assertThat(topology.evidence()).noneMatch(r -> r.getResource().getKind().equals(EvaluationProcessor.CLUSTER_KIND));
    }

    @Test
    void shouldFailEveryAttestationControlOfANewClusterUntilAttested() {
        // When a cluster is first seen
        clusterSeen();

        // Then each attestation control of the catalog has a FAIL for the cluster itself, saying how to attest it
        List<EvidenceRecord> cluster = topology.evidence().stream()
                .filter(r -> r.getResource().getKind().equals(EvaluationProcessor.CLUSTER_KIND)).toList();
        assertThat(cluster).extracting(EvidenceRecord::getControlId)
                .containsExactlyInAnyOrder("KP-INF-011", "KP-ATT-001", "KP-ATT-002", "KP-ATT-003", "KP-ATT-004");
        assertThat(cluster).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.FAIL);
            assertThat(r.getResource().getName()).isEqualTo(CLUSTER);
            assertThat(r.getMessage()).contains("kubeproof attest " + r.getControlId());
            assertThat(r.getCause().getChangeType()).isEqualTo(EvaluationProcessor.CAUSE_ATTESTATION);
        });
    }

    @Test
    void shouldPassWhileAttestedRecordARenewalAndFailAtExpiryWithoutOtherInput() {
        // Given a cluster
        clusterSeen();
        topology.evidence();

        // When the RBAC review is attested for 90 days
        Attestation first = attestation("att-1", CLUSTER, Duration.ofDays(90));
        topology.attestation("att-1", first);

        // Then PASS, naming the attestation, who attested and where the evidence is
        EvidenceRecord passed = clusterEvidence(RBAC_REVIEW).get(0);
        assertThat(passed.getStatus()).isEqualTo(EvidenceStatus.PASS);
        assertThat(passed.getCause().getAttestationId()).isEqualTo("att-1");
        assertThat(passed.getActor()).isEqualTo("carol (IAM lead)");
        assertThat(passed.getDetails()).singleElement().satisfies(f ->
                assertThat(f.getValue()).as("JSON text").isEqualTo("\"https://grc.example/reviews/2026-Q1\""));

        // When it is renewed after 80 days, and the renewal's 90 days pass too
        topology.advance(Duration.ofDays(80));
        topology.attestation("att-2", attestation("att-2", CLUSTER, Duration.ofDays(90)));
        EvidenceRecord renewed = clusterEvidence(RBAC_REVIEW).get(0);
        topology.advance(Duration.ofDays(89));
        assertThat(topology.evidence.isEmpty()).as("the renewal holds beyond the first attestation's end").isTrue();
        topology.advance(Duration.ofDays(2));

        // Then the renewal is its own PASS record, and the expiry a FAIL as of the renewal's end
        assertThat(renewed.getStatus()).isEqualTo(EvidenceStatus.PASS);
        assertThat(renewed.getCause().getAttestationId()).isEqualTo("att-2");
        EvidenceRecord expired = clusterEvidence(RBAC_REVIEW).get(0);
        assertThat(expired.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(expired.getMessage()).contains("expired");
        assertThat(expired.getCause().getAttestationId()).isEqualTo("att-2");
        assertThat(expired.getSince()).isEqualTo(TopologyHarness.NOW.plus(Duration.ofDays(170)).truncatedTo(ChronoUnit.MILLIS));
        assertThat(expired.getChain().getSequence()).isEqualTo(4L);
    }

    @Test
    void shouldApplyAnAttestationForEveryClusterAndFailAtOnceWhenRevoked() {
        // Given a cluster, and an attestation without a cluster
        clusterSeen();
        topology.evidence();
        Attestation everywhere = attestation("att-all", null, Duration.ofDays(30));
        topology.attestation("att-all", everywhere);
        assertThat(clusterEvidence(RBAC_REVIEW)).singleElement().extracting(EvidenceRecord::getStatus)
                .isEqualTo(EvidenceStatus.PASS);

        // When it is revoked
        everywhere.setRevoked(true);
        topology.attestation("att-all", everywhere);

        // Then FAIL at once, saying so
        assertThat(clusterEvidence(RBAC_REVIEW)).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.FAIL);
            assertThat(r.getMessage()).contains("revoked");
        });
    }

    @Test
    void shouldDeadLetterAnAttestationWithoutEvidence() {
        // Given a cluster and an attestation whose evidence link is blank
        clusterSeen();
        Attestation blank = attestation("att-x", CLUSTER, Duration.ofDays(1));
        blank.setEvidenceUrl(" ");

        // When it arrives
        topology.attestation("att-x", blank);

        // Then it is dead-lettered and the control stays FAIL
        assertThat(topology.deadLetters.readValuesToList()).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo("INVALID_ATTESTATION");
            assertThat(letter.getReason()).contains("att-x").contains("evidenceUrl");
        });
        assertThat(clusterEvidence(RBAC_REVIEW)).singleElement().extracting(EvidenceRecord::getStatus)
                .isEqualTo(EvidenceStatus.FAIL);
    }
}
