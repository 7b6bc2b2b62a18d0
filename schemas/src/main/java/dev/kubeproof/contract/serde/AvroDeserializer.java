package dev.kubeproof.contract.serde;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.registry.SchemaRegistryException;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro into a specific record class: the writer's schema comes from the registry
 * by id, the reader's is the class's own, and Avro's schema resolution bridges compatible versions. Anything
 * that is not such a payload fails with a {@link SerializationException} that names the problem, for the
 * caller's dead-letter handling.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    /** Kafka config: the specific record class to read values (or keys) into. */
    public static final String VALUE_TYPE = "kubeproof.avro.type";

    private SchemaRegistryClient registry;
    private Class<T> type;
    private Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    /** For Kafka's reflective construction; {@link #configure} needs {@code schema.registry.url} and {@value #VALUE_TYPE}. */
    public AvroDeserializer() {
    }

    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        setType(type);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = new ConfluentRestSchemaRegistryClient(RegistryClientConfig.fromSerdeConfigs(configs));
        }
        if (type == null) {
            Object name = configs.get(VALUE_TYPE);
            if (name == null) {
                throw new IllegalArgumentException(VALUE_TYPE + " must name the Avro record class to read");
            }
            try {
                setType((Class<T>) (name instanceof Class<?> c ? c : Class.forName(name.toString())));
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException(VALUE_TYPE + ": no class " + name, e);
            }
        }
    }

    private void setType(Class<T> type) {
        this.type = type;
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = WireFormat.schemaId(data);
        SpecificDatumReader<T> reader;
        try {
            reader = readers.computeIfAbsent(id, k -> new SpecificDatumReader<>(registry.schemaById(id), readerSchema));
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot resolve writer schema id " + id + " of a record on " + topic + ": "
                    + e.getMessage(), e);
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_LENGTH,
                    data.length - WireFormat.HEADER_LENGTH, null);
            T record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("trailing bytes after a " + type.getSimpleName() + " on " + topic);
            }
            return record;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException serialization) {
                throw serialization;
            }
            throw new SerializationException("cannot read a " + type.getSimpleName() + " (schema id " + id + ") on "
                    + topic + ": " + e.getMessage(), e);
        }
    }
}
