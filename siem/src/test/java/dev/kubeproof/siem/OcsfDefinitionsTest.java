package dev.kubeproof.siem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.controls.catalog.Framework;

/**
 * kubeproof's OCSF Compliance Findings checked against the OCSF project's own class and object definitions (test
 * resources {@code /ocsf}, see SOURCES.md there), not only against kubeproof's JSON Schema.
 */
class OcsfDefinitionsTest {
    /** The base event's attributes in OCSF 1.3.0 (schema.ocsf.io/1.3.0/base_event), which every class has. */
    private static final Set<String> BASE_EVENT_1_3 = Set.of("activity_id", "activity_name", "category_name",
            "category_uid", "class_name", "class_uid", "count", "duration", "end_time", "enrichments", "message",
            "metadata", "observables", "raw_data", "severity", "severity_id", "start_time", "status", "status_code",
            "status_detail", "status_id", "time", "timezone_offset", "type_name", "type_uid", "unmapped");
    /** The host profile's attributes (kubeproof declares it in metadata.profiles when it sets actor). */
    private static final Set<String> HOST_PROFILE = Set.of("actor", "device");
    /** Every OCSF enum also admits 0 Unknown and 99 Other (the dictionary's defaults). */
    private static final Set<String> DEFAULT_ENUM = Set.of("0", "99");
    private static JsonNode complianceFinding;
    private static JsonNode finding;
    private static JsonNode compliance;
    private static JsonNode findingInfo;
    private static JsonNode attack;

    @BeforeAll
    static void load() throws IOException {
        complianceFinding = definition("compliance_finding.json");
        finding = definition("finding.json");
        compliance = definition("compliance.json");
        findingInfo = definition("finding_info.json");
        attack = definition("attack.json");
    }

    static Stream<EvidenceRecord> transitions() {
        return Stream.concat(EcsViolationFormatterTest.transitions(), Stream.of(SampleEvidence.execDetected()));
    }

    @ParameterizedTest
    @MethodSource("transitions")
    void shouldUseOnlyAttributesAndValuesTheOcsfDefinitionsHave(EvidenceRecord transition) {
        // Given the formatter with the catalog (standards, ATT&CK techniques)
        OcsfComplianceFindingFormatter formatter = new OcsfComplianceFindingFormatter(ControlCatalog.of(
                List.of(new ControlInfo(transition.getControlId(), "pod-security", "d",
                        Map.of("cis", List.of("5.2.2"), "mitre", List.of("T1611", "T1562.008")), List.of("https://x.test/c"))),
                List.of(new Framework("cis", "CIS Kubernetes Benchmark", "1.9.0", "https://x.test"),
                        new Framework("mitre", "MITRE ATT&CK", "16.1", "https://attack.mitre.org/"))));
        // When the transition is formatted
        ObjectNode doc = formatter.toJson(transition);
        // Then it satisfies the official definitions
        assertThat(problems(doc)).as(doc.toString()).isEmpty();
    }

    @Test
    void shouldNameAnUnknownAttributeAMissingRequiredOneAndAValueOutsideAnEnum() {
        // Given a valid finding, altered
        ObjectNode doc = new OcsfComplianceFindingFormatter().toJson(SampleEvidence.privilegedPodFails().build());
        doc.put("activity_id", 7);
        ((ObjectNode) doc.get("finding_info")).put("severity", "high");
        ((ObjectNode) doc.get("compliance")).remove("standards");
        ((ObjectNode) doc.get("finding_info")).putArray("attacks").addObject().put("version", "16.1");
        doc.put("resource_uid", "x");

        // Then each is named
        assertThat(problems(doc)).contains("activity_id: 7 is not one of [1, 2, 3] (or 0, 99)",
                "finding_info.severity: not an attribute of finding_info",
                "compliance.standards: required",
                "finding_info.attacks[0]: needs at least one of [tactic, technique, sub_technique]",
                "resource_uid: not an attribute of compliance_finding");
    }

    private static List<String> problems(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        Set<String> classAttributes = new HashSet<>(BASE_EVENT_1_3);
        classAttributes.addAll(HOST_PROFILE);
        finding.path("attributes").fieldNames().forEachRemaining(classAttributes::add);
        complianceFinding.path("attributes").fieldNames().forEachRemaining(classAttributes::add);
        doc.fieldNames().forEachRemaining(name -> {
            if (!classAttributes.contains(name)) {
                problems.add(name + ": not an attribute of compliance_finding");
            }
        });
        required(finding, doc, "", problems);
        required(complianceFinding, doc, "", problems);
        enumValue(finding, "activity_id", doc, "", problems);
        enumValue(finding, "status_id", doc, "", problems);
        if (doc.path("type_uid").asLong() != doc.path("class_uid").asLong() * 100 + doc.path("activity_id").asLong()) {
            problems.add("type_uid: must be class_uid * 100 + activity_id");
        }
        object(compliance, doc.path("compliance"), "compliance", problems);
        enumValue(compliance, "status_id", doc.path("compliance"), "compliance.", problems);
        object(findingInfo, doc.path("finding_info"), "finding_info", problems);
        JsonNode attacks = doc.at("/finding_info/attacks");
        for (int i = 0; i < attacks.size(); i++) {
            String where = "finding_info.attacks[" + i + "]";
            object(attack, attacks.get(i), where, problems);
            List<String> oneOf = new ArrayList<>();
            attack.at("/constraints/at_least_one").forEach(n -> oneOf.add(n.asText()));
            if (oneOf.stream().noneMatch(attacks.get(i)::has)) {
                problems.add(where + ": needs at least one of " + oneOf);
            }
        }
        return problems;
    }

    private static void object(JsonNode definition, JsonNode value, String where, List<String> problems) {
        if (!value.isObject()) {
            return;
        }
        value.fieldNames().forEachRemaining(name -> {
            if (!definition.path("attributes").has(name)) {
                problems.add(where + "." + name + ": not an attribute of " + definition.path("name").asText());
            }
        });
        required(definition, value, where + ".", problems);
    }

    private static void required(JsonNode definition, JsonNode value, String prefix, List<String> problems) {
        definition.path("attributes").properties().forEach(e -> {
            if (e.getValue().path("requirement").asText().equals("required") && !value.has(e.getKey())) {
                problems.add(prefix + e.getKey() + ": required");
            }
        });
    }

    private static void enumValue(JsonNode definition, String attribute, JsonNode value, String prefix, List<String> problems) {
        JsonNode values = definition.at("/attributes/" + attribute + "/enum");
        if (!value.has(attribute) || values.isMissingNode()) {
            return;
        }
        String actual = value.path(attribute).asText();
        if (!values.has(actual) && !DEFAULT_ENUM.contains(actual)) {
            List<String> ids = new ArrayList<>();
            values.fieldNames().forEachRemaining(ids::add);
            problems.add(prefix + attribute + ": " + actual + " is not one of " + ids + " (or 0, 99)");
        }
    }

    private static JsonNode definition(String name) throws IOException {
        try (InputStream in = OcsfDefinitionsTest.class.getResourceAsStream("/ocsf/" + name)) {
            assertThat(in).as("test resource /ocsf/" + name).isNotNull();
            return SchemaValidation.MAPPER.readTree(in);
        }
    }
}
