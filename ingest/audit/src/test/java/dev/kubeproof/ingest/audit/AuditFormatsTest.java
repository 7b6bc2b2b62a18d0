package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditStage;
import dev.kubeproof.runtime.InvalidInputException;

/** Real managed-cloud audit records (../shared/fixtures/k8s-audit/managed) normalised to the native event. */
class AuditFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AuditFormats formats = new AuditFormats(JSON);
    private final AuditEventParser parser = new AuditEventParser("c1", new AuditRedactor(RedactionConfig.none(), JSON), JSON);

    private List<AuditEvent> read(JsonNode input) {
        return formats.unwrap(input).stream().map(item -> parser.parse(item.event(), "test", item.format()).event()).toList();
    }

    private static JsonNode managed(String file) throws IOException {
        Path path = AuditFixtures.managed(file);
        // Two AKS samples start with a UTF-8 byte order mark; Jackson's byte input skips it
        return JSON.readTree(Files.readAllBytes(path));
    }

    @Test
    void shouldReadEveryEventOfAnEventHubsBatchOfAksRecords() throws IOException {
        List<AuditEvent> events = read(managed("aks/eventhub-records-kube-audit.json"));

        assertThat(events).hasSize(22).allSatisfy(e -> assertThat(e.getFormat()).isEqualTo("aks"));
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getVerb()).isEqualTo("create");
            assertThat(e.getObjectRef().getName()).isEqualTo("coredns-custom");
            assertThat(e.getResponseStatus().getCode()).isEqualTo(409);
            assertThat(e.getUser().getUsername()).isEqualTo("aksService");
        });
    }

    @Test
    void shouldReadASingleAksRecordAndANativeEventBothWithAByteOrderMark() throws IOException {
        AuditEvent record = read(managed("aks/kube-audit-record-bom.json")).get(0);
        assertThat(record.getFormat()).isEqualTo("aks");
        assertThat(record.getUser().getUsername()).isEqualTo("system:serviceaccount:kube-system:generic-garbage-collector");

        AuditEvent nativeEvent = read(managed("aks/kube-audit-native-event-bom.json")).get(0);
        assertThat(nativeEvent.getFormat()).isEqualTo("k8s-audit");
        assertThat(nativeEvent.getVerb()).isEqualTo("update");
        assertThat(nativeEvent.getObjectRef().getResource()).isEqualTo("controllerrevisions");
    }

    @Test
    void shouldTranslateGkeAuditLogEntries() throws IOException {
        AuditEvent exec = read(managed("gke/sysdig-bridge-exec-pod.json")).get(0);
        assertThat(exec.getFormat()).isEqualTo("gke");
        assertThat(exec.getVerb()).isEqualTo("create");
        assertThat(exec.getStage()).as("an exec stream that started").isEqualTo(AuditStage.ResponseStarted);
        assertThat(exec.getObjectRef().getResource()).isEqualTo("pods");
        assertThat(exec.getObjectRef().getSubresource()).isEqualTo("exec");
        assertThat(exec.getObjectRef().getNamespace()).isEqualTo("default");
        assertThat(exec.getObjectRef().getName()).isEqualTo("hostnetwork-deployment-5dc5447c47-6ssdf");
        assertThat(exec.getUser().getUsername()).isEqualTo("mark.stemm@sysdig.com");
        assertThat(exec.getSourceIps()).containsExactly("146.74.94.74");
        assertThat(exec.getAuditId()).isEqualTo("fc7b6727-7e61-4fc8-9a10-1287b3180d47");
        assertThat(exec.getAnnotations()).containsEntry("authorization.k8s.io/decision", "allow");

        AuditEvent create = read(managed("gke/sysdig-bridge-create-pod.json")).get(0);
        assertThat(create.getVerb()).isEqualTo("create");
        assertThat(create.getStage()).isEqualTo(AuditStage.ResponseComplete);
        assertThat(create.getRequestObject()).contains("\"kind\":\"Pod\"").doesNotContain("@type");
        assertThat(create.getRequestUri()).isEqualTo("/api/v1/namespaces/default/pods");

        AuditEvent notFound = read(managed("gke/sysdig-bridge-delete-service-404.json")).get(0);
        assertThat(notFound.getVerb()).isEqualTo("delete");
        assertThat(notFound.getResponseStatus().getCode()).isEqualTo(404);
    }

    @Test
    void shouldTranslateACloudLoggingLogEntryWithItsProtoPayload() throws IOException {
        // Given the exec entry as Cloud Logging exports it: protoPayload with its @type, entry fields in camelCase
        JsonNode dump = managed("gke/sysdig-bridge-exec-pod.json");
        ObjectNode payload = (ObjectNode) JSON.readTree(dump.get("AuditPayload").asText());
        payload.put("@type", "type.googleapis.com/google.cloud.audit.AuditLog");
        ObjectNode entry = JSON.createObjectNode();
        entry.set("protoPayload", payload);
        entry.put("insertId", "entry-1").put("timestamp", dump.at("/Entry/Timestamp").asText());
        entry.putObject("labels").put("authorization.k8s.io/decision", "allow");
        entry.putObject("operation").put("id", "op-1").put("producer", "k8s.io").put("first", true);
        entry.putObject("resource").put("type", "k8s_cluster");

        // Then it reads as the same exec, with the operation id as the auditID
        AuditEvent exec = read(entry).get(0);
        assertThat(exec.getFormat()).isEqualTo("gke");
        assertThat(exec.getAuditId()).isEqualTo("op-1");
        assertThat(exec.getStage()).isEqualTo(AuditStage.ResponseStarted);
        assertThat(exec.getObjectRef().getSubresource()).isEqualTo("exec");
        assertThat(exec.getUser().getUsername()).isEqualTo("mark.stemm@sysdig.com");
    }

    @Test
    void shouldReadEksCloudWatchSubscriptionRecordsAndEcsDocuments() throws IOException {
        // Given a native event (Falco's exec trace) as CloudWatch Logs delivers it and as Elastic indexes it
        String line = AuditFixtures.events(AuditFixtures.trace("exec_pod.json")).get(0);
        ObjectNode cloudWatch = JSON.createObjectNode().put("messageType", "DATA_MESSAGE")
                .put("logGroup", "/aws/eks/prod/cluster");
        cloudWatch.putArray("logEvents").addObject().put("id", "1").put("timestamp", 1).put("message", line);
        ObjectNode ecs = JSON.createObjectNode();
        ecs.putObject("kubernetes").set("audit", JSON.readTree(line));

        // Then each is the same event, saying where it came from
        assertThat(read(cloudWatch)).singleElement().satisfies(e -> {
            assertThat(e.getFormat()).isEqualTo("eks");
            assertThat(e.getUser().getUsername()).isEqualTo("minikube-user");
        });
        assertThat(read(ecs)).singleElement().satisfies(e -> assertThat(e.getFormat()).isEqualTo("ecs"));
    }

    @Test
    void shouldRefuseAnUnknownShapeSayingWhatWasExpected() throws IOException {
        assertThatThrownBy(() -> formats.unwrap(JSON.readTree("{\"kind\":\"Pod\",\"metadata\":{}}")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("expected an audit.k8s.io Event or EventList, an AKS kube-audit diagnostic record")
                .hasMessageContaining("[kind, metadata]");
        assertThatThrownBy(() -> formats.unwrap(JSON.readTree("{\"protoPayload\":{\"serviceName\":\"compute.googleapis.com\","
                + "\"methodName\":\"v1.compute.instances.insert\"},\"timestamp\":\"2026-01-01T00:00:00Z\"}")))
                .hasMessageContaining("service k8s.io is expected");
    }
}
