package dev.kubeproof.report.checkpoint;

import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.evidence.Checkpoints;
import dev.kubeproof.contract.evidence.MerkleTree;

/**
 * Checks the checkpoints that cover a period: each one's id (the hash of its content) and signature, the link of each
 * to the partition's checkpoint before it, and, against the store, the root of each partition's last checkpoint.
 *
 * <p>Only the last checkpoint of a partition is recomputed: recomputing means aggregating every key of the partition,
 * and the last one suffices. A record removed from the store that was a chain's head at that checkpoint changes its
 * root; any other record removed leaves a gap in its chain, which the chain check finds.
 *
 * @param checkpoints the checkpoints checked, by partition and time
 * @param recomputed  each partition's last checkpoint, with the root the store yields now
 * @param problems    what fails, each naming the checkpoint (partition, offset, time)
 */
public record CheckpointVerification(List<Checkpoint> checkpoints, List<Recomputed> recomputed, List<String> problems) {

    /** A checkpoint's root recomputed from the store. */
    public record Recomputed(int partition, long throughOffset, String createdAt, long heads, String root,
                             long storeHeads, String storeRoot) {
        public boolean matches() {
            return root.equals(storeRoot) && heads == storeHeads;
        }
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The checkpoints on their own: ids, signatures (when a key is given) and links. */
    public static CheckpointVerification of(List<Checkpoint> checkpoints, PublicKey publicKey) {
        try {
            return of(checkpoints, publicKey, null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // no store is read
        }
    }

    /** A checkpoint and the root recomputed over the given heads. */
    public static Recomputed recomputed(Checkpoint checkpoint, MerkleTree heads) {
        return new Recomputed(checkpoint.getPartition(), checkpoint.getThroughOffset(), checkpoint.getCreatedAt().toString(),
                checkpoint.getHeads(), checkpoint.getMerkleRoot(), heads.leaves(), heads.root());
    }

    /** The problem of a checkpoint whose root the heads of {@code where} ("the store's", "the topic's") do not give. */
    public static String mismatch(Checkpoint checkpoint, MerkleTree heads, String where) {
        return name(checkpoint) + ": " + where + " " + heads.leaves() + " chain heads give root " + heads.root()
                + ", the checkpoint vouches for " + checkpoint.getHeads() + " heads with root " + checkpoint.getMerkleRoot()
                + ": evidence at or before this offset was removed or altered after the checkpoint";
    }

    /**
     * @param publicKey the pipeline's checkpoint key, or null to leave signatures unchecked
     * @param store     where to recompute roots, or null to check the checkpoints on their own (offline)
     */
    public static CheckpointVerification of(List<Checkpoint> checkpoints, PublicKey publicKey, CheckpointSource store)
            throws IOException {
        List<String> problems = new ArrayList<>();
        Map<Integer, Checkpoint> last = new LinkedHashMap<>();
        for (Checkpoint checkpoint : checkpoints) {
            String problem = Checkpoints.problem(checkpoint, publicKey);
            if (problem != null) {
                problems.add(problem);
            }
            Checkpoint before = last.put(checkpoint.getPartition(), checkpoint);
            if (before != null && !before.getCheckpointId().equals(checkpoint.getPreviousCheckpointId())) {
                problems.add(name(checkpoint) + ": does not link to the partition's previous checkpoint "
                        + before.getCheckpointId() + " (" + before.getCreatedAt() + "): a checkpoint between them is missing");
            }
        }
        List<Recomputed> recomputed = new ArrayList<>();
        if (store != null) {
            for (Checkpoint checkpoint : last.values()) {
                MerkleTree heads = store.headsAsOf(checkpoint.getTopic(), checkpoint.getPartition(),
                        checkpoint.getThroughOffset());
                Recomputed result = recomputed(checkpoint, heads);
                recomputed.add(result);
                if (!result.matches()) {
                    problems.add(mismatch(checkpoint, heads, "the store's"));
                }
            }
        }
        return new CheckpointVerification(List.copyOf(checkpoints), List.copyOf(recomputed), List.copyOf(problems));
    }

    static String name(Checkpoint checkpoint) {
        return "checkpoint of partition " + checkpoint.getPartition() + " through offset " + checkpoint.getThroughOffset()
                + " (" + checkpoint.getCreatedAt() + ")";
    }
}
