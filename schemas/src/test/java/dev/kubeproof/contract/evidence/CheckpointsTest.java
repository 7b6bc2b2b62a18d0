package dev.kubeproof.contract.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.signing.Signing;

class CheckpointsTest {
    private static final Instant NOW = Instant.parse("2026-10-01T12:00:00Z");

    @Test
    void shouldSignACheckpointThatVerifiesWithItsPublicKeyAndFailsWhenAltered(@TempDir Path tmp) throws Exception {
        // Given a signing key and a checkpoint of two heads
        Signing.keygen(tmp.resolve("k.pem"), tmp.resolve("k.pub.pem"));
        MerkleTree heads = new MerkleTree().addHead("c/A/1", 2, "aa").addHead("c/A/2", 1, "bb");
        Checkpoint checkpoint = Checkpoints.of("kubeproof.evidence", 3, 41, heads, NOW, null,
                Signing.privateKey(tmp.resolve("k.pem")));

        // Then it is signed and holds
        assertThat(checkpoint.getSignatureAlgorithm()).isEqualTo("Ed25519");
        assertThat(checkpoint.getHeads()).isEqualTo(2);
        assertThat(Checkpoints.problem(checkpoint, Signing.publicKey(tmp.resolve("k.pub.pem")))).isNull();

        // When its root is altered, its id no longer matches
        Checkpoint altered = Checkpoint.newBuilder(checkpoint).setMerkleRoot(new MerkleTree().root()).build();
        assertThat(Checkpoints.problem(altered, null)).contains("partition 3 through offset 41").contains("altered");

        // When someone re-derives the id but cannot sign, the signature fails
        Checkpoint forged = Checkpoint.newBuilder(altered).build();
        forged.setCheckpointId(EvidenceChain.sha256Hex(Checkpoints.signedBytes(forged)));
        assertThat(Checkpoints.problem(forged, Signing.publicKey(tmp.resolve("k.pub.pem")))).contains("signature does not verify");
    }

    @Test
    void shouldSayAnUnsignedCheckpointIsUnsignedWhenASignatureIsExpected(@TempDir Path tmp) throws Exception {
        Signing.keygen(tmp.resolve("k.pem"), tmp.resolve("k.pub.pem"));
        Checkpoint unsigned = Checkpoints.of("t", 0, 0, new MerkleTree(), NOW, "prev", null);
        assertThat(Checkpoints.problem(unsigned, null)).isNull();
        assertThat(Checkpoints.problem(unsigned, Signing.publicKey(tmp.resolve("k.pub.pem")))).contains("not signed");
    }
}
