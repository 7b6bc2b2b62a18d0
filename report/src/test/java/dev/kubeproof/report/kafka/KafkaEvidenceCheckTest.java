package dev.kubeproof.report.kafka;

import static dev.kubeproof.avro.EvidenceStatus.FAIL;
import static dev.kubeproof.avro.EvidenceStatus.PASS;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.evidence.Checkpoints;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.evidence.MerkleTree;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.support.Chains;

class KafkaEvidenceCheckTest {
    private static final String EVIDENCE = "kubeproof.evidence";
    private static final String CHECKPOINTS = "kubeproof.checkpoints";
    private static final Instant NOW = Instant.parse("2026-10-10T00:00:00Z");
    private final KeyPair keys = generate();

    private final List<EvidenceRecord> web = Chains.of("KP-POD-001", "shop", "web")
            .then(PASS, Instant.parse("2026-10-01T00:00:00Z")).then(FAIL, Instant.parse("2026-10-02T00:00:00Z"))
            .then(PASS, Instant.parse("2026-10-03T00:00:00Z")).records();
    private final List<EvidenceRecord> api = Chains.of("KP-POD-001", "shop", "api")
            .then(FAIL, Instant.parse("2026-10-01T00:00:00Z")).records();

    /** A checkpoint over every head of the given records, through the offset of the last one. */
    private Checkpoint checkpointOf(List<EvidenceRecord> topic) {
        java.util.TreeMap<String, EvidenceRecord> heads = new java.util.TreeMap<>(MerkleTree.KEY_ORDER);
        topic.forEach(record -> heads.put(EvidenceKey.of(record), record));
        MerkleTree tree = new MerkleTree();
        heads.forEach((key, head) -> tree.addHead(key, head.getChain().getSequence(), head.getChain().getHash()));
        return Checkpoints.of(EVIDENCE, 0, topic.size() - 1, tree, NOW, null, keys.getPrivate());
    }

    private KafkaEvidenceCheck.Result check(List<EvidenceRecord> topic, Checkpoint checkpoint) {
        MockConsumer<String, EvidenceRecord> evidence = new MockConsumer<>("earliest");
        TopicPartition partition = new TopicPartition(EVIDENCE, 0);
        evidence.updatePartitions(EVIDENCE, List.of(new PartitionInfo(EVIDENCE, 0, Node.noNode(), new Node[0], new Node[0])));
        evidence.updateBeginningOffsets(Map.of(partition, 0L));
        evidence.updateEndOffsets(Map.of(partition, (long) topic.size()));
        evidence.schedulePollTask(() -> {
            for (int offset = 0; offset < topic.size(); offset++) {
                EvidenceRecord record = topic.get(offset);
                evidence.addRecord(new ConsumerRecord<>(EVIDENCE, 0, offset, EvidenceKey.of(record), record));
            }
        });
        MockConsumer<String, Checkpoint> checkpoints = new MockConsumer<>("earliest");
        TopicPartition checkpointPartition = new TopicPartition(CHECKPOINTS, 0);
        checkpoints.updatePartitions(CHECKPOINTS, List.of(new PartitionInfo(CHECKPOINTS, 0, Node.noNode(), new Node[0],
                new Node[0])));
        checkpoints.updateBeginningOffsets(Map.of(checkpointPartition, 0L));
        checkpoints.updateEndOffsets(Map.of(checkpointPartition, 1L));
        checkpoints.schedulePollTask(() -> checkpoints.addRecord(new ConsumerRecord<>(CHECKPOINTS, 0, 0, "evidence/0", checkpoint)));
        return KafkaEvidenceCheck.run(evidence, EVIDENCE, checkpoints, CHECKPOINTS,
                new Period(Instant.EPOCH, NOW.plusSeconds(1)), keys.getPublic());
    }

    @Test
    void shouldVerifyEveryChainOfTheTopicAndTheCheckpointsRootAtItsOffset() {
        // Given the topic as the pipeline wrote it and its checkpoint
        List<EvidenceRecord> topic = new ArrayList<>(web);
        topic.addAll(api);
        // When checked
        KafkaEvidenceCheck.Result result = check(topic, checkpointOf(topic));
        // Then everything holds
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(4);
        assertThat(result.keys()).isEqualTo(2);
        assertThat(result.checkpoints().recomputed()).singleElement().satisfies(root -> assertThat(root.matches()).isTrue());
    }

    @Test
    void shouldNameAMissingMiddleRecordAndAMissingLastRecordByTheCheckpoint() {
        // Given the checkpoint of the whole topic, then a topic copy that lost web's 2nd record and api's only record
        List<EvidenceRecord> written = new ArrayList<>(web);
        written.addAll(api);
        Checkpoint checkpoint = checkpointOf(written);
        List<EvidenceRecord> copy = List.of(web.get(0), web.get(2));

        // When checked
        KafkaEvidenceCheck.Result result = check(copy, checkpoint);

        // Then the gap is named by key and sequence, and the checkpoint's root exposes the vanished chain
        assertThat(result.ok()).isFalse();
        assertThat(result.problemCounts()).containsEntry("MISSING", 1L);
        assertThat(result.problems()).singleElement().asString().contains("key " + EvidenceKey.of(web.get(0)))
                .contains("sequence 2 missing before 3");
        assertThat(result.checkpoints().problems()).singleElement().asString()
                .contains("the topic's 1 chain heads give root").contains("vouches for 2 heads");
    }

    @Test
    void shouldRefuseATopicThatDoesNotExistRatherThanPassZeroRecords() {
        // Given a Kafka without the evidence topic (a wrong topic prefix, or a pipeline that never ran)
        MockConsumer<String, EvidenceRecord> evidence = new MockConsumer<>("earliest");
        MockConsumer<String, Checkpoint> checkpoints = new MockConsumer<>("earliest");

        // When checked, Then it is an error that names the topic, not "0 records: every chain holds"
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaEvidenceCheck.run(evidence, EVIDENCE, checkpoints,
                        CHECKPOINTS, new Period(Instant.EPOCH, NOW), keys.getPublic()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic " + EVIDENCE + " does not exist");
    }

    private static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
