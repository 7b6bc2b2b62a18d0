package dev.kubeproof.report.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.evidence.Checkpoints;
import dev.kubeproof.contract.evidence.MerkleTree;
import dev.kubeproof.report.model.Period;

class CheckpointVerificationTest {
    private static final Instant T1 = Instant.parse("2026-10-01T01:00:00Z");
    private static final Instant T2 = Instant.parse("2026-10-01T02:00:00Z");
    private static final Instant T3 = Instant.parse("2026-10-01T03:00:00Z");
    private final KeyPair keys = generate();

    private static MerkleTree heads(long webSequence) {
        return new MerkleTree().addHead("prod/KP-POD-001/uid-api", 1, "a1").addHead("prod/KP-POD-001/uid-web", webSequence,
                "w" + webSequence);
    }

    /** A store whose heads at any offset are the given ones. */
    private static CheckpointSource store(MerkleTree heads) {
        return new CheckpointSource() {
            @Override
            public List<Checkpoint> covering(Period period) {
                return List.of();
            }

            @Override
            public MerkleTree headsAsOf(String topic, int partition, long throughOffset) {
                return heads;
            }
        };
    }

    @Test
    void shouldVerifyLinkedSignedCheckpointsAndTheLastRootAgainstTheStore() throws Exception {
        // Given three hourly checkpoints of partition 0, linked, the store unchanged
        Checkpoint first = Checkpoints.of("ev", 0, 10, heads(1), T1, null, keys.getPrivate());
        Checkpoint second = Checkpoints.of("ev", 0, 20, heads(2), T2, first.getCheckpointId(), keys.getPrivate());
        Checkpoint third = Checkpoints.of("ev", 0, 30, heads(3), T3, second.getCheckpointId(), keys.getPrivate());

        // When verified against a store whose heads are those of the last
        CheckpointVerification result = CheckpointVerification.of(List.of(first, second, third), keys.getPublic(),
                store(heads(3)));

        // Then all hold and only the last root was recomputed
        assertThat(result.problems()).isEmpty();
        assertThat(result.recomputed()).singleElement().satisfies(root -> {
            assertThat(root.throughOffset()).isEqualTo(30);
            assertThat(root.matches()).isTrue();
        });
    }

    @Test
    void shouldNameTheCheckpointWhoseRootTheStoreNoLongerGives() throws Exception {
        // Given a checkpoint when web's head was sequence 3; then sequence 3 was removed from the store
        Checkpoint checkpoint = Checkpoints.of("ev", 4, 30, heads(3), T3, null, keys.getPrivate());

        // When verified against the store
        CheckpointVerification result = CheckpointVerification.of(List.of(checkpoint), keys.getPublic(), store(heads(2)));

        // Then the problem names the partition, offset and time, and says what it means
        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).singleElement().asString()
                .startsWith("checkpoint of partition 4 through offset 30 (" + T3 + "): the store's 2 chain heads give root")
                .contains("vouches for 2 heads with root " + checkpoint.getMerkleRoot())
                .endsWith("evidence at or before this offset was removed or altered after the checkpoint");
    }

    @Test
    void shouldFindAMissingCheckpointBetweenTwoAndAForeignSignature() throws Exception {
        // Given the first and third checkpoints only, and the third signed by another key
        Checkpoint first = Checkpoints.of("ev", 0, 10, heads(1), T1, null, keys.getPrivate());
        Checkpoint second = Checkpoints.of("ev", 0, 20, heads(2), T2, first.getCheckpointId(), keys.getPrivate());
        Checkpoint third = Checkpoints.of("ev", 0, 30, heads(3), T3, second.getCheckpointId(), generate().getPrivate());

        // When verified on their own (offline)
        CheckpointVerification result = CheckpointVerification.of(List.of(first, third), keys.getPublic(), null);

        // Then both are named
        assertThat(result.recomputed()).isEmpty();
        assertThat(result.problems()).hasSize(2);
        assertThat(result.problems().get(0)).contains("through offset 30").contains("signature does not verify");
        assertThat(result.problems().get(1)).contains("through offset 30")
                .contains("does not link to the partition's previous checkpoint " + first.getCheckpointId())
                .contains("a checkpoint between them is missing");
    }

    @Test
    void shouldReadBackTheCheckpointsItWroteAsLines(@TempDir Path tmp) throws Exception {
        Checkpoint signed = Checkpoints.of("ev", 2, 7, heads(1), T1, "previous", keys.getPrivate());
        Checkpoint unsigned = Checkpoints.of("ev", 3, 0, new MerkleTree(), T2, null, null);
        Path file = tmp.resolve("checkpoints.jsonl");
        java.nio.file.Files.write(file, CheckpointLines.line(signed));
        java.nio.file.Files.write(file, CheckpointLines.line(unsigned), java.nio.file.StandardOpenOption.APPEND);
        assertThat(CheckpointLines.read(file)).containsExactly(signed, unsigned);
    }

    private static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
