package dev.kubeproof.sink.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;

import org.junit.jupiter.api.Test;

class EvidenceDocumentsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final IndexNames names = IndexNames.of(ElasticsearchConfig.of(java.net.URI.create("http://es:9200")));
    private final EvidenceDocuments documents = new EvidenceDocuments(names, ControlCatalog.empty());

    @Test
    void shouldCreateHistoryDocumentsUnderTheEvidenceId() throws Exception {
        // Given a failing transition
        EvidenceRecord failing = TestEvidence.failing("web-1");
        // When it becomes a history document
        IndexAction action = documents.history(failing, "kubeproof.evidence", 0, 0L);
        // Then it is an append-only create with the evidence id, in ECS with the evidence dataset
        assertThat(action).isInstanceOf(IndexAction.Create.class);
        assertThat(action.index()).isEqualTo("kubeproof-evidence");
        assertThat(action.id()).isEqualTo(failing.getEvidenceId());
        JsonNode doc = MAPPER.readTree(((IndexAction.Create) action).json());
        assertThat(doc.at("/event/dataset").asText()).isEqualTo("kubeproof.evidence");
        assertThat(doc.at("/kubeproof/status").asText()).isEqualTo("FAIL");
        assertThat(doc.at("/event/duration").isMissingNode()).isTrue();
    }

    @Test
    void shouldAddTheTimeToRemediateToARemediation() throws Exception {
        // Given a fix 90 minutes after the failure began
        Instant failedAt = TestEvidence.T0;
        EvidenceRecord fixed = EvidenceRecord.newBuilder(TestEvidence.transition("web-1", 2, EvidenceStatus.FAIL,
                EvidenceStatus.PASS, failedAt.plus(Duration.ofMinutes(90)))).setPreviousSince(failedAt).build();
        // When it becomes a history document (the record says when the failure began)
        JsonNode doc = MAPPER.readTree(((IndexAction.Create) documents.history(fixed, "kubeproof.evidence", 0, 0L)).json());
        // Then the failure's span is recorded
        assertThat(doc.at("/kubeproof/time_to_remediate_seconds").asLong()).isEqualTo(5400);
        assertThat(doc.at("/event/duration").asLong()).isEqualTo(Duration.ofMinutes(90).toNanos());
        assertThat(doc.at("/event/start").asText()).isEqualTo("2025-03-04T10:00:00.000Z");
        assertThat(doc.at("/event/end").asText()).isEqualTo("2025-03-04T11:30:00.000Z");
    }

    @Test
    void shouldIgnoreAFailureStartThatIsLaterThanTheRemediation() throws Exception {
        EvidenceRecord fixed = EvidenceRecord.newBuilder(TestEvidence.transition("web-1", 2, EvidenceStatus.FAIL,
                EvidenceStatus.PASS, TestEvidence.T0)).setPreviousSince(TestEvidence.T0.plusSeconds(1)).build();
        JsonNode doc = MAPPER.readTree(((IndexAction.Create) documents.history(fixed, "kubeproof.evidence", 0, 0L)).json());
        assertThat(doc.at("/kubeproof/time_to_remediate_seconds").isMissingNode()).isTrue();
    }

    @Test
    void shouldUpsertPostureVersionedBySequenceAndDeleteWhenClosedOrTombstoned() {
        // Given the current state, its closing, and a tombstone of the key
        EvidenceRecord state = TestEvidence.transition("web-1", 3, EvidenceStatus.PASS, EvidenceStatus.FAIL, TestEvidence.T0);
        EvidenceRecord closed = TestEvidence.transition("web-1", 4, EvidenceStatus.FAIL, EvidenceStatus.CLOSED, TestEvidence.T0);
        String key = TestEvidence.key(state);
        // Then each becomes the right write on the posture document of the key
        IndexAction upsert = documents.posture(key, state);
        assertThat(upsert).isInstanceOfSatisfying(IndexAction.Upsert.class, u -> {
            assertThat(u.index()).isEqualTo("kubeproof-posture");
            assertThat(u.id()).isEqualTo(key);
            assertThat(u.version()).isEqualTo(3);
            assertThat(new String(u.json())).contains("\"dataset\":\"kubeproof.posture\"");
        });
        assertThat(documents.posture(key, closed)).isEqualTo(new IndexAction.Delete("kubeproof-posture", key, 4L));
        assertThat(documents.posture(key, null)).isEqualTo(new IndexAction.Delete("kubeproof-posture", key, null));
        assertThatThrownBy(() -> documents.posture(null, null)).isInstanceOfSatisfying(DocumentException.class,
                e -> assertThat(e.errorType()).isEqualTo("MISSING_KEY"));
    }

    @Test
    void shouldHashKeysTooLongForAnElasticsearchId() {
        String longKey = "c".repeat(600);
        assertThat(DocumentIds.of(longKey)).startsWith("sha256:").hasSize(7 + 64);
        assertThat(DocumentIds.of("short")).isEqualTo("short");
    }
}
