package dev.kubeproof.cli.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.search.Hit;

import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.cli.support.PipelineHarness;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.ingest.audit.AuditCollector;
import dev.kubeproof.ingest.audit.AuditCollectorConfig;
import dev.kubeproof.ingest.audit.FileSourceConfig;
import dev.kubeproof.ingest.audit.WebhookConfig;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.runtime.TestCertificates;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.Ports;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * The audit stream as evidence, on the real Kafka, registry and Elasticsearch: audit events through the collector's
 * HTTPS webhook (native EventList) and a file (an AKS diagnostic record), a resource change of the object one of them
 * wrote. Each runtime finding and the attributed transition appear exactly once in Kafka and in Elasticsearch, with
 * the actor.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class RuntimeEvidenceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String CLUSTER = "it";
    private static final String TOKEN = "runtime-it-token";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void shouldRecordRuntimeFindingsAndTheWriterOfAChangeOnceInKafkaAndElasticsearch(RealServers servers, @TempDir Path dir)
            throws Exception {
        // Given the evidence application, the sink, and the audit collector with an HTTPS webhook and a file
        PipelineHarness pipeline = new PipelineHarness(servers, "runtime", dir);
        toClose.add(pipeline);
        pipeline.startEvidence();
        pipeline.startSink();
        TestCertificates certificates = TestCertificates.generate(dir.resolve("tls"));
        Path tokens = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        Path file = dir.resolve("aks-audit.json");
        Files.writeString(file, "");
        IngestRuntime runtime = IngestRuntime.create(KafkaConfig.of(servers.kafkaBootstrapServers(),
                servers.schemaRegistryUrl(), "runtime-it"), pipeline.topics, new HealthConfig("127.0.0.1", Ports.freePort()));
        toClose.add(runtime);
        AuditCollector collector = new AuditCollector(new AuditCollectorConfig(CLUSTER, KafkaConfig.of(
                servers.kafkaBootstrapServers(), servers.schemaRegistryUrl(), "runtime-it"), pipeline.topics.prefix(), null,
                new WebhookConfig("127.0.0.1", 0, "/audit", certificates.serverTls(), tokens, null, null, 30, 2),
                List.of(FileSourceConfig.of(file, dir.resolve("aks.position"))), null, null, null), runtime).start();
        runtime.manage(collector);

        // When the webhook receives an exec by minikube-user (Falco's trace) and dana's create of a privileged pod,
        Instant now = Instant.now();
        String exec = Files.readAllLines(fixtures().resolve("k8s-audit/falco-traces/exec_pod.json")).get(0);
        String podJson = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"debug\",\"namespace\":\"tools\","
                + "\"uid\":\"uid-tools-debug\",\"resourceVersion\":\"500\"},\"spec\":{\"containers\":[{\"name\":\"main\","
                + "\"image\":\"busybox:1.36\",\"securityContext\":{\"privileged\":true}}]}}";
        String create = event("create-debug", "dana@example.com", "create", "/api/v1/namespaces/tools/pods",
                "{\"resource\":\"pods\",\"namespace\":\"tools\",\"name\":\"debug\",\"apiVersion\":\"v1\"}", 201, now,
                ",\"requestObject\":" + podJson + ",\"responseObject\":" + podJson);
        HttpResponse<String> posted = HttpClient.newBuilder().sslContext(certificates.clientWithoutCertificate()).build()
                .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + collector.webhookPort() + "/audit"))
                        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\","
                                + "\"items\":[" + exec + "," + create + "]}")).build(), HttpResponse.BodyHandlers.ofString());
        // ... the file gets erin's cluster-admin binding as AKS writes it (the event as text in properties.log),
        String binding = event("bind-admin", "erin@example.com", "create",
                "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                "{\"resource\":\"clusterrolebindings\",\"name\":\"erin-admin\",\"apiGroup\":\"rbac.authorization.k8s.io\"}",
                201, now, ",\"requestObject\":{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"erin-admin\"},"
                        + "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},"
                        + "\"subjects\":[{\"kind\":\"User\",\"name\":\"erin@example.com\"}]}");
        ObjectNode aks = JSON.createObjectNode().put("category", "kube-audit").put("time", now.toString());
        aks.putObject("properties").put("log", binding + "\n").put("stream", "stdout");
        Files.writeString(file, JSON.writeValueAsString(aks) + "\n");
        // ... and the informer sees the pod dana created (resourceVersion 500)
        ResourceChange pod = PipelineHarness.change(CLUSTER, (ObjectNode) JSON.readTree(podJson));
        pod.setResourceVersion("500");
        KafkaProducer<String, ResourceChange> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new AvroSerializer<>(pipeline.registry, false, true));
        toClose.add(producer);
        producer.send(new ProducerRecord<>(pipeline.topics.resourceChanges().name(), pod.getUid(), pod)).get();

        // Then the webhook answered 200, and the evidence names each actor
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        PipelineHarness.Tail<EvidenceRecord> evidence = pipeline.closeLater(new PipelineHarness.Tail<>(servers,
                pipeline.topics.evidence().name(), new AvroDeserializer<>(pipeline.registry, EvidenceRecord.class)));
        await("runtime findings and the attributed pod").atMost(WAIT).until(() -> {
            List<EvidenceRecord> records = evidence.records().stream().map(ConsumerRecord::value).toList();
            return count(records, "KP-RUN-001") == 1 && count(records, "KP-RUN-003") == 1 && count(records, "KP-RUN-005") == 1
                    && records.stream().anyMatch(r -> r.getControlId().equals("KP-POD-001"));
        });
        List<EvidenceRecord> records = evidence.records().stream().map(ConsumerRecord::value).toList();
        EvidenceRecord execFinding = only(records, "KP-RUN-001");
        assertThat(execFinding.getActor()).isEqualTo("minikube-user");
        EvidenceRecord bindingFinding = only(records, "KP-RUN-003");
        assertThat(bindingFinding.getActor()).isEqualTo("erin@example.com");
        assertThat(bindingFinding.getMessage()).contains("binds cluster-admin");
        assertThat(only(records, "KP-RUN-005").getActor()).isEqualTo("dana@example.com");
        EvidenceRecord privileged = only(records, "KP-POD-001");
        assertThat(privileged.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(privileged.getActor()).isEqualTo("dana@example.com");
        assertThat(privileged.getAttribution().getMethod()).isEqualTo(AttributionMethod.REQUEST);

        // And Elasticsearch holds each exactly once, with the actor; the audit index says which format each came in
        IndexNames names = IndexNames.of(pipeline.elasticsearch);
        try (ElasticsearchClient client = ElasticsearchClients.create(pipeline.elasticsearch)) {
            for (EvidenceRecord record : List.of(execFinding, bindingFinding, privileged)) {
                await("indexed " + record.getControlId()).atMost(WAIT)
                        .ignoreExceptionsInstanceOf(ElasticsearchException.class).until(() -> {
                    client.indices().refresh(r -> r.index(names.evidence()));
                    return client.search(s -> s.index(names.evidence()).query(q -> q.term(t -> t.field("kubeproof.evidence_id")
                            .value(record.getEvidenceId()))), ObjectNode.class).hits().hits().size() == 1;
                });
                List<Hit<ObjectNode>> hits = client.search(s -> s.index(names.evidence()).query(q -> q.term(t -> t
                        .field("kubeproof.evidence_id").value(record.getEvidenceId()))), ObjectNode.class).hits().hits();
                assertThat(hits).singleElement().satisfies(hit -> {
                    assertThat(hit.source().at("/kubeproof/actor").asText()).isEqualTo(record.getActor());
                    assertThat(hit.source().at("/user/name").asText()).isEqualTo(record.getActor());
                });
            }
            await("audit events indexed").atMost(WAIT).ignoreExceptionsInstanceOf(ElasticsearchException.class).until(() -> {
                client.indices().refresh(r -> r.index(names.audit()));
                return client.count(c -> c.index(names.audit())).count() == 3;
            });
            List<String> formats = client.search(s -> s.index(names.audit()).size(10), ObjectNode.class).hits().hits().stream()
                    .map(hit -> hit.source().at("/kubeproof/audit/format").asText()).sorted().toList();
            assertThat(formats).containsExactly("aks", "k8s-audit", "k8s-audit");
        }
        assertThat(evidence.records()).noneMatch(r -> r.value().getControlId().equals("KP-RUN-002"));
    }

    /** FAIL records of a control: its findings (Falco's 2018 exec is closed at once by a PASS: long quiet). */
    private static long count(List<EvidenceRecord> records, String controlId) {
        return records.stream().filter(r -> r.getControlId().equals(controlId) && r.getStatus() == EvidenceStatus.FAIL)
                .count();
    }

    private static EvidenceRecord only(List<EvidenceRecord> records, String controlId) {
        List<EvidenceRecord> found = records.stream()
                .filter(r -> r.getControlId().equals(controlId) && r.getStatus() == EvidenceStatus.FAIL).toList();
        assertThat(found).as(controlId).hasSize(1);
        return found.get(0);
    }

    private static String event(String id, String user, String verb, String uri, String objectRef, int code, Instant at,
                                String bodies) {
        String auditId = java.util.UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString();
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\",\"auditID\":\""
                + auditId + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"" + uri + "\",\"verb\":\"" + verb
                + "\",\"user\":{\"username\":\"" + user + "\",\"groups\":[\"system:authenticated\"]},\"sourceIPs\":[\"10.0.0.9\"],"
                + "\"objectRef\":" + objectRef + ",\"responseStatus\":{\"code\":" + code + "},\"requestReceivedTimestamp\":\""
                + at + "\",\"stageTimestamp\":\"" + at + "\"" + bodies + "}";
    }

    private static Path fixtures() {
        Path fixtures = Path.of(System.getProperty("kubeproof.fixtures", "missing-kubeproof.fixtures"));
        assertThat(fixtures).as("fixtures (system property kubeproof.fixtures)").isDirectory();
        return fixtures;
    }
}
