package dev.kubeproof.contract.evidence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.HashChain;

/**
 * The bytes an evidence record's hash is computed over: compact JSON with object keys sorted, null fields
 * left out, timestamps as epoch milliseconds and enums by symbol. Any language can reproduce it from the
 * record, and adding an optional (null-defaulted) field to the schema leaves the hashes of older records valid.
 * The chain's own {@code hash} is excluded; everything else, including {@code previousHash}, is covered.
 */
public final class CanonicalEncoding {
    private static final JsonFactory JSON = new JsonFactory();
    /** Per record schema, its fields sorted by name: sorted once, not for every record. */
    private static final Map<Schema, List<Schema.Field>> SORTED_FIELDS = new ConcurrentHashMap<>();

    private CanonicalEncoding() {
    }

    /** Canonical UTF-8 bytes of the record, without {@code chain.hash}. */
    public static byte[] of(EvidenceRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            writeRecord(generator, record);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode evidence " + record.getEvidenceId(), e);
        }
        return out.toByteArray();
    }

    private static void writeRecord(JsonGenerator generator, IndexedRecord record) throws IOException {
        generator.writeStartObject();
        for (Schema.Field field : SORTED_FIELDS.computeIfAbsent(record.getSchema(), CanonicalEncoding::sortedFields)) {
            if (record instanceof HashChain && field.name().equals("hash")) {
                continue;
            }
            Object value = record.get(field.pos());
            if (value != null) {
                generator.writeFieldName(field.name());
                writeValue(generator, value);
            }
        }
        generator.writeEndObject();
    }

    /** A record's fields in the order of their names (the same order as the keys of a TreeMap of them). */
    private static List<Schema.Field> sortedFields(Schema schema) {
        List<Schema.Field> fields = new ArrayList<>(schema.getFields());
        fields.sort(java.util.Comparator.comparing(Schema.Field::name));
        return List.copyOf(fields);
    }

    private static void writeValue(JsonGenerator generator, Object value) throws IOException {
        if (value == null) {
            generator.writeNull();
        } else if (value instanceof IndexedRecord nested) {
            writeRecord(generator, nested);
        } else if (value instanceof Instant instant) {
            generator.writeNumber(instant.toEpochMilli());
        } else if (value instanceof Enum<?> symbol) {
            generator.writeString(symbol.name());
        } else if (value instanceof GenericEnumSymbol<?> symbol) {
            generator.writeString(symbol.toString());
        } else if (value instanceof CharSequence text) {
            generator.writeString(text.toString());
        } else if (value instanceof Integer || value instanceof Long) {
            generator.writeNumber(((Number) value).longValue());
        } else if (value instanceof Boolean bool) {
            generator.writeBoolean(bool);
        } else if (value instanceof Number number) {
            // Not used by today's schema; a decimal string keeps it exact and reproducible.
            generator.writeString(number.toString());
        } else if (value instanceof ByteBuffer bytes) {
            ByteBuffer copy = bytes.duplicate();
            byte[] raw = new byte[copy.remaining()];
            copy.get(raw);
            generator.writeString(Base64.getEncoder().encodeToString(raw));
        } else if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(k.toString(), v));
            generator.writeStartObject();
            for (Map.Entry<String, Object> entry : sorted.entrySet()) {
                generator.writeFieldName(entry.getKey());
                writeValue(generator, entry.getValue());
            }
            generator.writeEndObject();
        } else if (value instanceof Collection<?> items) {
            List<Object> ordered = new ArrayList<>(items);
            generator.writeStartArray();
            for (Object item : ordered) {
                writeValue(generator, item);
            }
            generator.writeEndArray();
        } else {
            throw new IllegalArgumentException("no canonical encoding for " + value.getClass().getName());
        }
    }
}
