package dev.kubeproof.contract.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A registry in memory, for unit tests (TopologyTestDriver, collectors) only: same ids-per-schema semantics,
 * and BACKWARD compatibility enforced when set, like the real one. Integration tests use the real registry.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<Schema>> versionsBySubject = new HashMap<>();
    private final Map<String, String> compatibilityBySubject = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Schema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(schema)) {
            if ("BACKWARD".equals(compatibilityBySubject.get(subject)) && !versions.isEmpty()) {
                Schema latest = versions.get(versions.size() - 1);
                SchemaCompatibility.SchemaPairCompatibility result =
                        SchemaCompatibility.checkReaderWriterCompatibility(schema, latest);
                if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    throw new IncompatibleSchemaException("schema for subject " + subject + " is not BACKWARD compatible: "
                            + result.getDescription(), 409);
                }
            }
            versions.add(schema);
        }
        return idFor(schema);
    }

    @Override
    public synchronized int lookup(String subject, Schema schema) {
        List<Schema> versions = versionsBySubject.getOrDefault(subject, List.of());
        if (!versions.contains(schema)) {
            throw new SchemaRegistryException("schema not registered under subject " + subject, 404, 40403);
        }
        return idFor(schema);
    }

    private int idFor(Schema schema) {
        return idsBySchema.computeIfAbsent(schema.toString(), s -> {
            int id = idsBySchema.size() + 1;
            schemasById.put(id, schema);
            return id;
        });
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("schema id " + id + " not found", 404, 40403);
        }
        return schema;
    }

    @Override
    public synchronized void setCompatibility(String subject, String level) {
        compatibilityBySubject.put(subject, level);
    }
}
