package dev.kubeproof.contract.serde;

import java.nio.ByteBuffer;

import org.apache.kafka.common.errors.SerializationException;

/** The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro binary. */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    /** The schema id of a framed payload; {@link SerializationException} naming the problem when it is not one. */
    public static int schemaId(byte[] payload) {
        if (payload.length < HEADER_LENGTH) {
            throw new SerializationException("not Confluent wire format: " + payload.length + " bytes, fewer than the "
                    + HEADER_LENGTH + "-byte header");
        }
        if (payload[0] != MAGIC_BYTE) {
            throw new SerializationException("not Confluent wire format: magic byte is " + payload[0] + ", expected 0");
        }
        return ByteBuffer.wrap(payload, 1, 4).getInt();
    }
}
