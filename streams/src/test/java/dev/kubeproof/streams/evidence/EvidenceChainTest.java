package dev.kubeproof.streams.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.contract.evidence.CanonicalEncoding;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.contract.evidence.EvidenceChain.Problem;
import dev.kubeproof.contract.evidence.EvidenceChain.Verification;
import dev.kubeproof.streams.support.FakeEvaluator;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;

/** Hash chains as the topology writes them (read back through Avro), and what verify finds wrong in them. */
class EvidenceChainTest {
    @TempDir
    Path stateDir;

    private TopologyHarness harness;
    private List<EvidenceRecord> chain;
    private List<EvidenceRecord> everything;

    @BeforeEach
    void produceChain() {
        harness = new TopologyHarness(stateDir, new FakeEvaluator(), ViolationFormats.named("ecs"));
        Instant at = Instant.parse("2026-03-01T10:00:00Z");
        boolean privileged = false;
        for (int version = 1; version <= 5; version++) {
            harness.pipe(Resources.change("prod", version == 1 ? ChangeType.ADDED : ChangeType.MODIFIED,
                    Resources.pod("shop", "web", "uid-web", privileged, "nginx:1.27"), Integer.toString(version),
                    at.plusSeconds(60L * version)));
            privileged = !privileged;
        }
        everything = harness.evidence();
        chain = everything.stream()
                .filter(r -> r.getControlId().equals(FakeEvaluator.PRIVILEGED.id())).toList();
        assertThat(chain).hasSize(5);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private List<EvidenceRecord> copy() {
        List<EvidenceRecord> copy = new ArrayList<>();
        chain.forEach(record -> copy.add(EvidenceRecord.newBuilder(record).build()));
        return copy;
    }

    @Test
    void shouldVerifyAnIntactChainReadBackFromKafka() {
        // When
        Verification verification = EvidenceChain.verify(chain);

        // Then
        assertThat(verification.valid()).isTrue();
        assertThat(verification.records()).isEqualTo(5);
        assertThat(verification.key()).isEqualTo("prod/TEST-POD-001/uid-web");
    }

    @Test
    void shouldDetectATamperedRecord() {
        // Given someone rewrites the failure of sequence 2 into a pass
        List<EvidenceRecord> tampered = copy();
        tampered.get(1).setMessage("no container runs privileged");

        // When
        Verification verification = EvidenceChain.verify(tampered);

        // Then
        assertThat(verification.valid()).isFalse();
        assertThat(verification.firstBadSequence()).isEqualTo(2L);
        assertThat(verification.problem()).isEqualTo(Problem.ALTERED);
        assertThat(verification.reason()).contains("does not match its hash");
    }

    @Test
    void shouldDetectATamperedRecordWhoseHashWasRecomputed() {
        // Given the forger also recomputes the altered record's hash
        List<EvidenceRecord> tampered = copy();
        tampered.get(1).setObservedAt(Instant.parse("2026-02-01T00:00:00Z"));
        tampered.get(1).getChain().setHash(EvidenceChain.hashOf(tampered.get(1)));

        // When
        Verification verification = EvidenceChain.verify(tampered);

        // Then the next record no longer links to it
        assertThat(verification.valid()).isFalse();
        assertThat(verification.firstBadSequence()).isEqualTo(3L);
        assertThat(verification.problem()).isEqualTo(Problem.BROKEN_LINK);
    }

    @Test
    void shouldDetectAMissingRecord() {
        // Given
        List<EvidenceRecord> gap = copy();
        gap.remove(2);

        // When
        Verification verification = EvidenceChain.verify(gap);

        // Then
        assertThat(verification.valid()).isFalse();
        assertThat(verification.firstBadSequence()).isEqualTo(3L);
        assertThat(verification.problem()).isEqualTo(Problem.MISSING);
        assertThat(verification.reason()).isEqualTo("sequence 3 missing before 4");
    }

    @Test
    void shouldDetectAMissingFirstRecord() {
        // When
        Verification verification = EvidenceChain.verify(chain.subList(1, 5));

        // Then
        assertThat(verification.firstBadSequence()).isEqualTo(1L);
        assertThat(verification.problem()).isEqualTo(Problem.MISSING);
    }

    @Test
    void shouldDetectReorderedRecords() {
        // Given
        List<EvidenceRecord> reordered = copy();
        EvidenceRecord second = reordered.remove(1);
        reordered.add(2, second);

        // When
        Verification verification = EvidenceChain.verify(reordered);

        // Then
        assertThat(verification.valid()).isFalse();
        assertThat(verification.firstBadSequence()).isEqualTo(3L);
        assertThat(verification.problem()).isEqualTo(Problem.REORDERED);
    }

    @Test
    void shouldDetectADuplicatedRecord() {
        // Given
        List<EvidenceRecord> duplicated = copy();
        duplicated.add(2, duplicated.get(1));

        // When
        Verification verification = EvidenceChain.verify(duplicated);

        // Then
        assertThat(verification.firstBadSequence()).isEqualTo(2L);
        assertThat(verification.problem()).isEqualTo(Problem.DUPLICATE);
    }

    @Test
    void shouldDetectARecordOfAnotherKey() {
        // Given
        List<EvidenceRecord> mixed = copy();
        mixed.get(3).getResource().setUid("uid-other");

        // When
        Verification verification = EvidenceChain.verify(mixed);

        // Then
        assertThat(verification.problem()).isEqualTo(Problem.WRONG_KEY);
        assertThat(verification.firstBadSequence()).isEqualTo(4L);
    }

    @Test
    void shouldVerifyEachKeyOfAMixedStream() {
        // Given the whole evidence topic of the run, keys interleaved: the image is scanned (a second key), then
        // the pod deleted
        harness.scans.pipeInput("nginx:1.27", Resources.scan("scan-1", "nginx:1.27", "nginx", "1.27", 0,
                Instant.parse("2026-03-01T10:30:00Z")));
        harness.pipe(Resources.change("prod", ChangeType.DELETED,
                Resources.pod("shop", "web", "uid-web", false, "nginx:1.27"), "6", Instant.parse("2026-03-01T11:00:00Z")));
        List<EvidenceRecord> all = new ArrayList<>(everything);
        all.addAll(harness.evidence());

        // When
        Map<String, Verification> results = EvidenceChain.verifyAll(all);

        // Then
        assertThat(results).hasSize(2).allSatisfy((key, result) -> assertThat(result.valid()).as(key).isTrue());
        assertThat(results.get("prod/TEST-POD-001/uid-web").records()).isEqualTo(6);
    }

    @Test
    void shouldEncodeCanonicallyWithSortedKeysWithoutNullsOrTheHash() {
        // Given
        EvidenceRecord.Builder unlinked = EvidenceRecord.newBuilder()
                .setControlId("KP-T-1").setControlVersion(1).setControlTitle("T").setSeverity(ControlSeverity.LOW)
                .setStatus(EvidenceStatus.PASS).setPreviousStatus(null)
                .setSince(Instant.ofEpochMilli(1000)).setObservedAt(Instant.ofEpochMilli(2000))
                .setResource(ResourceRef.newBuilder().setClusterId("c").setApiVersion("v1").setKind("Pod")
                        .setName("p").setUid("u").setOwnerLabels(Map.of("team", "a")).build())
                .setMessage("ok").setDetails(List.of()).setRemediation(null)
                .setCause(EvidenceCause.newBuilder().setChangeType("ADDED").build())
                .setActor(null).setException(null);

        // When
        EvidenceRecord record = EvidenceChain.link(unlinked, "c/KP-T-1/u", null);

        // Then
        assertThat(new String(CanonicalEncoding.of(record), StandardCharsets.UTF_8)).isEqualTo(
                "{\"cause\":{\"changeType\":\"ADDED\"},\"chain\":{\"algorithm\":\"SHA-256\",\"sequence\":1},"
                        + "\"controlId\":\"KP-T-1\",\"controlTitle\":\"T\",\"controlVersion\":1,\"details\":[],"
                        + "\"evidenceId\":\"" + EvidenceChain.evidenceId("c/KP-T-1/u", 1) + "\",\"message\":\"ok\","
                        + "\"observedAt\":2000,\"resource\":{\"apiGroup\":\"\",\"apiVersion\":\"v1\",\"clusterId\":\"c\","
                        + "\"kind\":\"Pod\",\"name\":\"p\",\"ownerLabels\":{\"team\":\"a\"},\"uid\":\"u\"},"
                        + "\"severity\":\"LOW\",\"since\":1000,\"status\":\"PASS\"}");
        assertThat(record.getChain().getHash()).isEqualTo(EvidenceChain.hashOf(record));
    }
}
