package dev.kubeproof.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract between modules evolves BACKWARD compatibly: a consumer built with today's schemas reads
 * everything written with the last released ones (kept in test resources, one folder per release).
 */
class SchemaCompatibilityTest {
    private static final String LAST_RELEASE = "0.1.0";

    static Stream<Schema> currentSchemas() {
        return Stream.of(AuditEvent.getClassSchema(), ResourceChange.getClassSchema(), ImageScan.getClassSchema(),
                EvidenceRecord.getClassSchema(), ControlException.getClassSchema(), DeadLetter.getClassSchema());
    }

    /** Released schemas and those new since the last release. */
    static Stream<Schema> allSchemas() {
        return Stream.concat(currentSchemas(), Stream.of(Attestation.getClassSchema(),
                dev.kubeproof.avro.CustomControl.getClassSchema(), dev.kubeproof.avro.ScannerFinding.getClassSchema()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentSchemas")
    void shouldReadDataWrittenWithTheLastReleasedSchema(Schema current) throws Exception {
        // Given the schema as last released
        Schema released = releasedSchemas(LAST_RELEASE).get(current.getFullName());
        assertThat(released).as("released schema of " + current.getFullName()).isNotNull();

        // When the current schema reads what the released one wrote
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(current, released);

        // Then Avro finds them compatible
        assertThat(result.getType()).as(result.getDescription()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void shouldDetectAFieldAddedWithoutADefaultAsIncompatible() throws Exception {
        // Given the released EvidenceRecord and a change that adds a field without a default
        Schema released = releasedSchemas(LAST_RELEASE).get(EvidenceRecord.getClassSchema().getFullName());
        ObjectMapper json = new ObjectMapper();
        ObjectNode changed = (ObjectNode) json.readTree(EvidenceRecord.getClassSchema().toString());
        ((ArrayNode) changed.get("fields")).addObject().put("name", "tenant").put("type", "string");
        Schema incompatible = new Schema.Parser().parse(changed.toString());

        // When checked the way the test above checks
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(incompatible, released);

        // Then the break is caught
        assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allSchemas")
    void shouldDocumentEveryRecordAndEveryField(Schema current) {
        // Given every named type reachable from the schema, When their docs are collected
        List<String> undocumented = new ArrayList<>();
        collectUndocumented(current, new ArrayList<>(), undocumented);

        // Then nothing lacks a doc
        assertThat(undocumented).isEmpty();
    }

    private static void collectUndocumented(Schema schema, List<String> seen, List<String> undocumented) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.contains(schema.getFullName())) {
                    return;
                }
                seen.add(schema.getFullName());
                if (isBlank(schema.getDoc())) {
                    undocumented.add(schema.getFullName());
                }
                for (Schema.Field field : schema.getFields()) {
                    if (isBlank(field.doc())) {
                        undocumented.add(schema.getFullName() + "." + field.name());
                    }
                    collectUndocumented(field.schema(), seen, undocumented);
                }
            }
            case ENUM -> {
                if (!seen.contains(schema.getFullName()) && isBlank(schema.getDoc())) {
                    undocumented.add(schema.getFullName());
                }
                seen.add(schema.getFullName());
            }
            case UNION -> schema.getTypes().forEach(type -> collectUndocumented(type, seen, undocumented));
            case ARRAY -> collectUndocumented(schema.getElementType(), seen, undocumented);
            case MAP -> collectUndocumented(schema.getValueType(), seen, undocumented);
            default -> {
            }
        }
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    /** Parses a release folder: shared types in common/ first, then the top-level schemas, by full name. */
    static Map<String, Schema> releasedSchemas(String release) throws IOException, URISyntaxException {
        Path folder = Path.of(SchemaCompatibilityTest.class.getResource("/released/" + release).toURI());
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        try (Stream<Path> common = Files.list(folder.resolve("common"))) {
            for (Path file : common.sorted().toList()) {
                Schema schema = parser.parse(file.toFile());
                schemas.put(schema.getFullName(), schema);
            }
        }
        try (Stream<Path> top = Files.list(folder)) {
            for (Path file : top.filter(p -> p.toString().endsWith(".avsc")).sorted().toList()) {
                Schema schema = parser.parse(file.toFile());
                schemas.put(schema.getFullName(), schema);
            }
        }
        return schemas;
    }
}
