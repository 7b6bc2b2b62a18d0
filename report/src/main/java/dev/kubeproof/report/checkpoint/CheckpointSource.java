package dev.kubeproof.report.checkpoint;

import java.io.IOException;
import java.util.List;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.evidence.MerkleTree;
import dev.kubeproof.report.model.Period;

/** Where a report finds the pipeline's checkpoints and the evidence store's chain heads as of one of them. */
public interface CheckpointSource {
    /**
     * The checkpoints that cover a period: those made within it and, for each partition, the first made at or after
     * its end (it vouches for the period's last records); sorted by partition, then time.
     */
    List<Checkpoint> covering(Period period) throws IOException;

    /**
     * The chain heads the store holds for one partition of the evidence topic, counting only records at or before
     * {@code throughOffset}: what the checkpoint's root was computed over, if nothing was removed since.
     */
    MerkleTree headsAsOf(String topic, int partition, long throughOffset) throws IOException;
}
