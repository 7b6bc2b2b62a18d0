package dev.kubeproof.siem;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.contract.build.KubeproofBuild;
import dev.kubeproof.controls.catalog.Framework;

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
    void shouldSuppressAnExemptedFindingAndKeepItOpenThroughAnError() {
        // When the failure is exempted, and when the evaluation errors after a failure
        JsonNode exempt = SchemaValidation.tree(formatter.format(SampleEvidence.exempted()));
        JsonNode error = SchemaValidation.tree(formatter.format(SampleEvidence.privilegedPodFails()
                .setStatus(EvidenceStatus.ERROR).setPreviousStatus(EvidenceStatus.FAIL).build()));
        // Then the exemption suppresses the finding; the error updates it and leaves it open (not resolved)
        assertThat(exempt.path("activity_id").asInt()).isEqualTo(3);
        assertThat(exempt.path("status_id").asInt()).isEqualTo(3);
        assertThat(exempt.path("status").asText()).isEqualTo("Suppressed");
        assertThat(exempt.at("/unmapped/kubeproof/exception/id").asText()).isEqualTo("EX-42");
        assertThat(error.path("activity_id").asInt()).isEqualTo(2);
        assertThat(error.path("status_id").asInt()).isEqualTo(1);
        assertThat(error.at("/compliance/status_id").asInt()).isEqualTo(99);
        assertThat(error.at("/compliance/status").asText()).isEqualTo("Error");
    }

    @Test
    void shouldCreateAFindingOnceWhenItFailsErrorsAndFailsAgain() {
        // Given FAIL, ERROR, FAIL, ERROR, PASS on one key, as the topology records them (each carrying when the
        // violation open before it began)
        Instant opened = SampleEvidence.SINCE;
        EvidenceRecord fail = SampleEvidence.privilegedPodFails().build();
        EvidenceRecord error = step(EvidenceStatus.ERROR, EvidenceStatus.FAIL, opened, 1);
        EvidenceRecord failAgain = step(EvidenceStatus.FAIL, EvidenceStatus.ERROR, opened, 2);
        EvidenceRecord errorAgain = step(EvidenceStatus.ERROR, EvidenceStatus.FAIL, opened, 3);
        EvidenceRecord pass = step(EvidenceStatus.PASS, EvidenceStatus.ERROR, opened, 4);
        // And PASS, ERROR, FAIL on a key that never failed before
        EvidenceRecord errorFirst = step(EvidenceStatus.ERROR, EvidenceStatus.PASS, null, 5);
        EvidenceRecord failAfterError = step(EvidenceStatus.FAIL, EvidenceStatus.ERROR, null, 6);

        // Then the finding is created once, updated while open and closed by the pass
        assertThat(Stream.of(fail, error, failAgain, errorAgain, pass)
                .map(r -> SchemaValidation.tree(formatter.format(r)).path("activity_name").asText()))
                .containsExactly("Create", "Update", "Update", "Update", "Close");
        assertThat(SchemaValidation.tree(formatter.format(pass)).path("status").asText()).isEqualTo("Resolved");
        assertThat(Stream.of(fail, error, failAgain, errorAgain, pass)
                .map(r -> SchemaValidation.tree(formatter.format(r)).at("/finding_info/created_time").asLong()))
                .as("one finding, created when the violation opened").containsOnly(opened.toEpochMilli());
        // And an error on a passing control opens nothing; the failure after it creates the finding
        assertThat(Transitions.isViolationTransition(errorFirst)).isFalse();
        assertThat(SchemaValidation.tree(formatter.format(failAfterError)).path("activity_name").asText()).isEqualTo("Create");
    }

    @Test
    void shouldNameTheProductVersionFromTheBuild() {
        // When any finding is formatted
        JsonNode doc = SchemaValidation.tree(formatter.format(SampleEvidence.privilegedPodFails().build()));
        // Then the product version is the build's (Maven's project version), never a placeholder
        assertThat(doc.at("/metadata/product/version").asText()).isEqualTo(KubeproofBuild.version())
                .matches("\\d+\\.\\d+\\.\\d+.*");
    }

    private static EvidenceRecord step(EvidenceStatus status, EvidenceStatus previous, Instant openViolationSince, int n) {
        return SampleEvidence.privilegedPodFails().setStatus(status).setPreviousStatus(previous)
                .setPreviousSince(SampleEvidence.SINCE.plusSeconds(n - 1L)).setSince(SampleEvidence.SINCE.plusSeconds(n))
                .setOpenViolationSince(openViolationSince).build();
    }

    @Test
    void shouldNameTheStandardsWithTheirVersionsAndTheAttackTechniquesFromTheCatalog() {
        // Given the catalog's framework mappings and the standards' editions
        ControlInfo entry = new ControlInfo("KP-POD-001", "pod-security", "Privileged containers can do anything.",
                java.util.Map.of("cis", List.of("5.2.2"), "nsa", List.of("pod-security"), "mitre", List.of("T1611", "T1562.008")),
                List.of("https://kubernetes.io/docs/concepts/security/pod-security-standards/"));
        OcsfComplianceFindingFormatter enriched = new OcsfComplianceFindingFormatter(ControlCatalog.of(List.of(entry), List.of(
                new Framework("cis", "CIS Kubernetes Benchmark", "1.9.0", "https://www.cisecurity.org/benchmark/kubernetes"),
                new Framework("nsa", "NSA/CISA Kubernetes Hardening Guidance", "1.2", "https://media.defense.gov/"),
                new Framework("mitre", "MITRE ATT&CK", "16.1", "https://attack.mitre.org/"))));
        // When formatted
        String json = enriched.format(SampleEvidence.privilegedPodFails().build());
        JsonNode doc = SchemaValidation.tree(json);
        // Then the standards carry their versions, and ATT&CK is under finding_info.attacks, not a standard
        assertThat(SchemaValidation.validate(SCHEMA, json)).isEmpty();
        assertThat(doc.at("/compliance/standards")).extracting(JsonNode::asText).containsExactly(
                "CIS Kubernetes Benchmark v1.9.0", "NSA/CISA Kubernetes Hardening Guidance v1.2");
        assertThat(doc.at("/compliance/requirements")).extracting(JsonNode::asText)
                .contains("CIS Kubernetes Benchmark v1.9.0 5.2.2");
        assertThat(doc.at("/finding_info/attacks/0/technique/uid").asText()).isEqualTo("T1611");
        assertThat(doc.at("/finding_info/attacks/0/version").asText()).isEqualTo("16.1");
        assertThat(doc.at("/finding_info/attacks/1/technique/uid").asText()).isEqualTo("T1562");
        assertThat(doc.at("/finding_info/attacks/1/sub_technique/uid").asText()).isEqualTo("T1562.008");
        assertThat(doc.at("/finding_info/attacks/1/sub_technique/src_url").asText())
                .isEqualTo("https://attack.mitre.org/techniques/T1562/008/");
        assertThat(doc.at("/finding_info/src_url").asText()).startsWith("https://kubernetes.io/");
    }

    @Test
    void shouldNameUnversionedStandardsByTheirNamesWithoutTheCatalogsEditions() {
        // Given a catalog of controls that names no editions
        OcsfComplianceFindingFormatter enriched =
                new OcsfComplianceFindingFormatter(ControlCatalog.of(List.of(SampleEvidence.catalogEntry())));
        // When formatted
        JsonNode doc = SchemaValidation.tree(enriched.format(SampleEvidence.privilegedPodFails().build()));
        // Then the standards are named, without a version
        assertThat(doc.at("/compliance/standards")).extracting(JsonNode::asText).containsExactly(
                "CIS Kubernetes Benchmark", "NSA/CISA Kubernetes Hardening Guidance", "Kubernetes Pod Security Standards");
        assertThat(doc.at("/finding_info").has("attacks")).isFalse();
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
