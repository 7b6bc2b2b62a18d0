package dev.kubeproof.siem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OcsfComplianceFindingFormatterTest {
    private static final JsonSchema SCHEMA = SchemaValidation.load("ocsf-compliance-finding.schema.json");
    private final OcsfComplianceFindingFormatter formatter = new OcsfComplianceFindingFormatter();

    static Stream<EvidenceRecord> transitions() {
        return EcsViolationFormatterTest.transitions();
    }

    @ParameterizedTest
    @MethodSource("transitions")
    void shouldProduceDocumentsThatValidateAgainstTheOcsfSchema(EvidenceRecord transition) {
        // When any kind of transition is formatted
        String json = formatter.format(transition);
        // Then the document satisfies the published schema
        assertThat(SchemaValidation.validate(SCHEMA, json)).as(json).isEmpty();
    }

    @Test
    void shouldCreateAComplianceFindingWhenAControlStartsFailing() {
        // When a privileged container starts failing
        EvidenceRecord failure = SampleEvidence.privilegedPodFails().build();
        JsonNode doc = SchemaValidation.tree(formatter.format(failure));

        // Then it is a class 2003 Create, high severity, new, failing the control
        assertThat(doc.path("class_uid").asInt()).isEqualTo(2003);
        assertThat(doc.path("category_uid").asInt()).isEqualTo(2);
        assertThat(doc.path("activity_id").asInt()).isEqualTo(1);
        assertThat(doc.path("type_uid").asLong()).isEqualTo(200301);
        assertThat(doc.path("time").asLong()).isEqualTo(SampleEvidence.SINCE.toEpochMilli());
        assertThat(doc.path("severity_id").asInt()).isEqualTo(4);
        assertThat(doc.path("severity").asText()).isEqualTo("High");
        assertThat(doc.path("status").asText()).isEqualTo("New");
        assertThat(doc.at("/metadata/uid").asText()).isEqualTo(failure.getEvidenceId());
        assertThat(doc.at("/metadata/product/name").asText()).isEqualTo("kubeproof");
        assertThat(doc.at("/finding_info/uid").asText()).isEqualTo("prod-eu-1/KP-POD-001/2b7e1f0c-51c4-4b1e-9a7d-0c1f2e3d4a5b");
        assertThat(doc.at("/finding_info/title").asText()).isEqualTo("Containers must not run privileged");
        assertThat(doc.at("/compliance/control").asText()).isEqualTo("KP-POD-001");
        assertThat(doc.at("/compliance/status_id").asInt()).isEqualTo(3);
        assertThat(doc.at("/compliance/status").asText()).isEqualTo("Fail");
        assertThat(doc.at("/resources/0/uid").asText()).isEqualTo("2b7e1f0c-51c4-4b1e-9a7d-0c1f2e3d4a5b");
        assertThat(doc.at("/resources/0/type").asText()).isEqualTo("Pod");
        assertThat(doc.at("/resources/0/labels/0").asText()).isEqualTo("team=payments");
        assertThat(doc.at("/resources/0/data/namespace").asText()).isEqualTo("payments");
        assertThat(doc.at("/remediation/desc").asText()).startsWith("Set securityContext.privileged");
        assertThat(doc.at("/observables/1/type_id").asInt()).isEqualTo(4);
        assertThat(doc.at("/observables/1/value").asText()).isEqualTo("alice@example.com");
        assertThat(doc.at("/unmapped/kubeproof/chain/hash").asText()).isEqualTo(failure.getChain().getHash());
        assertThat(doc.at("/unmapped/kubeproof/since").asLong()).isEqualTo(SampleEvidence.SINCE.toEpochMilli());
    }

    @Test
    void shouldNameTheActorAndTheClientIpFromTheAttribution() throws Exception {
        // When a runtime detection with its attribution is formatted
        JsonNode doc = SchemaValidation.MAPPER.readTree(formatter.format(SampleEvidence.execDetected()));

        // Then OCSF's actor (host profile) names the user, and an observable the client IP
        assertThat(doc.at("/actor/user/name").asText()).isEqualTo("alice@example.com");
        assertThat(doc.at("/actor/user/uid").asText()).isEqualTo("u-123");
        assertThat(doc.at("/actor/user/groups/0/name").asText()).isEqualTo("sre");
        assertThat(doc.at("/metadata/profiles/0").asText()).isEqualTo("host");
        assertThat(doc.get("observables").findValuesAsText("value")).contains("203.0.113.9");
    }

    @Test
    void shouldCloseTheSameFindingWhenTheFailureIsFixedOrTheResourceDeleted() {
        // Given the failure, its fix and the resource's deletion
        JsonNode failed = SchemaValidation.tree(formatter.format(SampleEvidence.privilegedPodFails().build()));
        JsonNode fixed = SchemaValidation.tree(formatter.format(SampleEvidence.remediated()));
        JsonNode deleted = SchemaValidation.tree(formatter.format(SampleEvidence.deleted()));
        // Then the fix and the deletion close the finding the failure created
        assertThat(fixed.path("activity_id").asInt()).isEqualTo(3);
        assertThat(fixed.path("type_uid").asLong()).isEqualTo(200303);
        assertThat(fixed.path("status").asText()).isEqualTo("Resolved");
        assertThat(fixed.at("/compliance/status").asText()).isEqualTo("Pass");
        assertThat(deleted.path("activity_id").asInt()).isEqualTo(3);
        assertThat(deleted.at("/compliance/status_id").asInt()).isEqualTo(99);
        assertThat(deleted.at("/compliance/status").asText()).isEqualTo("Closed");
        assertThat(fixed.at("/finding_info/uid")).isEqualTo(failed.at("/finding_info/uid"));
        assertThat(deleted.at("/finding_info/uid")).isEqualTo(failed.at("/finding_info/uid"));
        assertThat(fixed.at("/metadata/uid")).isNotEqualTo(failed.at("/metadata/uid").asText() + "x");
    }

    @Test
    void shouldSuppressAnExemptedFindingAndUpdateOnError() {
        // When the failure is exempted, and when the evaluation errors after a failure
        JsonNode exempt = SchemaValidation.tree(formatter.format(SampleEvidence.exempted()));
        JsonNode error = SchemaValidation.tree(formatter.format(SampleEvidence.privilegedPodFails()
                .setStatus(EvidenceStatus.ERROR).setPreviousStatus(EvidenceStatus.FAIL).build()));
        // Then the exemption suppresses the finding and the error only updates it
        assertThat(exempt.path("status_id").asInt()).isEqualTo(3);
        assertThat(exempt.path("status").asText()).isEqualTo("Suppressed");
        assertThat(exempt.at("/unmapped/kubeproof/exception/id").asText()).isEqualTo("EX-42");
        assertThat(error.path("activity_id").asInt()).isEqualTo(2);
        assertThat(error.path("status_id").asInt()).isEqualTo(99);
        assertThat(error.path("status").asText()).isEqualTo("Error");
    }

    @Test
    void shouldNameTheStandardsAndRequirementsFromTheCatalog() {
        // Given the catalog's framework mappings
        OcsfComplianceFindingFormatter enriched =
                new OcsfComplianceFindingFormatter(ControlCatalog.of(List.of(SampleEvidence.catalogEntry())));
        // When formatted
        String json = enriched.format(SampleEvidence.privilegedPodFails().build());
        JsonNode doc = SchemaValidation.tree(json);
        // Then the standards and requirements are those of the control
        assertThat(SchemaValidation.validate(SCHEMA, json)).isEmpty();
        assertThat(doc.at("/compliance/standards")).extracting(JsonNode::asText).containsExactly(
                "CIS Kubernetes Benchmark", "NSA/CISA Kubernetes Hardening Guidance", "Kubernetes Pod Security Standards");
        assertThat(doc.at("/compliance/requirements")).extracting(JsonNode::asText)
                .contains("CIS Kubernetes Benchmark 5.2.1", "Kubernetes Pod Security Standards baseline");
        assertThat(doc.at("/finding_info/src_url").asText()).startsWith("https://kubernetes.io/");
    }

    @Test
    void shouldFallBackToTheKubeproofStandardWithoutACatalogAndMapInfoToInformational() {
        // When an INFO control without catalog is formatted
        JsonNode doc = SchemaValidation.tree(formatter.format(SampleEvidence.firstEvaluationClusterScoped()));
        // Then the required standards are still present and the severity has OCSF's caption
        assertThat(doc.at("/compliance/standards/0").asText()).isEqualTo("kubeproof controls");
        assertThat(doc.path("severity_id").asInt()).isEqualTo(1);
        assertThat(doc.path("severity").asText()).isEqualTo("Informational");
        assertThat(doc.has("remediation")).isFalse();
        assertThat(doc.at("/observables")).hasSize(1);
    }

    @Test
    void shouldRejectADocumentWithoutTheRequiredComplianceObject() {
        // Given a valid document without compliance
        com.fasterxml.jackson.databind.node.ObjectNode doc = formatter.toJson(SampleEvidence.privilegedPodFails().build());
        doc.remove("compliance");
        // Then the schema rejects it
        assertThat(SCHEMA.validate(doc)).isNotEmpty();
    }
}
