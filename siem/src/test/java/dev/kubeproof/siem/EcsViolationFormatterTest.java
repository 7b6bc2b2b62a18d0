package dev.kubeproof.siem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;

import dev.kubeproof.avro.EvidenceRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EcsViolationFormatterTest {
    private static final JsonSchema SCHEMA = SchemaValidation.load("ecs-violation.schema.json");
    private final EcsViolationFormatter formatter = new EcsViolationFormatter();

    static Stream<EvidenceRecord> transitions() {
        return Stream.of(SampleEvidence.privilegedPodFails().build(), SampleEvidence.remediated(), SampleEvidence.deleted(),
                SampleEvidence.exempted(), SampleEvidence.firstEvaluationClusterScoped(), SampleEvidence.vulnerableImage(),
                SampleEvidence.execDetected());
    }

    @ParameterizedTest
    @MethodSource("transitions")
    void shouldProduceDocumentsThatValidateAgainstTheEcsSchema(EvidenceRecord transition) {
        // When any kind of transition is formatted
        String json = formatter.format(transition);
        // Then the document satisfies the published schema
        assertThat(SchemaValidation.validate(SCHEMA, json)).as(json).isEmpty();
    }

    @Test
    void shouldDescribeAFailureAsAConfigurationAlertWithRuleResourceOrchestratorAndActor() {
        // Given a privileged container that starts failing after alice's change
        EvidenceRecord failure = SampleEvidence.privilegedPodFails().build();

        // When formatted
        JsonNode doc = SchemaValidation.tree(formatter.format(failure));

        // Then ECS fields say what, which rule, where and who
        assertThat(doc.path("@timestamp").asText()).isEqualTo("2025-03-04T10:15:30.250Z");
        assertThat(doc.at("/event/kind").asText()).isEqualTo("alert");
        assertThat(doc.at("/event/category/0").asText()).isEqualTo("configuration");
        assertThat(doc.at("/event/type/0").asText()).isEqualTo("change");
        assertThat(doc.at("/event/action").asText()).isEqualTo("control-failed");
        assertThat(doc.at("/event/severity").asInt()).isEqualTo(73);
        assertThat(doc.at("/event/id").asText()).isEqualTo(failure.getEvidenceId());
        assertThat(doc.at("/event/created").asText()).isEqualTo("2025-03-04T10:15:31.007Z");
        assertThat(doc.at("/rule/id").asText()).isEqualTo("KP-POD-001");
        assertThat(doc.at("/rule/name").asText()).isEqualTo("Containers must not run privileged");
        assertThat(doc.at("/rule/ruleset").asText()).isEqualTo("kubeproof");
        assertThat(doc.at("/rule/reference").asText()).isEqualTo("https://kubeproof.dev/controls/KP-POD-001");
        assertThat(doc.at("/resource/id").asText()).isEqualTo("2b7e1f0c-51c4-4b1e-9a7d-0c1f2e3d4a5b");
        assertThat(doc.at("/resource/type").asText()).isEqualTo("k8s_object");
        assertThat(doc.at("/resource/sub_type").asText()).isEqualTo("Pod");
        assertThat(doc.at("/orchestrator/type").asText()).isEqualTo("kubernetes");
        assertThat(doc.at("/orchestrator/cluster/id").asText()).isEqualTo("prod-eu-1");
        assertThat(doc.at("/orchestrator/namespace").asText()).isEqualTo("payments");
        assertThat(doc.at("/orchestrator/resource/name").asText()).isEqualTo("checkout-7d9f");
        assertThat(doc.at("/orchestrator/resource/type").asText()).as("the API resource, as in audit events").isEqualTo("pods");
        assertThat(doc.at("/user/name").asText()).isEqualTo("alice@example.com");
        assertThat(doc.has("vulnerability")).isFalse();
        // And the evidence itself travels in kubeproof.*
        assertThat(doc.at("/kubeproof/status").asText()).isEqualTo("FAIL");
        assertThat(doc.at("/kubeproof/previous_status").asText()).isEqualTo("PASS");
        assertThat(doc.at("/kubeproof/key").asText()).isEqualTo("prod-eu-1/KP-POD-001/2b7e1f0c-51c4-4b1e-9a7d-0c1f2e3d4a5b");
        assertThat(doc.at("/kubeproof/details/0/path").asText()).isEqualTo("spec.containers[0].securityContext.privileged");
        assertThat(doc.at("/kubeproof/details/0/container").asText()).isEqualTo("nginx");
        assertThat(doc.at("/kubeproof/cause/audit_id").asText()).isEqualTo("6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a09");
        assertThat(doc.at("/kubeproof/chain/sequence").asLong()).isEqualTo(2);
        assertThat(doc.at("/kubeproof/resource/owner_labels/team").asText()).isEqualTo("payments");
    }

    @Test
    void shouldFillUserSourceAndUserAgentFromTheAttribution() throws Exception {
        // When a runtime detection with its attribution is formatted
        JsonNode doc = SchemaValidation.MAPPER.readTree(formatter.format(SampleEvidence.execDetected()));

        // Then ECS names the user, whom they acted as, where they came from and with what
        assertThat(doc.at("/user/name").asText()).isEqualTo("alice@example.com");
        assertThat(doc.at("/user/id").asText()).isEqualTo("u-123");
        assertThat(doc.at("/user/effective/name").asText()).isEqualTo("bob@example.com");
        assertThat(doc.at("/source/ip").asText()).isEqualTo("203.0.113.9");
        assertThat(doc.at("/user_agent/original").asText()).isEqualTo("kubectl/v1.32.0");
        assertThat(doc.at("/kubeproof/attribution/groups").toString()).isEqualTo("[\"sre\",\"system:authenticated\"]");
    }

    @Test
    void shouldDescribeRemediationAndDeletionAsStateChanges() {
        // When a failure is fixed, and when the failing resource is deleted
        JsonNode fixed = SchemaValidation.tree(formatter.format(SampleEvidence.remediated()));
        JsonNode deleted = SchemaValidation.tree(formatter.format(SampleEvidence.deleted()));
        // Then both are state events, the deletion typed as such
        assertThat(fixed.at("/event/kind").asText()).isEqualTo("state");
        assertThat(fixed.at("/event/type/0").asText()).isEqualTo("change");
        assertThat(fixed.at("/event/action").asText()).isEqualTo("control-passed");
        assertThat(fixed.has("user")).isFalse();
        assertThat(deleted.at("/event/type/0").asText()).isEqualTo("deletion");
        assertThat(deleted.at("/event/action").asText()).isEqualTo("evidence-closed");
    }

    @Test
    void shouldCarryTheExceptionOfAnExemptTransition() {
        // When an approved exception exempts the failure
        JsonNode doc = SchemaValidation.tree(formatter.format(SampleEvidence.exempted()));
        // Then the exception is named, with who approved it and until when
        assertThat(doc.at("/event/action").asText()).isEqualTo("control-exempted");
        assertThat(doc.at("/kubeproof/exception/id").asText()).isEqualTo("EX-42");
        assertThat(doc.at("/kubeproof/exception/approved_by").asText()).isEqualTo("ciso@example.com");
        assertThat(doc.at("/kubeproof/exception/expires_at").asText()).isEqualTo("2025-06-30T00:00:00.000Z");
    }

    @Test
    void shouldFillVulnerabilityFieldsWhenTheFindingNamesCves() {
        // When an image-scan control fails on CVEs
        JsonNode doc = SchemaValidation.tree(formatter.format(SampleEvidence.vulnerableImage()));
        // Then vulnerability.* names each CVE once, in order, with the scan as the report
        assertThat(doc.at("/vulnerability/id")).extracting(JsonNode::asText)
                .containsExactly("CVE-2024-3094", "CVE-2023-4863");
        assertThat(doc.at("/vulnerability/enumeration").asText()).isEqualTo("CVE");
        assertThat(doc.at("/vulnerability/report_id").asText()).isEqualTo("scan-77");
        assertThat(doc.at("/vulnerability/severity").asText()).isEqualTo("Critical");
        assertThat(doc.at("/event/severity").asInt()).isEqualTo(99);
        assertThat(doc.at("/kubeproof/cve_ids")).hasSize(2);
    }

    @Test
    void shouldOmitAbsentValuesAndUseTheControlIdWhenTheTitleIsMissing() {
        // When the first evaluation of a cluster-scoped object, without title, actor or namespace, is formatted
        JsonNode doc = SchemaValidation.tree(formatter.format(SampleEvidence.firstEvaluationClusterScoped()));
        // Then nothing absent is written as null and the rule is still named
        assertThat(doc.at("/event/type/0").asText()).isEqualTo("creation");
        assertThat(doc.at("/rule/name").asText()).isEqualTo("KP-POD-001");
        assertThat(doc.at("/orchestrator").has("namespace")).isFalse();
        assertThat(doc.at("/kubeproof").has("previous_status")).isFalse();
        assertThat(doc.at("/kubeproof").has("cause")).isFalse();
        assertThat(doc.toString()).doesNotContain("null");
    }

    @Test
    void shouldAddCategoryFrameworksAndReferenceFromTheCatalog() {
        // Given a catalog that maps KP-POD-001 to CIS, NSA and PSS
        EcsViolationFormatter enriched = new EcsViolationFormatter(ControlCatalog.of(List.of(SampleEvidence.catalogEntry())),
                "kubeproof.evidence", EcsViolationFormatter.DEFAULT_RULE_REFERENCE_BASE);
        // When formatted
        String json = enriched.format(SampleEvidence.privilegedPodFails().build());
        JsonNode doc = SchemaValidation.tree(json);
        // Then the catalog's knowledge is there, still valid
        assertThat(SchemaValidation.validate(SCHEMA, json)).isEmpty();
        assertThat(doc.at("/event/dataset").asText()).isEqualTo("kubeproof.evidence");
        assertThat(doc.at("/rule/category").asText()).isEqualTo("pod-security");
        assertThat(doc.at("/rule/reference").asText())
                .isEqualTo("https://kubernetes.io/docs/concepts/security/pod-security-standards/");
        assertThat(doc.at("/kubeproof/compliance/standards")).extracting(JsonNode::asText).containsExactly("cis", "nsa", "pss");
        assertThat(doc.at("/kubeproof/compliance/requirements")).extracting(JsonNode::asText)
                .containsExactly("cis:5.2.1", "nsa:pod-security", "pss:baseline");
    }

    @Test
    void shouldRejectADocumentThatBreaksTheSchema() {
        // Given a valid document with its rule removed
        com.fasterxml.jackson.databind.node.ObjectNode doc = formatter.toJson(SampleEvidence.privilegedPodFails().build());
        doc.remove("rule");
        // Then the schema catches it (the schema is not a rubber stamp)
        assertThat(SCHEMA.validate(doc)).isNotEmpty();
    }
}
