package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.streams.support.EvaluationTasks;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopicTail;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * The evidence application on the real broker and registry: 1,000 workloads in, exactly the expected evidence
 * out, across an instance killed with SIGKILL mid-run (its standby on the other instance takes over) and a
 * restart on an empty state directory (state restored from the changelogs). Exactness is checked per key: the
 * statuses in the topic are the expected transitions, in order, each chain verifies, and no evidence id repeats.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY})
class EvidencePipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RESOURCES = 1_000;
    private static final int PARTITIONS = 6;
    private static final Instant BASE = Instant.parse("2026-03-01T00:00:00Z");
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path stateRoot;

    private final ControlEngine engine = ControlEngine.withDefaults();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Process instanceA;

    /** Expected transitions (statuses in order) per evidence key, maintained as the test changes the workloads. */
    private final Map<String, List<EvidenceStatus>> expected = new LinkedHashMap<>();
    private final long started = System.nanoTime();
    private int expectedViolations;

    @AfterEach
    void stopEverything() throws Exception {
        if (instanceA != null && instanceA.isAlive()) {
            instanceA.destroyForcibly().waitFor();
        }
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void shouldEmitExactlyTheExpectedTransitionsAcrossAKillATakeOverAndARestore(RealServers servers) throws Exception {
        // Given the topics, six clusters (one per evaluation partition), and two instances: A in its own JVM, B here
        TopicCatalog topics = new TopicCatalog(servers.uniqueName("evidence-it") + ".");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()))) {
            TopicProvisioner.createTopics(admin, topics, (short) 1);
        }
        String applicationId = servers.uniqueName("kubeproof-evidence-it");
        SchemaRegistryClient registry = new ConfluentRestSchemaRegistryClient(
                RegistryClientConfig.of(servers.schemaRegistryUrl()));
        List<String> clusters = clusters();
        Map<String, String> settings = settings(servers, topics, applicationId);
        int evaluationSubtopology = EvaluationTasks.subtopology(topics);

        instanceA = startInSeparateJvm(settings, stateRoot.resolve("a"), applicationId);
        EvidenceService instanceB = startHere(settings, stateRoot.resolve("b"));
        await("both instances share the evaluation, each with standbys of the other's").atMost(PHASE_TIMEOUT)
                .until(() -> {
                    Set<Integer> active = EvaluationTasks.partitions(instanceB, evaluationSubtopology, ThreadMetadata::activeTasks);
                    Set<Integer> standby = EvaluationTasks.partitions(instanceB, evaluationSubtopology, ThreadMetadata::standbyTasks);
                    return instanceB.state() == KafkaStreams.State.RUNNING && !active.isEmpty()
                            && active.size() < PARTITIONS && !standby.isEmpty();
                });
        Set<Integer> standbysOfBBeforeKill = EvaluationTasks.partitions(instanceB, evaluationSubtopology, ThreadMetadata::standbyTasks);
        progress("instances running");

        KafkaProducer<String, byte[]> rawProducer = rawProducer(servers);
        KafkaProducer<String, ResourceChange> producer = producer(servers, registry);
        TopicTail<EvidenceRecord> evidence = new TopicTail<>(servers, topics.evidence().name(),
                new AvroDeserializer<>(registry, EvidenceRecord.class));
        toClose.add(evidence);

        // When phase 1: a record that is not Avro, then 1,000 workloads
        rawProducer.send(new ProducerRecord<>(topics.resourceChanges().name(), "not/avro/at/all",
                "definitely not the Confluent wire format".getBytes(StandardCharsets.UTF_8))).get();
        Map<Integer, ObjectNode> current = new HashMap<>();
        for (int i = 0; i < RESOURCES; i++) {
            ObjectNode object = workload(i, clusters, false);
            current.put(i, object);
            send(producer, topics, clusterOf(i, clusters), ChangeType.ADDED, object, i, "1");
            expectEvaluation(clusterOf(i, clusters), object);
        }
        producer.flush();

        // Then exactly the first evaluations come out
        int phase1 = total();
        await("phase 1 evidence").atMost(PHASE_TIMEOUT)
                .untilAsserted(() -> assertThat(evidence.records().size()).isGreaterThanOrEqualTo(phase1));
        assertThat(evidence.records()).hasSize(phase1);
        progress("phase 1 done");

        // When phase 2: 300 workloads change and 100 are deleted, and instance A is killed while they are processed
        List<Runnable> phase2 = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int index = i;
            phase2.add(() -> {
                ObjectNode changed = workload(index, clusters, true);
                current.put(index, changed);
                send(producer, topics, clusterOf(index, clusters), ChangeType.MODIFIED, changed, index, "2");
                expectEvaluation(clusterOf(index, clusters), changed);
            });
        }
        for (int i = RESOURCES - 100; i < RESOURCES; i++) {
            int index = i;
            phase2.add(() -> {
                ObjectNode deleted = current.remove(index);
                send(producer, topics, clusterOf(index, clusters), ChangeType.DELETED, deleted, index, "3");
                sendTombstone(producer, topics, clusterOf(index, clusters), deleted);
                expectDeletion(clusterOf(index, clusters), deleted);
            });
        }
        // A at a random point of phase 2 (the seed is printed, to replay a failure)
        long seed = System.nanoTime();
        int killAfter = 20 + new java.util.Random(seed).nextInt(phase2.size() - 40);
        System.out.printf("EvidencePipelineIT: seed %d, A killed after %d of %d phase-2 changes%n", seed, killAfter,
                phase2.size());
        phase2.subList(0, killAfter).forEach(Runnable::run);
        producer.flush();
        await("phase 2 under way").atMost(PHASE_TIMEOUT).until(() -> evidence.records().size() > phase1);
        instanceA.destroyForcibly().waitFor();
        progress("A killed");
        phase2.subList(killAfter, phase2.size()).forEach(Runnable::run);
        producer.flush();

        // Then B takes over A's tasks (from its standbys) and the evidence is exactly what was expected
        int phase2Total = total();
        await("B runs every evaluation task").atMost(PHASE_TIMEOUT).until(() ->
                EvaluationTasks.partitions(instanceB, evaluationSubtopology, ThreadMetadata::activeTasks).size() == PARTITIONS);
        await("phase 2 evidence").atMost(PHASE_TIMEOUT)
                .untilAsserted(() -> assertThat(evidence.records().size()).isGreaterThanOrEqualTo(phase2Total));
        assertThat(standbysOfBBeforeKill).as("B kept standbys of A's tasks").isNotEmpty();
        assertThat(evidence.records()).hasSize(phase2Total);
        progress("phase 2 done");

        // When phase 3: B stops, C starts on an empty state directory (restoring from the changelogs), and 100
        // workloads are changed back
        instanceB.close();
        EvidenceService instanceC = startHere(settings, stateRoot.resolve("c"));
        await("C restored and runs every evaluation task").atMost(PHASE_TIMEOUT).until(() ->
                instanceC.state() == KafkaStreams.State.RUNNING
                        && EvaluationTasks.partitions(instanceC, evaluationSubtopology, ThreadMetadata::activeTasks).size() == PARTITIONS);
        progress("C running");
        for (int i = 0; i < 100; i++) {
            ObjectNode reverted = workload(i, clusters, false);
            send(producer, topics, clusterOf(i, clusters), ChangeType.MODIFIED, reverted, i, "4");
            expectEvaluation(clusterOf(i, clusters), reverted);
        }
        producer.flush();

        // Then: exactly the expected transitions, once each, chained, with the latest state and the violations
        int finalTotal = total();
        await("phase 3 evidence, and nothing more").atMost(PHASE_TIMEOUT).during(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(evidence.records().size()).isEqualTo(finalTotal));
        List<EvidenceRecord> all = evidence.records();
        progress("phase 3 done");
        assertThat(all.stream().map(EvidenceRecord::getEvidenceId).distinct().count())
                .as("no duplicate evidence").isEqualTo(finalTotal);
        Map<String, EvidenceChain.Verification> chains = EvidenceChain.verifyAll(all);
        assertThat(chains.values()).as("every key's chain verifies")
                .allSatisfy(verification -> assertThat(verification.valid()).as(verification.toString()).isTrue());
        Map<String, List<EvidenceStatus>> actual = all.stream().collect(Collectors.groupingBy(EvidenceKey::of,
                LinkedHashMap::new, Collectors.mapping(EvidenceRecord::getStatus, Collectors.toList())));
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, statuses) -> assertThat(actual.get(key)).as(key).isEqualTo(statuses));

        try (TopicTail<EvidenceRecord> state = new TopicTail<>(servers, topics.evidenceState().name(),
                new AvroDeserializer<>(registry, EvidenceRecord.class));
             TopicTail<String> violations = new TopicTail<>(servers, topics.violations().name(), new StringDeserializer());
             TopicTail<DeadLetter> deadLetters = new TopicTail<>(servers, topics.deadLetters().name(),
                     new AvroDeserializer<>(registry, DeadLetter.class))) {
            await("evidence state").atMost(PHASE_TIMEOUT).until(() -> state.records().size() >= finalTotal);
            Map<String, EvidenceStatus> latest = new HashMap<>();
            state.records().forEach(record -> latest.put(EvidenceKey.of(record), record.getStatus()));
            expected.forEach((key, statuses) -> assertThat(latest.get(key)).as(key).isEqualTo(statuses.get(statuses.size() - 1)));
            await("violations").atMost(PHASE_TIMEOUT).until(() -> violations.records().size() >= expectedViolations);
            assertThat(violations.records()).hasSize(expectedViolations);
            await("dead letter").atMost(PHASE_TIMEOUT).until(() -> !deadLetters.records().isEmpty());
            assertThat(deadLetters.records()).anySatisfy(letter -> {
                assertThat(letter.getErrorType()).isEqualTo("DESERIALIZATION");
                assertThat(letter.getReason()).contains("not Confluent wire format");
                assertThat(StandardCharsets.UTF_8.decode(letter.getKey()).toString()).isEqualTo("not/avro/at/all");
            });
        }
    }

    private void progress(String what) {
        System.out.printf("EvidencePipelineIT: %s after %d s (%d transitions expected so far)%n", what,
                (System.nanoTime() - started) / 1_000_000_000L, total());
    }

    // ---------------------------------------------------------------- expectations

    private int total() {
        return expected.values().stream().mapToInt(List::size).sum();
    }

    private void expectEvaluation(String cluster, ObjectNode object) {
        String uid = object.path("metadata").path("uid").asText();
        for (ControlResult result : engine.evaluate(object, ClusterView.empty())) {
            transition(EvidenceKey.of(cluster, result.control().id(), uid),
                    EvidenceStatus.valueOf(result.status().name()));
        }
    }

    private void expectDeletion(String cluster, ObjectNode object) {
        String uid = object.path("metadata").path("uid").asText();
        for (ControlResult result : engine.evaluate(object, ClusterView.empty())) {
            transition(EvidenceKey.of(cluster, result.control().id(), uid), EvidenceStatus.CLOSED);
        }
    }

    private void transition(String key, EvidenceStatus status) {
        List<EvidenceStatus> statuses = expected.getOrDefault(key, List.of());
        EvidenceStatus previous = statuses.isEmpty() ? null : statuses.get(statuses.size() - 1);
        if (previous == null && (status == EvidenceStatus.NOT_APPLICABLE || status == EvidenceStatus.CLOSED)) {
            return; // no first N/A record, and nothing to close where nothing was recorded
        }
        statuses = expected.computeIfAbsent(key, k -> new ArrayList<>());
        if (previous != status) {
            statuses.add(status);
            if (status == EvidenceStatus.FAIL || previous == EvidenceStatus.FAIL) {
                expectedViolations++;
            }
        }
    }

    // ---------------------------------------------------------------- workloads

    /** Six clusters; with ten namespaces each, their evaluation spreads over every partition. */
    private static List<String> clusters() {
        return IntStream.range(0, 6).mapToObj(n -> "cluster-" + n).toList();
    }

    private static String clusterOf(int index, List<String> clusters) {
        return clusters.get(index % clusters.size());
    }

    /**
     * Workload {@code index}: a Deployment every third, else a Pod; some privileged, some on the host network,
     * some fully hardened. {@code flipped} toggles privileged and the owner label, as a later change would.
     */
    private static ObjectNode workload(int index, List<String> clusters, boolean flipped) {
        boolean deployment = index % 3 == 0;
        String namespace = "team-" + index % 10;
        String name = (deployment ? "api-" : "web-") + index;
        String uid = UUID.nameUUIDFromBytes((clusterOf(index, clusters) + "/" + name).getBytes(StandardCharsets.UTF_8))
                .toString();
        boolean privileged = (index % 7 == 0) ^ flipped;
        boolean hardened = index % 5 == 0;
        String image = index % 4 == 0 ? "registry.example.com/shop/web@sha256:" + "ab".repeat(32) : "nginx:1.27";
        ObjectNode object = deployment
                ? Resources.deployment(namespace, name, uid, privileged, image, "busybox:1.36")
                : Resources.pod(namespace, name, uid, privileged, image, "busybox:1.36");
        ObjectNode podSpec = deployment ? (ObjectNode) object.path("spec").path("template").path("spec")
                : (ObjectNode) object.path("spec");
        if (index % 11 == 0) {
            podSpec.put("hostNetwork", true);
        }
        if (hardened) {
            podSpec.put("automountServiceAccountToken", false);
            podSpec.putObject("securityContext").put("runAsNonRoot", true).put("runAsUser", 10001)
                    .putObject("seccompProfile").put("type", "RuntimeDefault");
            podSpec.path("containers").forEach(container -> {
                ObjectNode security = container.has("securityContext") ? (ObjectNode) container.get("securityContext")
                        : ((ObjectNode) container).putObject("securityContext");
                security.put("allowPrivilegeEscalation", false).put("readOnlyRootFilesystem", true);
                security.putObject("capabilities").putArray("drop").add("ALL");
                ObjectNode resources = ((ObjectNode) container).putObject("resources");
                resources.putObject("requests").put("cpu", "100m").put("memory", "64Mi");
                resources.putObject("limits").put("cpu", "500m").put("memory", "128Mi");
            });
        }
        if (hardened ^ flipped) {
            Resources.labelled(object, Map.of("owner", "team-" + index % 10, "team", "team-" + index % 10));
        }
        return object;
    }

    private static void send(KafkaProducer<String, ResourceChange> producer, TopicCatalog topics, String cluster,
                             ChangeType type, ObjectNode object, int index, String resourceVersion) {
        ResourceChange change = Resources.change(cluster, type, object.deepCopy(), resourceVersion + "-" + index,
                BASE.plusSeconds(index));
        change.setAuditId(type + "-" + index);
        producer.send(new ProducerRecord<>(topics.resourceChanges().name(), Resources.key(change), change));
    }

    private static void sendTombstone(KafkaProducer<String, ResourceChange> producer, TopicCatalog topics,
                                      String cluster, ObjectNode object) {
        ResourceChange change = Resources.change(cluster, ChangeType.DELETED, object.deepCopy(), "x", BASE);
        producer.send(new ProducerRecord<>(topics.resourceChanges().name(), Resources.key(change), null));
    }

    // ---------------------------------------------------------------- instances

    private static Map<String, String> settings(RealServers servers, TopicCatalog topics, String applicationId) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrapServers", servers.kafkaBootstrapServers());
        settings.put("kafka.schemaRegistryUrl", servers.schemaRegistryUrl());
        settings.put("topicPrefix", topics.prefix());
        settings.put("applicationId", applicationId);
        settings.put("standbyReplicas", "1");
        settings.put("evaluationPartitions", Integer.toString(PARTITIONS));
        settings.put("violationsFormat", "ocsf");
        settings.put("health.port", "0");
        // A killed member must be noticed in seconds, not the default 45 s.
        settings.put("kafka.properties.consumer.session.timeout.ms", "10000");
        settings.put("kafka.properties.consumer.heartbeat.interval.ms", "2500");
        return settings;
    }

    private EvidenceService startHere(Map<String, String> settings, Path stateDir) {
        Map<String, String> mine = new LinkedHashMap<>(settings);
        mine.put("stateDir", stateDir.toString());
        EvidenceService service = EvidenceService.create(
                ConfigLoader.load(null, EvidenceServiceConfig.class, mine, Map.of()), EvidenceMetrics.inMemory());
        toClose.add(service);
        service.start();
        return service;
    }

    /** Instance A runs the real command in its own JVM, so that it can be killed with SIGKILL. */
    private static Process startInSeparateJvm(Map<String, String> settings, Path stateDir, String applicationId)
            throws Exception {
        Path logs = Path.of("target", "it-logs");
        Files.createDirectories(logs);
        Files.createDirectories(stateDir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                StreamsCommand.class.getName(), "--set", "stateDir=" + stateDir));
        settings.forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(applicationId + "-instance-a.log").toFile()).start();
    }

    private KafkaProducer<String, ResourceChange> producer(RealServers servers, SchemaRegistryClient registry) {
        KafkaProducer<String, ResourceChange> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new AvroSerializer<>(registry, false, true));
        toClose.add(producer);
        return producer;
    }

    private KafkaProducer<String, byte[]> rawProducer(RealServers servers) {
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
        toClose.add(producer);
        return producer;
    }
}
