package dev.kubeproof.streams.checkpoint;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.evidence.Checkpoints;
import dev.kubeproof.contract.evidence.MerkleTree;

/**
 * Reads one partition of the evidence topic, keeps each key's chain head (sequence and hash) and, every interval of
 * wall-clock time, publishes a {@link Checkpoint}: the Merkle root over all heads of the partition, the offset it
 * covers, linked to the partition's previous checkpoint and signed when a key is configured.
 *
 * <p>It reads the topic rather than the evaluation's own stores because the topic is what every reader (the sink,
 * a report, {@code evidence verify}) sees: a checkpoint names an offset, and the heads as of that offset are exactly
 * what any copy of the topic must reproduce. Heads live in a RocksDB store (one entry per key, not per record), and
 * the root is computed while iterating it in key order with one hash per tree level.
 */
public final class CheckpointProcessor implements Processor<String, EvidenceRecord, String, Checkpoint> {
    static final String THROUGH_OFFSET = "through-offset";
    static final String PREVIOUS_CHECKPOINT = "previous-checkpoint";

    private final String topic;
    private final Duration interval;
    private final PrivateKey signingKey;
    private final String headStoreName;
    private final String positionStoreName;
    private ProcessorContext<String, Checkpoint> context;
    private KeyValueStore<String, String> heads;
    private KeyValueStore<String, String> position;

    /**
     * @param topic      the evidence topic (named in each checkpoint)
     * @param interval   wall-clock time between checkpoints
     * @param signingKey Ed25519 key, or null for unsigned checkpoints
     */
    public CheckpointProcessor(String topic, Duration interval, PrivateKey signingKey, String headStoreName,
                               String positionStoreName) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.signingKey = signingKey;
        this.headStoreName = headStoreName;
        this.positionStoreName = positionStoreName;
    }

    @Override
    public void init(ProcessorContext<String, Checkpoint> context) {
        this.context = context;
        this.heads = context.getStateStore(headStoreName);
        this.position = context.getStateStore(positionStoreName);
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::checkpoint);
    }

    @Override
    public void process(Record<String, EvidenceRecord> record) {
        EvidenceRecord evidence = record.value();
        if (evidence == null || record.key() == null) {
            return;
        }
        long sequence = evidence.getChain().getSequence();
        String head = heads.get(record.key());
        // The first record of a sequence stays, as Elasticsearch keeps the first document of an id.
        if (head == null || sequenceOf(head) < sequence) {
            heads.put(record.key(), sequence + " " + evidence.getChain().getHash());
        }
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        position.put(THROUGH_OFFSET, Long.toString(metadata.offset()));
    }

    private void checkpoint(long now) {
        String through = position.get(THROUGH_OFFSET);
        if (through == null) {
            return; // nothing read from this partition yet
        }
        MerkleTree tree = new MerkleTree();
        try (KeyValueIterator<String, String> all = heads.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> head = all.next();
                int space = head.value.indexOf(' ');
                tree.addHead(head.key, Long.parseLong(head.value, 0, space, 10), head.value.substring(space + 1));
            }
        }
        int partition = context.taskId().partition();
        Checkpoint checkpoint = Checkpoints.of(topic, partition, Long.parseLong(through), tree, Instant.ofEpochMilli(now),
                position.get(PREVIOUS_CHECKPOINT), signingKey);
        position.put(PREVIOUS_CHECKPOINT, checkpoint.getCheckpointId());
        context.forward(new Record<>(topic + "/" + partition, checkpoint, now));
    }

    private static long sequenceOf(String head) {
        return Long.parseLong(head, 0, head.indexOf(' '), 10);
    }
}
