package dev.kubeproof.sink.documents;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/** Violation documents come from the evidence record itself, formatted once, as the violations topic has it. */
class ViolationDocumentsTest {
    private final IndexNames names = IndexNames.of(ElasticsearchConfig.of(java.net.URI.create("http://es:9200")));
    private final EvidenceRecord failing = TestEvidence.failing("web-1");

    @Test
    void shouldIndexTheEcsViolationOfAFailureUnderItsEvidenceId() {
        // Given the ECS format, When a failing transition is turned into a document
        IndexAction action = new ViolationDocuments(names, ViolationFormats.named("ecs")).toAction(failing).orElseThrow();

        // Then it is byte for byte what the violations topic carries
        assertThat(action).isInstanceOfSatisfying(IndexAction.Create.class, create -> {
            assertThat(create.index()).isEqualTo("kubeproof-violations");
            assertThat(create.id()).isEqualTo(failing.getEvidenceId());
            assertThat(new String(create.json(), StandardCharsets.UTF_8))
                    .isEqualTo(ViolationFormats.named("ecs").format(failing));
        });
    }

    @Test
    void shouldIndexAnOcsfViolationWithATimestampInItsOwnDataStream() {
        IndexAction action = new ViolationDocuments(names, ViolationFormats.named("ocsf")).toAction(failing).orElseThrow();
        assertThat(action.index()).isEqualTo("kubeproof-violations-ocsf");
        assertThat(action.id()).isEqualTo(failing.getEvidenceId());
        assertThat(new String(((IndexAction.Create) action).json(), StandardCharsets.UTF_8))
                .contains("\"@timestamp\":\"2025-03-04T10:00:00.000Z\"").contains("\"class_uid\":2003");
    }

    @Test
    void shouldMakeNoViolationOfATransitionThatNeverFailed() {
        EvidenceRecord passing = TestEvidence.transition("web-2", 1, null, EvidenceStatus.PASS, TestEvidence.T0);
        assertThat(new ViolationDocuments(names, ViolationFormats.named("ecs")).toAction(passing)).isEmpty();
    }
}
