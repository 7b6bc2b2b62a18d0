package dev.kubeproof.contract.deadletter;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

import dev.kubeproof.avro.DeadLetter;

/**
 * Builds {@link DeadLetter} records: the reason in words, a machine-readable error type, and the raw input
 * truncated to a limit so that one huge bad input cannot itself become an oversized record.
 */
public final class DeadLetters {
    /** Default cap of the raw payload kept in a dead letter. */
    public static final int DEFAULT_PAYLOAD_LIMIT = 64 * 1024;

    private DeadLetters() {
    }

    public static DeadLetter of(String source, String errorType, String reason, byte[] payload, Instant occurredAt) {
        return of(source, errorType, reason, payload, occurredAt, DEFAULT_PAYLOAD_LIMIT);
    }

    public static DeadLetter of(String source, String errorType, String reason, byte[] payload, Instant occurredAt,
                                int payloadLimit) {
        byte[] raw = payload == null ? new byte[0] : payload;
        boolean truncated = raw.length > payloadLimit;
        return DeadLetter.newBuilder()
                .setSource(source)
                .setErrorType(errorType)
                .setReason(reason == null ? errorType : reason)
                .setOccurredAt(occurredAt)
                .setPayload(ByteBuffer.wrap(truncated ? Arrays.copyOf(raw, payloadLimit) : raw))
                .setPayloadSize(raw.length)
                .setTruncated(truncated)
                .build();
    }

    /** The same, recording where in Kafka the input was read from. */
    public static DeadLetter fromKafka(String source, String errorType, String reason, String topic, int partition,
                                       long offset, byte[] key, byte[] value, Instant occurredAt) {
        DeadLetter letter = of(source, errorType, reason, value, occurredAt);
        letter.setTopic(topic);
        letter.setPartition(partition);
        letter.setOffset(offset);
        letter.setKey(key == null ? null : ByteBuffer.wrap(key));
        return letter;
    }
}
