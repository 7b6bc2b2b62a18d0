package dev.kubeproof.controls.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Status;
import dev.kubeproof.controls.catalog.CatalogException;

class LiveControlsTest {
    private static final String DIRECTORY_CONTROL = """
            id: ACME-DIR-001
            title: Deployments have replicas set
            severity: low
            appliesTo: [Deployment]
            remediation: Set spec.replicas.
            validations: [{expression: "has(object.spec.replicas)"}]
            """;
    private static final String PUBLISHED = """
            {"id": "ACME-LBL-001", "title": "Deployments name a team", "severity": "medium", "appliesTo": ["Deployment"],
             "remediation": "Add the label team.",
             "validations": [{"expression": "has(object.metadata.labels) && 'team' in object.metadata.labels"}]}
            """;
    private static final LiveControls.Revision BY_ALICE = new LiveControls.Revision("d1", "alice",
            Instant.parse("2026-11-30T09:00:00Z"));
    private static final JsonNode DEPLOYMENT = json("""
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
             "spec": {"replicas": 2}}""");

    @Test
    void shouldJudgeByAPublishedControlFromTheNextEvaluationAndChangeIdentityWithIt() {
        // Given live controls with a directory's control
        LiveControls live = new LiveControls(ControlSettings.defaults(), CelControlFiles.parse(DIRECTORY_CONTROL, "dir.yaml"));
        List<ControlDefinition> before = live.controls();
        assertThat(status(live, "ACME-DIR-001")).isEqualTo(Status.PASS);
        assertThat(status(live, "ACME-LBL-001")).isNull();

        // When a control is published
        live.publish("ACME-LBL-001", PUBLISHED, "topic", BY_ALICE);

        // Then it judges, beside the built-in and directory controls, and the controls list is a new one
        assertThat(status(live, "ACME-LBL-001")).isEqualTo(Status.FAIL);
        assertThat(status(live, "ACME-DIR-001")).isEqualTo(Status.PASS);
        assertThat(live.controls()).isNotSameAs(before)
                .hasSize(ControlEngine.withDefaults().controls().size() + 2);
        assertThat(live.revisions()).containsEntry("ACME-LBL-001", BY_ALICE);
        assertThat(live.publishedIds()).containsExactly("ACME-LBL-001");

        // When it is withdrawn
        assertThat(live.withdraw("ACME-LBL-001")).isTrue();

        // Then it no longer judges, and withdrawing it again says there was nothing to withdraw
        assertThat(status(live, "ACME-LBL-001")).isNull();
        assertThat(live.revisions()).isEmpty();
        assertThat(live.withdraw("ACME-LBL-001")).isFalse();
    }

    @Test
    void shouldRefuseADocumentThatCannotBeUsedAndKeepTheControlsInForce() {
        // Given a published control in force
        LiveControls live = new LiveControls(ControlSettings.defaults(), CelControlFiles.parse(DIRECTORY_CONTROL, "dir.yaml"));
        live.publish("ACME-LBL-001", PUBLISHED, "topic", BY_ALICE);
        List<ControlDefinition> inForce = live.controls();
        LiveControls.Revision byMallory = new LiveControls.Revision("d2", "mallory", Instant.now());

        // When a version that does not compile, one under another key, and one reusing a directory id are published
        // Then each is refused, naming the problem, and nothing changes
        assertThatThrownBy(() -> live.publish("ACME-LBL-001", PUBLISHED.replace("&&", "&&&"), "topic key ACME-LBL-001",
                byMallory)).isInstanceOf(CatalogException.class).hasMessageContaining("topic key ACME-LBL-001");
        assertThatThrownBy(() -> live.publish("ACME-OTHER-001", PUBLISHED, "topic", byMallory))
                .hasMessageContaining("must be one document declaring ACME-OTHER-001");
        assertThatThrownBy(() -> live.publish("ACME-DIR-001", PUBLISHED.replace("ACME-LBL-001", "ACME-DIR-001"),
                "topic", byMallory)).hasMessageContaining("ACME-DIR-001");
        assertThat(live.controls()).isSameAs(inForce);
        assertThat(live.revisions()).containsExactly(java.util.Map.entry("ACME-LBL-001", BY_ALICE));
    }

    private static Status status(LiveControls live, String id) {
        return live.evaluate(DEPLOYMENT, ClusterView.empty()).stream().filter(r -> r.control().id().equals(id))
                .map(r -> r.status()).findFirst().orElse(null);
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
