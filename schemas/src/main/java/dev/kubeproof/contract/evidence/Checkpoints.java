package dev.kubeproof.contract.evidence;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Objects;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.signing.Signing;

/**
 * Makes and checks {@link Checkpoint}s. What is signed (and hashed into the checkpoint id) is a line-per-field text
 * with a version tag, so any tool can rebuild it:
 * <pre>
 * kubeproof-checkpoint/1
 * topic \n partition \n throughOffset \n heads \n merkleRoot \n createdAt (ISO-8601, UTC) \n previousCheckpointId or empty \n
 * </pre>
 */
public final class Checkpoints {
    public static final String FORMAT = "kubeproof-checkpoint/1";

    private Checkpoints() {
    }

    /** A checkpoint of a partition's heads, linked after {@code previousId}; signed when {@code key} is given. */
    public static Checkpoint of(String topic, int partition, long throughOffset, MerkleTree heads, Instant createdAt,
                                String previousId, PrivateKey key) {
        Checkpoint checkpoint = Checkpoint.newBuilder()
                .setCheckpointId("")
                .setTopic(topic).setPartition(partition).setThroughOffset(throughOffset)
                .setHeads(heads.leaves()).setMerkleRoot(heads.root())
                .setCreatedAt(createdAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .setPreviousCheckpointId(previousId)
                .build();
        byte[] signed = signedBytes(checkpoint);
        checkpoint.setCheckpointId(EvidenceChain.sha256Hex(signed));
        if (key != null) {
            checkpoint.setSignatureAlgorithm(Signing.ALGORITHM);
            checkpoint.setSignature(Signing.sign(signed, key));
        }
        return checkpoint;
    }

    /** The bytes the id hashes and the signature signs. */
    public static byte[] signedBytes(Checkpoint checkpoint) {
        String text = FORMAT + "\n" + checkpoint.getTopic() + "\n" + checkpoint.getPartition() + "\n"
                + checkpoint.getThroughOffset() + "\n" + checkpoint.getHeads() + "\n" + checkpoint.getMerkleRoot() + "\n"
                + checkpoint.getCreatedAt() + "\n" + Objects.requireNonNullElse(checkpoint.getPreviousCheckpointId(), "")
                + "\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What is wrong with a checkpoint on its own: its id, and its signature when a public key is given.
     *
     * @return null when it holds
     */
    public static String problem(Checkpoint checkpoint, PublicKey publicKey) {
        byte[] signed = signedBytes(checkpoint);
        String name = "checkpoint of partition " + checkpoint.getPartition() + " through offset "
                + checkpoint.getThroughOffset() + " (" + checkpoint.getCreatedAt() + ")";
        if (!EvidenceChain.sha256Hex(signed).equals(checkpoint.getCheckpointId())) {
            return name + ": its id is not the hash of its content (altered)";
        }
        if (publicKey == null) {
            return null;
        }
        if (checkpoint.getSignature() == null) {
            return name + ": not signed";
        }
        if (!Signing.verify(signed, checkpoint.getSignature(), publicKey)) {
            return name + ": signature does not verify with the given public key";
        }
        return null;
    }
}
