package dev.kubeproof.sink.documents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditResponseStatus;
import dev.kubeproof.avro.UserInfo;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;

import org.junit.jupiter.api.Test;

class AuditDocumentsTest {
    private final AuditDocuments documents =
            new AuditDocuments(IndexNames.of(ElasticsearchConfig.of(java.net.URI.create("http://es:9200"))));

    @Test
    void shouldUseTheFieldNamesOfElasticsKubernetesIntegration() {
        // Given the creation of a privileged pod by alice
        AuditEvent event = TestEvidence.audit("a-1", "create",
                "{\"kind\":\"Pod\",\"spec\":{\"hostNetwork\":true,\"containers\":[{\"name\":\"x\",\"securityContext\":{\"privileged\":true}}]}}");
        // When it becomes a document
        JsonNode doc = documents.toJson(event);
        // Then ECS and kubernetes.audit.* fields are where Elastic's detection rules look
        assertThat(doc.path("@timestamp").asText()).isEqualTo("2025-03-04T10:00:00.123Z");
        assertThat(doc.at("/event/action").asText()).isEqualTo("create");
        assertThat(doc.at("/event/outcome").asText()).isEqualTo("success");
        assertThat(doc.at("/event/type/0").asText()).isEqualTo("creation");
        assertThat(doc.at("/event/dataset").asText()).isEqualTo("kubernetes.audit_logs");
        assertThat(doc.at("/data_stream/namespace").asText()).isEqualTo("kubeproof");
        assertThat(doc.at("/user/name").asText()).isEqualTo("alice");
        assertThat(doc.at("/user/group/name/1").asText()).isEqualTo("devs");
        assertThat(doc.at("/source/ip").asText()).isEqualTo("10.1.2.3");
        assertThat(doc.at("/related/ip")).hasSize(2);
        assertThat(doc.at("/user_agent/original").asText()).isEqualTo("kubectl/v1.31.0");
        assertThat(doc.at("/orchestrator/type").asText()).isEqualTo("kubernetes");
        assertThat(doc.at("/orchestrator/cluster/name").asText()).isEqualTo("c1");
        assertThat(doc.at("/orchestrator/namespace").asText()).isEqualTo("payments");
        assertThat(doc.at("/orchestrator/resource/type").asText()).isEqualTo("pods");
        assertThat(doc.at("/orchestrator/resource/name").asText()).isEqualTo("web-1");
        assertThat(doc.at("/kubernetes/audit/auditID").asText()).isEqualTo("a-1");
        assertThat(doc.at("/kubernetes/audit/verb").asText()).isEqualTo("create");
        assertThat(doc.at("/kubernetes/audit/objectRef/resource").asText()).isEqualTo("pods");
        assertThat(doc.at("/kubernetes/audit/user/username").asText()).isEqualTo("alice");
        assertThat(doc.at("/kubernetes/audit/user/extra").has("authentication.kubernetes.io/pod-name")).isTrue();
        assertThat(doc.at("/kubernetes/audit/sourceIPs/0").asText()).isEqualTo("10.1.2.3");
        assertThat(doc.at("/kubernetes/audit/responseStatus/code").asInt()).isEqualTo(201);
        assertThat(doc.at("/kubernetes/audit/requestObject/spec/containers/0/securityContext/privileged").asBoolean()).isTrue();
        assertThat(doc.at("/kubernetes/audit/requestReceivedTimestamp").asText()).isEqualTo("2025-03-04T10:00:00.123456Z");
        // annotation keys with dots replaced, as the integration's pipeline does
        assertThat(doc.at("/kubernetes/audit/annotations").path("authorization_k8s_io/decision").asText()).isEqualTo("allow");
        assertThat(documents.toAction(event).id()).startsWith("a-1/ResponseComplete/2025-03-04T10:00:")
                .endsWith("/create/pods/payments/web-1/");
    }

    @Test
    void shouldGiveDistinctEventsSharingAnAuditIdDistinctIdsAndARedeliveryTheSameOne() {
        // Given two events with one auditID and stage but another verb and object (as real logs have them)
        var first = TestEvidence.audit("shared", "create", "{}");
        var second = TestEvidence.audit("shared", "delete", "{}");
        second.getObjectRef().setName("web-2");
        var redelivery = TestEvidence.audit("shared", "create", "{}");

        // Then they never overwrite each other, and a byte-identical re-delivery lands on the same document
        assertThat(documents.toAction(first).id()).isNotEqualTo(documents.toAction(second).id());
        assertThat(documents.toAction(redelivery).id()).isEqualTo(documents.toAction(first).id());
    }

    @Test
    void shouldKeepABodyThatIsNoObjectAsUnindexedText() {
        JsonNode doc = documents.toJson(TestEvidence.audit("a-2", "patch", "\"just a string\""));
        assertThat(doc.at("/kubernetes/audit").has("requestObject")).isFalse();
        assertThat(doc.at("/kubeproof/audit/unparsed").asText()).isEqualTo("\"just a string\"");
        JsonNode patch = documents.toJson(TestEvidence.audit("a-3", "patch", "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1}]"));
        assertThat(patch.at("/kubernetes/audit/requestObject/0/op").asText()).isEqualTo("add");
    }

    @Test
    void shouldDescribeFailuresImpersonationAndReads() {
        AuditEvent denied = TestEvidence.audit("a-4", "get", null);
        denied.setResponseStatus(AuditResponseStatus.newBuilder().setCode(403).setReason("Forbidden").build());
        denied.setImpersonatedUser(UserInfo.newBuilder().setUsername("system:serviceaccount:kube-system:admin").build());
        JsonNode doc = documents.toJson(denied);
        assertThat(doc.at("/event/outcome").asText()).isEqualTo("failure");
        assertThat(doc.at("/event/type/0").asText()).isEqualTo("access");
        assertThat(doc.at("/user/effective/name").asText()).isEqualTo("system:serviceaccount:kube-system:admin");
        assertThat(doc.at("/kubernetes/audit/impersonatedUser/username").asText()).isEqualTo("system:serviceaccount:kube-system:admin");
        assertThat(doc.at("/related/user")).hasSize(2);
        denied.setResponseStatus(null);
        assertThat(documents.toJson(denied).at("/event/outcome").asText()).isEqualTo("unknown");
    }
}
