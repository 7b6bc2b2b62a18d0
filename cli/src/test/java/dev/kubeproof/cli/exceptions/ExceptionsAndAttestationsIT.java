package dev.kubeproof.cli.exceptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.search.Hit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.cli.Kubeproof;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.runtime.Secret;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.streams.EvidenceMetrics;
import dev.kubeproof.streams.EvidenceService;
import dev.kubeproof.streams.EvidenceServiceConfig;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

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

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void shouldExemptThroughTheCliAndFailAgainWhenTheExceptionExpires(RealServers servers, @TempDir Path dir) throws Exception {
        // Given the topics, the evidence application and the sink on a prefix of their own
        String name = servers.uniqueName("exceptions");
        TopicCatalog topics = new TopicCatalog(name + ".");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()))) {
            TopicProvisioner.createTopics(admin, topics, (short) 1);
        }
        SchemaRegistryClient registry = new ConfluentRestSchemaRegistryClient(RegistryClientConfig.of(servers.schemaRegistryUrl()));
        startEvidence(servers, topics, name, dir);
        ElasticsearchConfig elasticsearch = elasticsearch(servers, name, dir);
        startSink(servers, topics, elasticsearch);

        // ... and two failing objects: kubeproof's own Deployment (image by tag) and a privileged debug pod
        KafkaProducer<String, ResourceChange> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new AvroSerializer<>(registry, false, true));
        toClose.add(producer);
        ResourceChange deployment = change(deployment());
        ResourceChange pod = change(privilegedPod());
        ResourceChange node = change(node());
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
        List<String> kafka = List.of("--bootstrap-servers", servers.kafkaBootstrapServers(),
                "--registry-url", servers.schemaRegistryUrl(), "--topic-prefix", topics.prefix());
        Run applied = cli(kafka, "exception", "apply", "-f", repositoryFile("deploy/control-exceptions.yaml").toString());
        Run added = cli(kafka, "exception", "add", "--id", "debug-pod-incident", "--control", "KP-POD-001",
                "--namespace", "tools", "--name", "debug", "--reason", "live debugging of INC-7",
                "--approved-by", "security-lead", "--ticket", "https://tickets.example/INC-7", "--valid-for", "20s");
        Instant addedAt = Instant.now();
        Run attested = cli(kafka, "attest", "KP-ATT-001", "--by", "carol (IAM lead)", "--cluster", CLUSTER,
                "--evidence-url", "https://grc.example/reviews/2026-Q4", "--valid-for", "20s");

        // Then both are recorded, and each failure becomes EXEMPT
        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(applied.output()).contains("applied 3 exceptions");
        assertThat(added.exitCode()).as(added.output()).isZero();
        assertThat(attested.exitCode()).as(attested.output()).isZero();
        await("attested").atMost(WAIT).until(() -> evidence.statuses(reviewKey).contains(EvidenceStatus.PASS));
        assertThat(evidence.records(reviewKey).get(1).getDetails().get(0).getValue())
                .isEqualTo("\"https://grc.example/reviews/2026-Q4\"");
        assertThat(cli(kafka, "attest", "--list").output()).contains("KP-ATT-001").contains("valid");
        await("exempt").atMost(WAIT).until(() -> evidence.statuses(deploymentKey).contains(EvidenceStatus.EXEMPT)
                && evidence.statuses(podKey).contains(EvidenceStatus.EXEMPT));
        EvidenceRecord podExempt = evidence.records(podKey).get(1);
        assertThat(podExempt.getException().getExceptionId()).isEqualTo("debug-pod-incident");
        assertThat(podExempt.getException().getApprovedBy()).isEqualTo("security-lead");
        assertThat(podExempt.getException().getTicket()).isEqualTo("https://tickets.example/INC-7");
        assertThat(evidence.records(deploymentKey).get(1).getException().getExceptionId())
                .isEqualTo("deploy-image-digest-pinned-at-release");
        Run listed = cli(kafka, "exception", "list");
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
        assertThat(cli(kafka, "exception", "show", "debug-pod-incident").output()).contains("state:        expired");

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
            await("indexed").atMost(WAIT).untilAsserted(() -> {
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
    void shouldRefuseAnExceptionWithoutExpiryOrBeyondTheMaximumValidityAndWriteNothing(RealServers servers) throws Exception {
        // Given a prefix with its topics
        TopicCatalog topics = new TopicCatalog(servers.uniqueName("exceptions-refused") + ".");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()))) {
            TopicProvisioner.createTopics(admin, topics, (short) 1);
        }
        List<String> kafka = List.of("--bootstrap-servers", servers.kafkaBootstrapServers(),
                "--registry-url", servers.schemaRegistryUrl(), "--topic-prefix", topics.prefix());
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
        Run apply = cli(kafka, "exception", "apply", "-f", file.toString());
        Run tooLong = cli(kafka, "exception", "add", "--control", "KP-POD-001", "--reason", "r", "--approved-by", "a",
                "--valid-for", "365d");
        Run unknown = cli(kafka, "exception", "add", "--control", "KP-NOPE-1", "--reason", "r", "--approved-by", "a",
                "--valid-for", "1d");

        // Then each is refused naming what is wrong, and the topic holds nothing (not even the valid document)
        assertThat(apply.exitCode()).isNotZero();
        assertThat(apply.output()).contains("forever").contains("expiresAt is required");
        assertThat(tooLong.output()).contains("maximum validity of 180 days");
        assertThat(unknown.output()).contains("KP-NOPE-1").contains("not a control of the catalog");
        assertThat(cli(kafka, "exception", "list").output()).contains("0 exceptions, 0 in force");
    }

    // ---------------------------------------------------------------- helpers

    private record Run(int exitCode, String output) {
    }

    private static Run cli(List<String> kafka, String... args) {
        StringWriter out = new StringWriter();
        CommandLine command = Kubeproof.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(out, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(kafka);
        int code = command.execute(all.toArray(String[]::new));
        return new Run(code, out.toString());
    }

    private static Path repositoryFile(String path) {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(path))) {
                return dir.resolve(path);
            }
        }
        throw new IllegalStateException(path + " not found above " + here);
    }

    private void startEvidence(RealServers servers, TopicCatalog topics, String name, Path dir) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrapServers", servers.kafkaBootstrapServers());
        settings.put("kafka.schemaRegistryUrl", servers.schemaRegistryUrl());
        settings.put("topicPrefix", topics.prefix());
        settings.put("applicationId", name + "-evidence");
        settings.put("stateDir", dir.resolve("streams").toString());
        settings.put("standbyReplicas", "0");
        settings.put("evaluationPartitions", "2");
        settings.put("exceptionCheck", "1s");
        settings.put("health.port", "0");
        EvidenceService service = EvidenceService.create(
                ConfigLoader.load(null, EvidenceServiceConfig.class, settings, Map.of()), EvidenceMetrics.inMemory());
        toClose.add(service);
        service.start();
    }

    private static ElasticsearchConfig elasticsearch(RealServers servers, String name, Path dir) throws Exception {
        StackEndpoints.Credentials credentials = servers.endpoints().elasticsearchCredentials().orElseThrow();
        Path password = Files.writeString(dir.resolve("es-password"), credentials.password());
        return ElasticsearchConfig.of(URI.create(servers.elasticsearchUrl()))
                .withNames(name, "logs-kubernetes.audit_logs-" + name.replace("-", ""), 0)
                .withBasicAuth(credentials.username(), Secret.fromFile("elasticsearch.password.file", password));
    }

    private void startSink(RealServers servers, TopicCatalog topics, ElasticsearchConfig elasticsearch) throws Exception {
        SinkService sink = SinkService.create(SinkConfig.of(servers.kafkaBootstrapServers(), servers.schemaRegistryUrl(),
                topics, elasticsearch).withGroupId(topics.prefix() + "sink"), ControlCatalog.empty(), new SimpleMeterRegistry());
        Thread thread = new Thread(sink, "sink");
        thread.start();
        toClose.add(() -> {
            sink.close();
            thread.join(30_000);
        });
        assertThat(sink.awaitConsuming(Duration.ofSeconds(60))).as("sink consuming").isTrue();
    }

    private static ObjectNode deployment() {
        ObjectNode object = metadata("apps/v1", "Deployment", "kubeproof", "kubeproof-streams", "uid-deploy");
        ((ObjectNode) object.get("metadata")).putObject("labels").put("app.kubernetes.io/part-of", "kubeproof");
        ObjectNode container = object.putObject("spec").putObject("template").putObject("spec").putArray("containers").addObject();
        container.put("name", "streams").put("image", "ghcr.io/kubeproof/kubeproof:0.9.0");
        return object;
    }

    private static ObjectNode node() {
        ObjectNode object = metadata("v1", "Node", null, "node-1", "uid-node-1");
        object.putObject("status").putObject("nodeInfo").put("kubeletVersion", "v1.32.4");
        return object;
    }

    private static ObjectNode privilegedPod() {
        ObjectNode object = metadata("v1", "Pod", "tools", "debug", "uid-debug");
        ObjectNode container = object.putObject("spec").putArray("containers").addObject();
        container.put("name", "shell").put("image", "busybox:1.36").putObject("securityContext").put("privileged", true);
        return object;
    }

    private static ObjectNode metadata(String apiVersion, String kind, String namespace, String name, String uid) {
        ObjectNode object = JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode metadata = object.putObject("metadata");
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        metadata.put("name", name).put("uid", uid).put("resourceVersion", "1");
        return object;
    }

    private static ResourceChange change(ObjectNode object) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        Map<String, String> labels = new HashMap<>();
        metadata.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return ResourceChange.newBuilder().setClusterId(CLUSTER).setApiVersion(object.get("apiVersion").asText())
                .setKind(object.get("kind").asText()).setNamespace(metadata.path("namespace").asText(null))
                .setName(metadata.get("name").asText()).setUid(metadata.get("uid").asText()).setResourceVersion("1")
                .setChangeType(ChangeType.ADDED).setObservedAt(Instant.now()).setLabels(labels).setOwnerReferences(List.of())
                .setObject(object.toString()).build();
    }

    /** The evidence topic, read as it grows, by key. */
    private static final class EvidenceTail implements AutoCloseable {
        private final KafkaConsumer<String, EvidenceRecord> consumer;
        private final Map<String, List<EvidenceRecord>> byKey = new HashMap<>();

        EvidenceTail(RealServers servers, TopicCatalog topics, SchemaRegistryClient registry) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                    new StringDeserializer(), new AvroDeserializer<>(registry, EvidenceRecord.class));
            String topic = topics.evidence().name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        synchronized List<EvidenceRecord> records(String key) {
            for (ConsumerRecord<String, EvidenceRecord> record : consumer.poll(Duration.ofMillis(300))) {
                byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
            }
            return List.copyOf(byKey.getOrDefault(key, List.of()));
        }

        List<EvidenceStatus> statuses(String key) {
            return records(key).stream().map(EvidenceRecord::getStatus).toList();
        }

        @Override
        public synchronized void close() {
            consumer.close();
        }
    }
}
