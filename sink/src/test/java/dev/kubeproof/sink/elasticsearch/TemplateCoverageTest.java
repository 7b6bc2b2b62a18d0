package dev.kubeproof.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ExceptionRef;
import dev.kubeproof.avro.Finding;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ControlInfo;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.documents.AuditDocuments;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.documents.IndexAction;

/**
 * Every field the sink writes is mapped explicitly: the strict templates would otherwise refuse the document
 * (and the IT would catch it only for the shapes it happens to send). Here the richest shapes are checked: a CVE
 * finding with an exception, catalog mappings and a remediation time; an audit event with every part.
 */
class TemplateCoverageTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ElasticsearchConfig config = ElasticsearchConfig.of(URI.create("http://es:9200"));
    private final TemplateFields templates = new TemplateFields(config);
    private final IndexNames names = IndexNames.of(config);

    private static EvidenceRecord richest() {
        EvidenceRecord record = TestEvidence.transition("web-1", 2, EvidenceStatus.FAIL, EvidenceStatus.PASS,
                TestEvidence.T0.plusSeconds(600));
        record.setDetails(List.of(Finding.newBuilder().setPath("vulnerabilities[CVE-2024-3094]").setContainer("app")
                .setValue("\"xz 5.6.0\"").setMessage("CVE-2024-3094 in xz").build()));
        record.setException(ExceptionRef.newBuilder().setExceptionId("EX-1").setApprovedBy("ciso")
                .setExpiresAt(TestEvidence.T0.plusSeconds(86400)).setReason("accepted until the vendor ships a fix")
                .setTicket("https://tickets.example/CHG-1").build());
        record.setCause(EvidenceCause.newBuilder().setChangeType("SCAN").setScanId("scan-1").setExceptionId("EX-1").setAttestationId("AT-1").setAuditId("a").setResourceVersion("9").build());
        record.setRemediation("upgrade xz");
        record.setPreviousSince(TestEvidence.T0);
        record.setActor("alice");
        record.setAttribution(dev.kubeproof.avro.Attribution.newBuilder()
                .setMethod(dev.kubeproof.avro.AttributionMethod.CONTROLLER).setUsername("alice").setUid("u-1")
                .setGroups(List.of("sre")).setImpersonatedUser("bob").setSourceIps(List.of("10.0.0.7", "10.0.0.1"))
                .setUserAgent("kubectl/v1.32.0").setAuditId("a").setAt(TestEvidence.T0)
                .setVia("Deployment shop/web via system:serviceaccount:kube-system:replicaset-controller").build());
        return record;
    }

    @Test
    void shouldMapEveryFieldOfEvidencePostureAndViolationDocuments() throws Exception {
        // Given the richest evidence document, with the catalog's additions and a remediation time
        ControlCatalog catalog = ControlCatalog.of(List.of(new ControlInfo("KP-POD-001", "pod-security", "desc",
                Map.of("cis", List.of("5.2.1")), List.of("https://example.com/kp-pod-001"))));
        EvidenceDocuments documents = new EvidenceDocuments(names, catalog);
        JsonNode history = MAPPER.readTree(((IndexAction.Create) documents.history(richest(), "kubeproof.evidence", 0, 0L)).json());
        JsonNode posture = MAPPER.readTree(((IndexAction.Upsert) documents.posture("k", richest())).json());
        JsonNode violation = MAPPER.readTree(ViolationFormats.named("ecs", catalog).format(richest()));
        // Then every leaf is mapped in its index's template
        assertThat(unmapped(history, names.evidence())).isEmpty();
        assertThat(unmapped(posture, names.posture())).isEmpty();
        assertThat(unmapped(violation, names.violations())).isEmpty();
        assertThat(history.at("/vulnerability/id")).isNotEmpty();
        assertThat(history.at("/kubeproof/time_to_remediate_seconds").isNumber()).isTrue();
        assertThat(violation.at("/source/ip").asText()).isEqualTo("10.0.0.7");
        assertThat(history.at("/kubeproof/attribution/via").asText()).startsWith("Deployment shop/web");
        assertThat(history.at("/kubeproof/kafka/offset").isNumber()).isTrue();
    }

    @Test
    void shouldMapEveryFieldOfASignedCheckpointDocument() throws Exception {
        // Given a signed checkpoint linked to an earlier one
        java.security.KeyPair keys = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        dev.kubeproof.avro.Checkpoint checkpoint = dev.kubeproof.contract.evidence.Checkpoints.of("kubeproof.evidence", 2,
                99, new dev.kubeproof.contract.evidence.MerkleTree().addHead("k", 1, "h"), TestEvidence.T0, "previous",
                keys.getPrivate());
        // When it becomes a document
        IndexAction.Create action = (IndexAction.Create) new EvidenceDocuments(names, ControlCatalog.empty())
                .checkpoint(checkpoint);
        JsonNode doc = MAPPER.readTree(action.json());
        // Then every leaf is mapped, and the document id is the checkpoint's id
        assertThat(unmapped(doc, names.checkpoints())).isEmpty();
        assertThat(action.id()).isEqualTo(checkpoint.getCheckpointId());
        assertThat(doc.at("/kubeproof/checkpoint/signature").asText()).isEqualTo(checkpoint.getSignature());
    }

    @Test
    void shouldMapEveryFieldOfAScannerFindingDocumentLinkedToItsControls() throws Exception {
        // Given Trivy's failing verdict of KSV017, which two kubeproof controls judge too
        IndexAction.Upsert action = (IndexAction.Upsert) new dev.kubeproof.sink.documents.ScannerFindingDocuments(names,
                check -> List.of("KP-POD-001", "KP-PSS-003"))
                .toAction("prod/Deployment/shop/web/KSV017", TestEvidence.trivyFinding("web", "KSV017", false, TestEvidence.T0));
        JsonNode doc = MAPPER.readTree(action.json());
        // Then every leaf is mapped, the document is versioned by the report's time, and linked to both controls
        assertThat(unmapped(doc, names.scannerFindings())).isEmpty();
        assertThat(action.version()).isEqualTo(TestEvidence.T0.toEpochMilli());
        assertThat(doc.at("/result/evaluation").asText()).isEqualTo("failed");
        assertThat(doc.at("/rule/id").asText()).isEqualTo("KSV017");
        assertThat(doc.at("/observer/product").asText()).isEqualTo("Trivy");
        assertThat(doc.at("/orchestrator/resource/type").asText()).isEqualTo("deployments");
        assertThat(doc.at("/kubeproof/control_ids").toString()).isEqualTo("[\"KP-POD-001\",\"KP-PSS-003\"]");
    }

    @Test
    void shouldMapEveryFieldOfAnAuditDocument() {
        var event = TestEvidence.audit("a-1", "create", "{\"spec\":{\"x\":{\"y\":[1,2]}}}");
        event.setResponseObject("{\"status\":{\"phase\":\"Pending\"}}");
        event.setImpersonatedUser(dev.kubeproof.avro.UserInfo.newBuilder().setUsername("bob").setUid("u2")
                .setGroups(List.of("g")).build());
        event.getResponseStatus().setStatus("Success");
        event.getResponseStatus().setReason("Created");
        event.getResponseStatus().setMessage("ok");
        event.setRedactions(List.of("requestObject"));
        JsonNode doc = new AuditDocuments(names).toJson(event);
        assertThat(unmapped(doc, names.audit())).isEmpty();
        JsonNode unparsed = new AuditDocuments(names).toJson(TestEvidence.audit("a-2", "patch", "\"text\""));
        assertThat(unmapped(unparsed, names.audit())).isEmpty();
    }

    @Test
    void shouldMapEveryFieldOfAnOcsfViolationThatItIndexes() throws Exception {
        // OCSF documents are mapped dynamic:false: unmapped attributes stay in _source; the mapped ones must exist
        Map<String, String> fields = templates.fields(names.ocsfViolations());
        assertThat(fields).containsKeys("@timestamp", "time", "class_uid", "compliance.control", "finding_info.uid",
                "metadata.uid", "resources.uid", "unmapped.kubeproof.status", "actor.user.name",
                "unmapped.kubeproof.attribution.username");
    }

    private List<String> unmapped(JsonNode doc, String index) {
        Map<String, String> fields = templates.fields(index);
        List<String> leaves = new ArrayList<>();
        leaves(doc, "", leaves);
        return leaves.stream().filter(field -> !TemplateFields.maps(fields, field)).toList();
    }

    private static void leaves(JsonNode node, String prefix, List<String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                leaves(field.getValue(), prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), out);
            }
        } else if (node.isArray()) {
            node.forEach(element -> leaves(element, prefix, out));
        } else {
            out.add(prefix);
        }
    }
}
