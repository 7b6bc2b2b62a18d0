package dev.kubeproof.sink.documents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.kubeproof.avro.Attribution;
import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.sink.ControlCatalogs;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * Every ECS document kubeproof writes — violations, evidence history (with remediation times), posture,
 * misconfiguration findings, audit events — checked against the official ECS field definitions (test resources
 * {@code /ecs}, see SOURCES.md there): each field of an ECS field set exists in ECS, its value has the field's type, and
 * the categorization fields hold allowed values. Fields outside ECS live under kubeproof's and the integrations' own
 * roots only.
 */
class EcsFieldDefinitionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Roots that are not ECS field sets: kubeproof's own, Elastic's Kubernetes integration, the posture-findings shape. */
    private static final Set<String> CUSTOM_ROOTS = Set.of("kubeproof", "kubernetes", "resource", "result", "data_source");
    /**
     * Fields of Elastic's cloud-security-posture findings (cloudbeat's shape, which Kibana's Findings view reads):
     * they extend ECS {@code rule.*} and are allowed in misconfiguration findings only.
     */
    private static final List<String> POSTURE_FINDING_FIELDS = List.of("rule.benchmark.", "rule.section", "rule.remediation");
    private static final IndexNames NAMES = IndexNames.of(ElasticsearchConfig.of(URI.create("http://es:9200")));
    private static Map<String, String> types;
    private static Set<String> ecsRoots;
    private static JsonNode allowed;

    @BeforeAll
    static void load() throws IOException {
        types = new HashMap<>();
        ecsRoots = new java.util.HashSet<>();
        for (String line : resource("ecs-fields.csv").lines().skip(1).toList()) {
            String[] columns = line.split(",");
            types.put(columns[0], columns[1]);
            ecsRoots.add(columns[0].contains(".") ? columns[0].substring(0, columns[0].indexOf('.')) : columns[0]);
        }
        allowed = JSON.readTree(resource("allowed-values.json"));
    }

    static Stream<Map.Entry<String, JsonNode>> documents() throws IOException {
        Map<String, JsonNode> documents = new LinkedHashMap<>();
        EvidenceDocuments evidence = new EvidenceDocuments(NAMES, ControlCatalogs.builtIn());
        ViolationDocuments violations = new ViolationDocuments(NAMES, ControlCatalogs.builtIn(), "ecs");
        EvidenceRecord failing = EvidenceRecord.newBuilder(TestEvidence.failing("web-1"))
                .setAttribution(Attribution.newBuilder().setMethod(AttributionMethod.REQUEST).setUsername("alice")
                        .setUid("u-1").setGroups(List.of("devs")).setImpersonatedUser("bob").setSourceIps(List.of("10.1.2.3"))
                        .setUserAgent("kubectl/v1.31.0").setAuditId("a-1").setAt(TestEvidence.T0).build())
                .build();
        EvidenceRecord fixed = TestEvidence.transition("web-1", 2, EvidenceStatus.FAIL, EvidenceStatus.PASS,
                TestEvidence.T0.plusSeconds(90));
        fixed = EvidenceRecord.newBuilder(fixed).setPreviousSince(TestEvidence.T0).build();
        EvidenceRecord deleted = TestEvidence.transition("web-1", 3, EvidenceStatus.PASS, EvidenceStatus.CLOSED,
                TestEvidence.T0.plusSeconds(120));
        EvidenceRecord vulnerable = EvidenceRecord.newBuilder(TestEvidence.transition("web-2", 1, null, EvidenceStatus.FAIL,
                TestEvidence.T0)).setControlId("KP-IMG-001").setMessage("image nginx:1.25 has CVE-2023-44487 (high)")
                .setCause(dev.kubeproof.avro.EvidenceCause.newBuilder().setChangeType("SCAN").setScanId("scan-1").build())
                .build();
        documents.put("violation (opened, with attribution)", json(violations.toActions(failing).get(0)));
        documents.put("violation (closed)", json(violations.toActions(fixed).get(0)));
        documents.put("violation (vulnerability)", json(violations.toActions(vulnerable).get(0)));
        documents.put("evidence (remediation with times)", json(evidence.history(fixed, "kubeproof.evidence", 0, 0L)));
        documents.put("evidence (deleted)", json(evidence.history(deleted, "kubeproof.evidence", 0, 0L)));
        List<IndexAction> posture = List.of(evidence.posture(TestEvidence.key(failing), failing),
                evidence.misconfiguration(TestEvidence.key(failing), failing));
        documents.put("posture", json(posture.get(0)));
        documents.put("misconfiguration finding", json(posture.get(1)));
        documents.put("posture history", dev.kubeproof.sink.elasticsearch.PostureHistory.document("CIS Kubernetes Benchmark v1.9.0",
                Map.of("PASS", 90L, "FAIL", 10L, "EXEMPT", 2L), TestEvidence.T0));
        AuditDocuments audit = new AuditDocuments(NAMES);
        for (String verb : List.of("create", "get", "list", "patch", "delete", "watch")) {
            documents.put("audit (" + verb + ")", json(audit.toAction(TestEvidence.audit("a-" + verb, verb,
                    verb.equals("create") ? "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"x\"}]}}" : null))));
        }
        return documents.entrySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void shouldWriteOnlyEcsFieldsOfTheirEcsTypeWithAllowedCategorization(Map.Entry<String, JsonNode> document) {
        List<String> problems = problems(document.getValue());
        if (document.getKey().startsWith("misconfiguration")) {
            problems.removeIf(p -> POSTURE_FINDING_FIELDS.stream().anyMatch(p::startsWith));
        }
        assertThat(problems).as(document.getKey() + ": " + document.getValue()).isEmpty();
    }

    @Test
    void shouldFindAFieldThatIsNotEcsAWrongTypeAndADisallowedValue() throws Exception {
        // Given a valid violation, altered the ways a formatter could go wrong
        ObjectNode doc = (ObjectNode) json(new ViolationDocuments(NAMES, ControlCatalogs.builtIn(), "ecs")
                .toActions(TestEvidence.failing("web-1")).get(0));
        ((ObjectNode) doc.get("event")).put("kind", "violation");
        ((ObjectNode) doc.get("event")).put("severity", "high");
        ((ObjectNode) doc.get("orchestrator")).put("resource_type", "pods");
        doc.putObject("finding").put("id", "x");
        doc.put("@timestamp", "yesterday");

        // Then each is named
        assertThat(problems(doc)).anyMatch(p -> p.startsWith("event.kind: 'violation' is not an allowed value"))
                .anyMatch(p -> p.startsWith("event.severity: long expected"))
                .anyMatch(p -> p.startsWith("orchestrator.resource_type: not an ECS field"))
                .anyMatch(p -> p.startsWith("finding.id: 'finding' is neither an ECS field set"))
                .anyMatch(p -> p.startsWith("@timestamp: date expected"));
    }

    @Test
    void shouldMapEveryEcsFieldWithItsEcsTypeAndItsTextMultiField() {
        // Given the sink's mappings of the evidence, audit and misconfiguration documents
        dev.kubeproof.sink.elasticsearch.TemplateFields templates = new dev.kubeproof.sink.elasticsearch.TemplateFields(
                ElasticsearchConfig.of(URI.create("http://es:9200")));
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (String index : List.of(NAMES.evidence(), NAMES.audit(), NAMES.misconfigurations(), NAMES.postureHistory())) {
            Map<String, String> mapped = templates.fields(index);
            for (Map.Entry<String, String> field : mapped.entrySet()) {
                String ecs = types.get(field.getKey());
                if (ecs == null || ecs.equals("object")) {
                    continue;
                }
                checked++;
                // Then each has ECS's type, or the one the local server has for it (see sink/README.md)
                if (!ecs.equals(field.getValue()) && !SUBSTITUTES.getOrDefault(ecs, "").equals(field.getValue())) {
                    mismatches.add(index + " " + field.getKey() + ": " + field.getValue() + ", ECS says " + ecs);
                }
            }
            // And where ECS gives a field a text multi-field, so does the sink
            for (String field : mapped.keySet()) {
                if (types.containsKey(field + ".text") && !mapped.containsKey(field + ".text")) {
                    mismatches.add(index + " " + field + ": no .text multi-field, ECS has one");
                }
            }
        }
        assertThat(checked).isGreaterThan(60);
        assertThat(mismatches).isEmpty();
    }

    /**
     * ECS types the project's local Elasticsearch (integ-test-zip) lacks, and what the sink maps instead: the same
     * queries work, only storage differs (see sink/README.md).
     */
    private static final Map<String, String> SUBSTITUTES = Map.of("match_only_text", "text", "wildcard", "keyword",
            "constant_keyword", "keyword");

    private static List<String> problems(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        walk("", doc, problems);
        JsonNode category = doc.at("/event/category");
        for (JsonNode type : doc.at("/event/type")) {
            boolean expected = false;
            for (JsonNode c : category) {
                JsonNode types = allowed.at("/expected_types_by_category/" + c.asText());
                expected |= types.isMissingNode() || contains(types, type.asText());
            }
            if (!expected) {
                problems.add("event.type: '" + type.asText() + "' is not expected with event.category " + category);
            }
        }
        return problems;
    }

    private static void walk(String path, JsonNode node, List<String> problems) {
        if (node.isObject() && !types.containsKey(path)) {
            node.properties().forEach(e -> walk(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), problems));
            return;
        }
        String root = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
        if (CUSTOM_ROOTS.contains(root)) {
            return;
        }
        if (!ecsRoots.contains(root)) {
            problems.add(path + ": '" + root + "' is neither an ECS field set nor one of kubeproof's roots " + CUSTOM_ROOTS);
            return;
        }
        String type = types.get(path);
        if (type == null) {
            problems.add(path + ": not an ECS field");
            return;
        }
        if (node.isArray()) {
            node.forEach(element -> checkValue(path, type, element, problems));
        } else {
            checkValue(path, type, node, problems);
        }
    }

    private static void checkValue(String path, String type, JsonNode value, List<String> problems) {
        boolean ok = switch (type) {
            case "keyword", "constant_keyword", "match_only_text", "text", "wildcard" -> value.isTextual();
            case "long" -> value.isIntegralNumber();
            case "float", "scaled_float" -> value.isNumber();
            case "date" -> value.isTextual() && isDate(value.asText());
            case "ip" -> value.isTextual() && isIp(value.asText());
            case "object" -> value.isObject();
            case "boolean" -> value.isBoolean();
            default -> false;
        };
        if (!ok) {
            problems.add(path + ": " + type + " expected, was " + value);
        }
        JsonNode values = allowed.at("/allowed/" + path.replace("/", "~1"));
        if (!values.isMissingNode() && !contains(values, value.asText())) {
            problems.add(path + ": '" + value.asText() + "' is not an allowed value " + values);
        }
    }

    private static boolean contains(JsonNode array, String text) {
        for (JsonNode element : array) {
            if (element.asText().equals(text)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDate(String text) {
        try {
            Instant.parse(text);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static boolean isIp(String text) {
        if (!text.matches("[0-9a-fA-F:.]+")) {
            return false;   // never a host name: InetAddress would resolve it
        }
        try {
            InetAddress.getByName(text);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static JsonNode json(IndexAction action) throws IOException {
        if (action instanceof IndexAction.Create create) {
            return JSON.readTree(create.json());
        }
        return JSON.readTree(((IndexAction.Upsert) action).json());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = EcsFieldDefinitionsTest.class.getResourceAsStream("/ecs/" + name)) {
            assertThat(in).as("test resource /ecs/" + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
