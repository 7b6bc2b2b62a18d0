package dev.kubeproof.cli.exceptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.search.Hit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.cli.support.PipelineHarness;
import dev.kubeproof.cli.support.PipelineHarness.Run;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * Accepted risks and attested practices as an operator records them, on the real Kafka, registry and
 * Elasticsearch: the repository's own {@code deploy/control-exceptions.yaml} applied, an exception added for 20
 * seconds and an RBAC review attested for 20 seconds, all through the CLI. The covered failures become EXEMPT and
 * the attested control PASS, once, in Kafka and in Elasticsearch; the short ones expire by themselves and the
 * evidence is FAIL again, with no other input.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class ExceptionsAndAttestationsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String CLUSTER = "it";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    private PipelineHarness harness(RealServers servers, Path dir, String name) throws Exception {
        PipelineHarness pipeline = new PipelineHarness(servers, name, dir);
        toClose.add(pipeline);
        return pipeline;
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void shouldExemptThroughTheCliAndFailAgainWhenTheExceptionExpires(RealServers servers, @TempDir Path dir) throws Exception {
        // Given the topics, the evidence application and the sink on a prefix of their own
        PipelineHarness pipeline = harness(servers, dir, "exceptions");
        TopicCatalog topics = pipeline.topics;
        SchemaRegistryClient registry = pipeline.registry;
        ElasticsearchConfig elasticsearch = pipeline.elasticsearch;
        pipeline.startEvidence();
        pipeline.startSink();

        // ... and two failing objects: kubeproof's own Deployment (image by tag) and a privileged debug pod
        KafkaProducer<String, ResourceChange> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new AvroSerializer<>(registry, false, true));
        toClose.add(producer);
        ResourceChange deployment = PipelineHarness.change(CLUSTER, deployment());
        ResourceChange pod = PipelineHarness.change(CLUSTER, PipelineHarness.pod("tools", "debug", true, "busybox:1.36"));
        ResourceChange node = PipelineHarness.change(CLUSTER, node());
        for (ResourceChange change : List.of(node, deployment, pod)) {
            producer.send(new ProducerRecord<>(topics.resourceChanges().name(), change.getUid(), change)).get();
        }
        String deploymentKey = EvidenceKey.of(CLUSTER, "KP-IMG-003", deployment.getUid());
        String podKey = EvidenceKey.of(CLUSTER, "KP-POD-001", pod.getUid());
        String reviewKey = EvidenceKey.of(CLUSTER, "KP-ATT-001", CLUSTER);
        EvidenceTail evidence = new EvidenceTail(servers, topics, registry);
        toClose.add(evidence);
        await("all three fail").atMost(WAIT).until(() -> evidence.statuses(deploymentKey).contains(EvidenceStatus.FAIL)
                && evidence.statuses(podKey).contains(EvidenceStatus.FAIL)
                && evidence.statuses(reviewKey).contains(EvidenceStatus.FAIL));

        // When the repository's exceptions are applied, and one is added for the pod for 20 seconds, with the CLI
        Run applied = pipeline.cli("exception", "apply", "-f", repositoryFile("deploy/control-exceptions.yaml").toString());
        Run added = pipeline.cli("exception", "add", "--id", "debug-pod-incident", "--control", "KP-POD-001",
                "--namespace", "tools", "--name", "debug", "--reason", "live debugging of INC-7",
                "--approved-by", "security-lead", "--ticket", "https://tickets.example/INC-7", "--valid-for", "20s");
        Instant addedAt = Instant.now();
        Run attested = pipeline.cli("attest", "KP-ATT-001", "--by", "carol (IAM lead)", "--cluster", CLUSTER,
                "--evidence-url", "https://grc.example/reviews/2026-Q4", "--valid-for", "20s");

        // Then both are recorded, and each failure becomes EXEMPT
        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(applied.output()).contains("applied 3 exceptions");
        assertThat(added.exitCode()).as(added.output()).isZero();
        assertThat(attested.exitCode()).as(attested.output()).isZero();
        await("attested").atMost(WAIT).until(() -> evidence.statuses(reviewKey).contains(EvidenceStatus.PASS));
        assertThat(evidence.records(reviewKey).get(1).getDetails().get(0).getValue())
                .isEqualTo("\"https://grc.example/reviews/2026-Q4\"");
        assertThat(pipeline.cli("attest", "--list").output()).contains("KP-ATT-001").contains("valid");
        await("exempt").atMost(WAIT).until(() -> evidence.statuses(deploymentKey).contains(EvidenceStatus.EXEMPT)
                && evidence.statuses(podKey).contains(EvidenceStatus.EXEMPT));
        EvidenceRecord podExempt = evidence.records(podKey).get(1);
        assertThat(podExempt.getException().getExceptionId()).isEqualTo("debug-pod-incident");
        assertThat(podExempt.getException().getApprovedBy()).isEqualTo("security-lead");
        assertThat(podExempt.getException().getTicket()).isEqualTo("https://tickets.example/INC-7");
        assertThat(evidence.records(deploymentKey).get(1).getException().getExceptionId())
                .isEqualTo("deploy-image-digest-pinned-at-release");
        Run listed = pipeline.cli("exception", "list");
        assertThat(listed.output()).contains("debug-pod-incident").contains("deploy-image-digest-pinned-at-release")
                .contains("4 exceptions, 4 in force");

        // When the 20 seconds pass (nothing else happens)
        // Then the pod's evidence is FAIL again, as of the expiry, caused by the exception
        await("expired by itself").atMost(WAIT).until(() -> evidence.statuses(podKey).size() == 3
                && evidence.statuses(reviewKey).size() == 3);
        EvidenceRecord failingAgain = evidence.records(podKey).get(2);
        assertThat(failingAgain.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(failingAgain.getCause().getExceptionId()).isEqualTo("debug-pod-incident");
        assertThat(failingAgain.getSince()).isBetween(addedAt.plusSeconds(15), addedAt.plusSeconds(21));
        assertThat(pipeline.cli("exception", "show", "debug-pod-incident").output()).contains("state:        expired");

        // And Kafka and Elasticsearch hold each transition exactly once
        assertThat(evidence.statuses(podKey)).containsExactly(EvidenceStatus.FAIL, EvidenceStatus.EXEMPT, EvidenceStatus.FAIL);
        assertThat(evidence.statuses(deploymentKey)).containsExactly(EvidenceStatus.FAIL, EvidenceStatus.EXEMPT);
        assertThat(evidence.statuses(reviewKey)).containsExactly(EvidenceStatus.FAIL, EvidenceStatus.PASS, EvidenceStatus.FAIL);
        assertThat(evidence.records(reviewKey).get(2).getMessage()).contains("expired");
        IndexNames names = IndexNames.of(elasticsearch);
        try (ElasticsearchClient client = ElasticsearchClients.create(elasticsearch)) {
            List<String> ids = new ArrayList<>();
            evidence.records(podKey).forEach(r -> ids.add(r.getEvidenceId()));
            evidence.records(deploymentKey).forEach(r -> ids.add(r.getEvidenceId()));
            evidence.records(reviewKey).forEach(r -> ids.add(r.getEvidenceId()));
            await("indexed").atMost(WAIT).ignoreExceptionsInstanceOf(ElasticsearchException.class).untilAsserted(() -> {
                client.indices().refresh(r -> r.index(names.evidence()));
                List<Hit<ObjectNode>> hits = client.search(s -> s.index(names.evidence()).size(100)
                        .query(q -> q.ids(i -> i.values(ids))), ObjectNode.class).hits().hits();
                assertThat(hits.stream().map(Hit::id).toList()).containsExactlyInAnyOrderElementsOf(ids);
            });
            client.indices().refresh(r -> r.index(names.posture()));
            Map<String, String> posture = client.search(s -> s.index(names.posture()).size(100)
                            .query(q -> q.terms(t -> t.field("rule.id").terms(v -> v.value(List.of(
                                    co.elastic.clients.elasticsearch._types.FieldValue.of("KP-IMG-003"),
                                    co.elastic.clients.elasticsearch._types.FieldValue.of("KP-POD-001")))))), ObjectNode.class)
                    .hits().hits().stream().collect(Collectors.toMap(h -> h.source().at("/rule/id").asText() + " "
                            + h.source().at("/orchestrator/resource/name").asText(), h -> h.source().at("/kubeproof/status").asText()));
            assertThat(posture).containsEntry("KP-IMG-003 kubeproof-streams", "EXEMPT").containsEntry("KP-POD-001 debug", "FAIL");
        }
    }

    @Test
    void shouldRefuseAnExceptionWithoutExpiryOrBeyondTheMaximumValidityAndWriteNothing(RealServers servers, @TempDir Path dir)
            throws Exception {
        // Given a prefix with its topics
        PipelineHarness pipeline = harness(servers, dir, "exceptions-refused");
        Path file = Files.createTempFile("exceptions", ".yaml");
        Files.writeString(file, """
                apiVersion: kubeproof.dev/v1alpha1
                kind: ControlException
                metadata: {name: fine}
                spec: {controlId: KP-POD-001, reason: ok, approvedBy: lead, expiresAt: "%s"}
                ---
                apiVersion: kubeproof.dev/v1alpha1
                kind: ControlException
                metadata: {name: forever}
                spec: {controlId: KP-POD-001, reason: no end date, approvedBy: lead}
                """.formatted(Instant.now().plus(Duration.ofDays(10))));

        // When applied, and when one is added for a year or for an unknown control
        Run apply = pipeline.cli("exception", "apply", "-f", file.toString());
        Run tooLong = pipeline.cli("exception", "add", "--control", "KP-POD-001", "--reason", "r", "--approved-by", "a",
                "--valid-for", "365d");
        Run unknown = pipeline.cli("exception", "add", "--control", "KP-NOPE-1", "--reason", "r", "--approved-by", "a",
                "--valid-for", "1d");

        // Then each is refused naming what is wrong, and the topic holds nothing (not even the valid document)
        assertThat(apply.exitCode()).isNotZero();
        assertThat(apply.output()).contains("forever").contains("expiresAt is required");
        assertThat(tooLong.output()).contains("maximum validity of 180 days");
        assertThat(unknown.output()).contains("KP-NOPE-1").contains("not a control of the catalog");
        assertThat(pipeline.cli("exception", "list").output()).contains("0 exceptions, 0 in force");
    }

    // ---------------------------------------------------------------- helpers

    private static Path repositoryFile(String path) {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(path))) {
                return dir.resolve(path);
            }
        }
        throw new IllegalStateException(path + " not found above " + here);
    }

    private static ObjectNode deployment() {
        ObjectNode object = PipelineHarness.object("apps/v1", "Deployment", "kubeproof", "kubeproof-streams", "uid-deploy");
        ((ObjectNode) object.get("metadata")).putObject("labels").put("app.kubernetes.io/part-of", "kubeproof");
        ObjectNode container = object.putObject("spec").putObject("template").putObject("spec").putArray("containers").addObject();
        container.put("name", "streams").put("image", "ghcr.io/kubeproof/kubeproof:0.9.0");
        return object;
    }

    private static ObjectNode node() {
        ObjectNode object = PipelineHarness.object("v1", "Node", null, "node-1", "uid-node-1");
        object.putObject("status").putObject("nodeInfo").put("kubeletVersion", "v1.32.4");
        return object;
    }

    /** The evidence topic, read as it grows (the harness's tail), by key. */
    private static final class EvidenceTail implements AutoCloseable {
        private final PipelineHarness.Tail<EvidenceRecord> tail;

        EvidenceTail(RealServers servers, TopicCatalog topics, SchemaRegistryClient registry) {
            tail = new PipelineHarness.Tail<>(servers, topics.evidence().name(),
                    new AvroDeserializer<>(registry, EvidenceRecord.class));
        }

        List<EvidenceRecord> records(String key) {
            return tail.records().stream().filter(r -> key.equals(r.key())).map(ConsumerRecord::value).toList();
        }

        List<EvidenceStatus> statuses(String key) {
            return records(key).stream().map(EvidenceRecord::getStatus).toList();
        }

        @Override
        public void close() {
            tail.close();
        }
    }
}
