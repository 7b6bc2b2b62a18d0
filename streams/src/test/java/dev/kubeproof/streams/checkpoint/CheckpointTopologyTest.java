package dev.kubeproof.streams.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.evidence.Checkpoints;
import dev.kubeproof.contract.evidence.MerkleTree;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.EvidenceTopologyConfig;
import dev.kubeproof.streams.support.FakeEvaluator;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;

/** Checkpoints of the evidence topic's chain heads, in a TopologyTestDriver with the production topology. */
class CheckpointTopologyTest {
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-01T10:05:00Z");
    private static final Duration HOUR = EvidenceTopologyConfig.DEFAULT_CHECKPOINT_INTERVAL;

    @TempDir
    Path stateDir;

    private TopologyHarness harness;

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private static ResourceChange pod(String name, boolean privileged, String resourceVersion, Instant at) {
        return Resources.change("prod-eu", ChangeType.ADDED, Resources.pod("shop", name, "uid-" + name, privileged,
                "nginx:1.27"), resourceVersion, at);
    }

    @Test
    void shouldSignEveryIntervalTheMerkleRootOfEveryChainHeadThroughTheLastOffsetRead() {
        // Given two pods evaluated, one of them changed: several keys, one chain of two records
        harness = new TopologyHarness(stateDir, new FakeEvaluator(), ViolationFormats.named("ecs"));
        harness.pipe(pod("web", false, "10", T1));
        harness.pipe(pod("api", false, "11", T1));
        harness.pipe(pod("web", true, "12", T2));
        List<KeyValue<String, EvidenceRecord>> evidence = harness.evidence.readKeyValuesToList();
        assertThat(harness.checkpoints.isEmpty()).as("no checkpoint before the interval has passed").isTrue();

        // When an hour of wall-clock time passes
        harness.advance(HOUR);

        // Then one checkpoint covers every record: each key's head, the root recomputed from the records read
        Checkpoint checkpoint = harness.checkpoints.readValue();
        Map<String, EvidenceRecord> heads = new TreeMap<>(MerkleTree.KEY_ORDER);
        evidence.forEach(record -> heads.merge(record.key, record.value,
                (a, b) -> a.getChain().getSequence() >= b.getChain().getSequence() ? a : b));
        MerkleTree expected = new MerkleTree();
        heads.forEach((key, head) -> expected.addHead(key, head.getChain().getSequence(), head.getChain().getHash()));
        assertThat(heads.size()).isLessThan(evidence.size());
        assertThat(checkpoint.getHeads()).isEqualTo(heads.size());
        assertThat(checkpoint.getMerkleRoot()).isEqualTo(expected.root());
        assertThat(checkpoint.getThroughOffset()).isEqualTo(evidence.size() - 1);
        assertThat(checkpoint.getPartition()).isZero();
        assertThat(checkpoint.getTopic()).isEqualTo(harness.topics.evidence().name());
        assertThat(checkpoint.getPreviousCheckpointId()).isNull();
        assertThat(Checkpoints.problem(checkpoint, TopologyHarness.CHECKPOINT_KEYS.getPublic()))
                .as("signed with the configured key").isNull();

        // When another record arrives and another hour passes, the next checkpoint links to the first
        harness.pipe(pod("web", false, "13", T2.plusSeconds(60)));
        int more = harness.evidence.readValuesToList().size();
        harness.advance(HOUR);
        Checkpoint next = harness.checkpoints.readValue();
        assertThat(next.getPreviousCheckpointId()).isEqualTo(checkpoint.getCheckpointId());
        assertThat(next.getThroughOffset()).isEqualTo(evidence.size() + more - 1);
        assertThat(next.getHeads()).isEqualTo(checkpoint.getHeads());
        assertThat(next.getMerkleRoot()).as("a head moved on").isNotEqualTo(checkpoint.getMerkleRoot());
    }
}
