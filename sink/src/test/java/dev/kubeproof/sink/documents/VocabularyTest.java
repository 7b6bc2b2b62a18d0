package dev.kubeproof.sink.documents;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.Attribution;
import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.sink.ControlCatalogs;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.sink.elasticsearch.TemplateFields;

/**
 * One vocabulary: a field means the same in every document kubeproof writes — evidence history, posture, violations,
 * misconfiguration findings and audit events — and matches Elastic's Kubernetes integration, so that searches,
 * correlation rules and Kibana views can join them by field.
 */
class VocabularyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The entity fields a SIEM joins documents by. */
    private static final List<String> ENTITY_ROOTS = List.of("orchestrator.", "user.", "source.", "user_agent.", "resource.");

    private final IndexNames names = IndexNames.of(ElasticsearchConfig.of(URI.create("http://es:9200")));

    @Test
    void shouldGiveEveryEntityFieldTheSameValueInEveryDocumentAboutTheSameChange() throws Exception {
        // Given alice's create of pod payments/web-1, as an audit event and as the evidence it caused
        AuditEvent audit = TestEvidence.audit("audit-1", "create", "{\"kind\":\"Pod\"}");
        EvidenceRecord evidence = EvidenceRecord.newBuilder(TestEvidence.failing("web-1"))
                .setAttribution(Attribution.newBuilder().setMethod(AttributionMethod.REQUEST).setUsername("alice")
                        .setUid("u-1").setGroups(audit.getUser().getGroups()).setSourceIps(audit.getSourceIps())
                        .setUserAgent(audit.getUserAgent()).setAuditId(audit.getAuditId()).setAt(TestEvidence.T0).build())
                .build();
        EvidenceDocuments evidenceDocuments = new EvidenceDocuments(names, ControlCatalogs.builtIn());

        // When every kind of document is made
        Map<String, Map<String, JsonNode>> documents = new LinkedHashMap<>();
        documents.put("evidence", flatten(evidenceDocuments.history(evidence, "kubeproof.evidence", 0, 0L)));
        List<IndexAction> posture = List.of(evidenceDocuments.posture(TestEvidence.key(evidence), evidence),
                evidenceDocuments.misconfiguration(TestEvidence.key(evidence), evidence));
        documents.put("posture", flatten(posture.get(0)));
        documents.put("misconfiguration", flatten(posture.get(1)));
        documents.put("violation", flatten(new ViolationDocuments(names, ControlCatalogs.builtIn(), "ecs")
                .toActions(evidence).get(0)));
        documents.put("audit", flatten(new AuditDocuments(names).toAction(audit)));

        // Then the resource type is the API resource everywhere, as the API server and Elastic's integration say
        documents.forEach((kind, fields) -> assertThat(fields.getOrDefault("orchestrator.resource.type",
                JSON.nullNode()).asText()).as(kind + " orchestrator.resource.type").isEqualTo("pods"));
        // And every entity field two documents share has the same value in both
        List<String> disagreements = new ArrayList<>();
        Map<String, Map<String, JsonNode>> byField = new TreeMap<>();
        documents.forEach((kind, fields) -> fields.forEach((field, value) -> {
            if (ENTITY_ROOTS.stream().anyMatch(field::startsWith)) {
                byField.computeIfAbsent(field, f -> new LinkedHashMap<>()).put(kind, value);
            }
        }));
        byField.forEach((field, values) -> {
            if (values.values().stream().distinct().count() > 1) {
                disagreements.add(field + " " + values);
            }
        });
        assertThat(byField).as("entity fields shared by several documents")
                .containsKeys("orchestrator.cluster.id", "orchestrator.namespace", "orchestrator.resource.name",
                        "orchestrator.api_version", "user.name", "user.id", "source.ip", "user_agent.original");
        assertThat(byField.get("user.name")).containsOnlyKeys("evidence", "posture", "violation", "audit");
        assertThat(disagreements).isEmpty();
        // And no field is a string in one document and a number, list or object in another
        List<String> shapes = new ArrayList<>();
        Map<String, Map<String, String>> shapeByField = new TreeMap<>();
        documents.forEach((kind, fields) -> fields.forEach((field, value) ->
                shapeByField.computeIfAbsent(field, f -> new LinkedHashMap<>()).put(kind, value.getNodeType().name())));
        shapeByField.forEach((field, kinds) -> {
            if (kinds.values().stream().distinct().count() > 1) {
                shapes.add(field + " " + kinds);
            }
        });
        assertThat(shapes).isEmpty();
    }

    @Test
    void shouldMapEveryFieldTheSameWayInEveryIndexTemplate() {
        // Given the mappings of the evidence, audit and misconfiguration documents
        TemplateFields templates = new TemplateFields(ElasticsearchConfig.of(URI.create("http://es:9200")));
        Map<String, Map<String, String>> byTemplate = Map.of(
                "evidence", templates.fields(names.evidence()),
                "audit", templates.fields(names.audit()),
                "misconfiguration", templates.fields(names.misconfigurations()));

        // Then a field mapped by several has one type (a data view over several indices sees no conflict)
        Map<String, Map<String, String>> types = new TreeMap<>();
        byTemplate.forEach((template, fields) -> fields.forEach((field, type) ->
                types.computeIfAbsent(field, f -> new TreeMap<>()).put(template, type)));
        List<String> conflicts = types.entrySet().stream()
                .filter(e -> e.getValue().size() > 1 && e.getValue().values().stream().distinct().count() > 1)
                .map(e -> e.getKey() + " " + e.getValue()).toList();
        assertThat(types.get("orchestrator.resource.type")).hasSize(3);
        assertThat(conflicts).isEmpty();
    }

    private static Map<String, JsonNode> flatten(IndexAction action) throws Exception {
        byte[] json;
        if (action instanceof IndexAction.Create create) {
            json = create.json();
        } else if (action instanceof IndexAction.Upsert upsert) {
            json = upsert.json();
        } else {
            throw new AssertionError("no document in " + action);
        }
        Map<String, JsonNode> fields = new TreeMap<>();
        flatten("", JSON.readTree(json), fields);
        return fields;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> fields) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(prefix + e.getKey() + ".", e.getValue(), fields));
        } else {
            fields.put(prefix.substring(0, prefix.length() - 1), node);
        }
    }
}
