package dev.kubeproof.contract.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.registry.SchemaRegistryException;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes specific Avro records in the Confluent wire format, registering the record's schema under
 * {@code <topic>-value} (or {@code -key}) through the Confluent REST API. Null stays null (tombstones).
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    /** Whether to register schemas (true) or only look them up (false, for registries locked down in production). */
    public static final String AUTO_REGISTER = "auto.register.schemas";

    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;
    private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
    /** Per thread: the last record written and its Avro body, when {@link #reusingTheLastEncoding()}; else null. */
    private ThreadLocal<Encoded> last;

    private record Encoded(Object record, byte[] body) {
    }

    /** For Kafka's reflective construction; {@link #configure} sets the registry from {@code schema.registry.url}. */
    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistryClient registry, boolean isKey, boolean autoRegister) {
        this.registry = registry;
        this.isKey = isKey;
        this.autoRegister = autoRegister;
    }

    /**
     * This serializer, encoding a record that is written again right after (the same instance, e.g. to the next
     * topic or store of a topology) only once: the Avro body is reused and only the header, whose schema id depends
     * on the subject, is written again. Only for records that are never changed after they are first written, such
     * as evidence (changing one would break its hash chain): a changed instance would be written as it was.
     */
    public AvroSerializer<T> reusingTheLastEncoding() {
        last = new ThreadLocal<>();
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (registry == null) {
            registry = new ConfluentRestSchemaRegistryClient(RegistryClientConfig.fromSerdeConfigs(configs));
        }
        Object auto = configs.get(AUTO_REGISTER);
        if (auto != null) {
            autoRegister = Boolean.parseBoolean(auto.toString());
        }
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        String subject = topic + (isKey ? "-key" : "-value");
        int id;
        try {
            id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot get a schema id for subject " + subject + ": " + e.getMessage(), e);
        }
        try {
            byte[] body = body(schema, record);
            byte[] bytes = new byte[WireFormat.HEADER_LENGTH + body.length];
            bytes[0] = WireFormat.MAGIC_BYTE;
            ByteBuffer.wrap(bytes, 1, 4).putInt(id);
            System.arraycopy(body, 0, bytes, WireFormat.HEADER_LENGTH, body.length);
            return bytes;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + schema.getFullName() + " for topic " + topic + ": "
                    + e.getMessage(), e);
        }
    }

    private byte[] body(Schema schema, T record) throws IOException {
        Encoded previous = last == null ? null : last.get();
        if (previous != null && previous.record() == record) {
            return previous.body();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(record, encoder);
        encoder.flush();
        byte[] body = out.toByteArray();
        if (last != null) {
            last.set(new Encoded(record, body));
        }
        return body;
    }
}
