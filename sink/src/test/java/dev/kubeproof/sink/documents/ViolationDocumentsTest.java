package dev.kubeproof.sink.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;

import org.junit.jupiter.api.Test;

class ViolationDocumentsTest {
    private final ViolationDocuments documents =
            new ViolationDocuments(IndexNames.of(ElasticsearchConfig.of(java.net.URI.create("http://es:9200"))));
    private final EvidenceRecord failing = TestEvidence.failing("web-1");

    @Test
    void shouldIndexAnEcsViolationAsItIsUnderItsEvidenceId() {
        byte[] ecs = ViolationFormats.named("ecs").format(failing).getBytes(StandardCharsets.UTF_8);
        IndexAction action = documents.toAction(ecs);
        assertThat(action).isInstanceOfSatisfying(IndexAction.Create.class, create -> {
            assertThat(create.index()).isEqualTo("kubeproof-violations");
            assertThat(create.id()).isEqualTo(failing.getEvidenceId());
            assertThat(create.json()).isEqualTo(ecs);
        });
    }

    @Test
    void shouldIndexAnOcsfViolationWithATimestampInItsOwnDataStream() {
        byte[] ocsf = ViolationFormats.named("ocsf").format(failing).getBytes(StandardCharsets.UTF_8);
        IndexAction action = documents.toAction(ocsf);
        assertThat(action.index()).isEqualTo("kubeproof-violations-ocsf");
        assertThat(action.id()).isEqualTo(failing.getEvidenceId());
        assertThat(new String(((IndexAction.Create) action).json(), StandardCharsets.UTF_8))
                .contains("\"@timestamp\":\"2025-03-04T10:00:00.000Z\"");
    }

    @Test
    void shouldRejectWhatIsNotAViolationWithAnErrorType() {
        assertThatThrownBy(() -> documents.toAction("{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DocumentException.class, e -> assertThat(e.errorType()).isEqualTo("MALFORMED_JSON"));
        assertThatThrownBy(() -> documents.toAction("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DocumentException.class, e -> assertThat(e.errorType()).isEqualTo("MALFORMED_JSON"));
        assertThatThrownBy(() -> documents.toAction("{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DocumentException.class, e -> assertThat(e.errorType()).isEqualTo("WRONG_KIND"));
        assertThatThrownBy(() -> documents.toAction("{\"class_uid\":2003}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DocumentException.class, e -> assertThat(e.errorType()).isEqualTo("MISSING_FIELD"));
    }
}
