package dev.kubeproof.sink.documents;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/** Violation documents come from the evidence record itself, formatted once, as the violations topic has it. */
class ViolationDocumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final IndexNames names = IndexNames.of(ElasticsearchConfig.of(java.net.URI.create("http://es:9200")));
    private final EvidenceRecord failing = TestEvidence.failing("web-1");

    @Test
    void shouldIndexTheEcsViolationWhereElasticSecurityLooksUnderItsEvidenceId() throws Exception {
        // Given the ECS format, When a failing transition is turned into a document
        List<IndexAction> actions = new ViolationDocuments(names, ControlCatalog.empty(), "ecs").toActions(failing);

        // Then it is the violations topic's document, in a logs-* data stream with its data_stream fields
        assertThat(actions).singleElement().isInstanceOfSatisfying(IndexAction.Create.class, create -> {
            assertThat(create.index()).isEqualTo("logs-kubeproof.violations-default");
            assertThat(create.id()).isEqualTo(failing.getEvidenceId());
        });
        JsonNode doc = JSON.readTree(((IndexAction.Create) actions.get(0)).json());
        assertThat(doc.at("/data_stream/type").asText()).isEqualTo("logs");
        assertThat(doc.at("/data_stream/dataset").asText()).isEqualTo("kubeproof.violations");
        assertThat(doc.at("/data_stream/namespace").asText()).isEqualTo("default");
        assertThat(doc.at("/event/kind").asText()).isEqualTo("alert");
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc).remove("data_stream");
        assertThat(doc).isEqualTo(JSON.readTree(ViolationFormats.named("ecs").format(failing)));
    }

    @Test
    void shouldAlsoIndexTheOcsfFindingWithATimestampWhenTheTopicCarriesOcsf() {
        // When the violations topic carries OCSF
        List<IndexAction> actions = new ViolationDocuments(names, ControlCatalog.empty(), "ocsf").toActions(failing);

        // Then Kibana's ECS document is written all the same, and the OCSF finding beside it
        assertThat(actions).extracting(IndexAction::index)
                .containsExactly("logs-kubeproof.violations-default", "kubeproof-violations-ocsf");
        IndexAction ocsf = actions.get(1);
        assertThat(ocsf.id()).isEqualTo(failing.getEvidenceId());
        assertThat(new String(((IndexAction.Create) ocsf).json(), StandardCharsets.UTF_8))
                .contains("\"@timestamp\":\"2025-03-04T10:00:00.000Z\"").contains("\"class_uid\":2003");
    }

    @Test
    void shouldMakeNoViolationOfATransitionThatNeverFailed() {
        EvidenceRecord passing = TestEvidence.transition("web-2", 1, null, EvidenceStatus.PASS, TestEvidence.T0);
        assertThat(new ViolationDocuments(names, ControlCatalog.empty(), "ecs").toActions(passing)).isEmpty();
    }
}
