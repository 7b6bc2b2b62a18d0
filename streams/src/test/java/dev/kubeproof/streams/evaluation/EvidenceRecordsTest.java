package dev.kubeproof.streams.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.streams.support.FakeEvaluator;

class EvidenceRecordsTest {
    static final Instant CHANGED = Instant.parse("2026-11-29T10:00:00Z");
    static final Instant SCANNED_EARLIER = Instant.parse("2025-06-01T08:00:00Z");
    static final ResourceRef POD = ResourceRef.newBuilder().setClusterId("c").setApiVersion("v1").setKind("Pod")
            .setNamespace("shop").setName("web").setUid("uid-web").setOwnerLabels(Map.of()).build();

    @Test
    void shouldStartATransitionWhenThePreviousOneStartedWhenItsCauseIsOlder() {
        // Given a pod evaluated when it was added, and a scan of its image made before that
        EvidenceRecord added = record(EvidenceStatus.PASS, null, CHANGED);

        // When the scan's result is recorded
        EvidenceRecord scanned = record(EvidenceStatus.FAIL, added, SCANNED_EARLIER);

        // Then its status begins when the previous one began, never before it: since does not go back along a chain
        assertThat(scanned.getSince()).isEqualTo(CHANGED);
        assertThat(scanned.getPreviousSince()).isEqualTo(CHANGED);
    }

    @Test
    void shouldKeepTheCausesTimeWhenItIsLater() {
        // Given / When
        EvidenceRecord later = record(EvidenceStatus.FAIL, record(EvidenceStatus.PASS, null, SCANNED_EARLIER), CHANGED);

        // Then
        assertThat(later.getSince()).isEqualTo(CHANGED);
    }

    private static EvidenceRecord record(EvidenceStatus status, EvidenceRecord previous, Instant since) {
        EvidenceRecord.Builder builder = EvidenceRecords.transition(FakeEvaluator.SCANNED, status, previous, since, CHANGED,
                POD, null, List.of(), EvidenceCause.newBuilder().setChangeType("SCAN").build());
        return EvidenceChain.link(builder, "c/" + FakeEvaluator.SCANNED.id() + "/uid-web", previous);
    }
}
