package dev.kubeproof.sink.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.kubeproof.sink.config.SinkConfig.Input;
import dev.kubeproof.sink.documents.IndexAction;

/**
 * One Kafka record of a batch and the writes it becomes. It is finished when every write is done (written or
 * already there) or when it has been dead-lettered; only then may its offset be committed.
 */
public final class BatchItem {
    public enum State { NEW, PREPARED, DONE, DEAD, DEAD_LETTERED }

    private final Input input;
    private final String topic;
    private final int partition;
    private final long offset;
    private final byte[] key;
    private final byte[] value;
    private final List<Write> writes = new ArrayList<>();
    private State state = State.NEW;
    private String errorType;
    private String reason;

    /** One write of the item and its latest result. */
    public static final class Write {
        private final IndexAction action;
        private WriteResult result;

        Write(IndexAction action) {
            this.action = action;
        }

        public IndexAction action() {
            return action;
        }

        public WriteResult result() {
            return result;
        }

        boolean isDone() {
            return result != null && result.isDone();
        }
    }

    public BatchItem(Input input, String topic, int partition, long offset, byte[] key, byte[] value) {
        this.input = Objects.requireNonNull(input, "input");
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.value = value;
    }

    public Input input() {
        return input;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public byte[] key() {
        return key;
    }

    public String keyAsString() {
        return key == null ? null : new String(key, java.nio.charset.StandardCharsets.UTF_8);
    }

    public byte[] value() {
        return value;
    }

    public State state() {
        return state;
    }

    public String errorType() {
        return errorType;
    }

    public String reason() {
        return reason;
    }

    public List<Write> writes() {
        return writes;
    }

    /** Writes not yet done, in order. */
    public List<Write> pendingWrites() {
        return writes.stream().filter(w -> !w.isDone()).toList();
    }

    void prepared(List<IndexAction> actions) {
        actions.forEach(a -> writes.add(new Write(a)));
        state = actions.isEmpty() ? State.DONE : State.PREPARED;
    }

    /** Nothing to write: e.g. a posture state superseded by a later one of the same key in the same batch. */
    void skip() {
        state = State.DONE;
    }

    void record(Write write, WriteResult result) {
        write.result = result;
        if (result.kind() == WriteResult.Kind.DEAD_LETTER) {
            dead(result.errorType(), result.reason());
        } else if (state == State.PREPARED && writes.stream().allMatch(Write::isDone)) {
            state = State.DONE;
        }
    }

    void dead(String type, String why) {
        if (state != State.DEAD_LETTERED) {
            state = State.DEAD;
            errorType = type;
            reason = why;
        }
    }

    void deadLettered() {
        state = State.DEAD_LETTERED;
    }

    public boolean isFinished() {
        return state == State.DONE || state == State.DEAD_LETTERED;
    }
}
