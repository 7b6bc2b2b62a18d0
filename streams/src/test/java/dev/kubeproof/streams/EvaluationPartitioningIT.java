package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.demo.SampleCluster;
import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.streams.support.EvaluationTasks;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopicTail;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * Spreading one cluster's evaluation over partitions and instances changes nothing in the evidence. The bundled
 * sample cluster (164 objects in 8 namespaces: NetworkPolicies per namespace, RBAC bindings × ClusterRoles, images
 * × scans, quotas, service accounts), its scans and a series of cross-object changes go, identically, into two
 * applications on the real broker: one with a single evaluation partition and one instance, one with four
 * partitions over two instances. Both must write the same evidence: per key the same ids, statuses, times and causes.
 *
 * <p>Inputs go in phases, each started after both applications have processed the previous one, so that objects a
 * control reads arrive before the objects it evaluates in both applications, and the input topics have one
 * partition each (Kafka orders records only within a partition; otherwise the intermediate transitions could
 * differ with arrival order, in either application alike, though not the final state).
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY})
class EvaluationPartitioningIT {
    private static final Instant BASE = Instant.parse("2026-03-01T00:00:00Z");
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(120);
    private static final String CLUSTER = "sample";

    @TempDir
    Path stateRoot;

    private final ControlEngine engine = ControlEngine.withDefaults();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<KafkaProducer<String, ?>> producers = new ArrayList<>();
    private int sequence;

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void shouldWriteTheSameEvidenceOnOnePartitionAndOnFourPartitionsOverTwoInstances(RealServers servers) throws Exception {
        // Given two applications on their own topics: 1 partition × 1 instance, and 4 partitions × 2 instances
        SchemaRegistryClient registry = new ConfluentRestSchemaRegistryClient(
                RegistryClientConfig.of(servers.schemaRegistryUrl()));
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()));
        toClose.add(admin);
        Setup single = new Setup(servers, admin, "single", 1);
        Setup spread = new Setup(servers, admin, "spread", 4);
        List<Setup> setups = List.of(single, spread);
        single.start(1);
        spread.start(2);
        await("both instances of the spread application evaluate").atMost(PHASE_TIMEOUT)
                .until(() -> spread.instances.stream().allMatch(i -> i.state() == KafkaStreams.State.RUNNING
                        && i.streams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum() > 0));
        KafkaProducer<String, ResourceChange> changes = producer(servers, registry);
        KafkaProducer<String, ImageScan> scans = producer(servers, registry);

        SampleCluster sample = SampleCluster.load();
        Set<String> dependencies = engine.dependencyKinds();
        List<ObjectNode> objects = sample.objects().stream().map(o -> (ObjectNode) o).map(EvaluationPartitioningIT::withoutSecretData).toList();

        // When phase 1: the scans and the objects controls read (NetworkPolicies, ServiceAccounts, quotas, ClusterRoles)
        for (String image : sample.images()) {
            int critical = Math.floorMod(image.hashCode(), 3);
            send(setups, scans, s -> s.topics.imageScans().name(), image,
                    Resources.scan("scan-" + image, image, image.split("[:@]")[0], "t", critical, at()));
        }
        objects.stream().filter(o -> dependencies.contains(kind(o)))
                .forEach(o -> sendChange(setups, changes, ChangeType.ADDED, o));
        awaitProcessed(setups, "phase 1");

        // When phase 2: everything else (namespaces, workloads, bindings, nodes...)
        objects.stream().filter(o -> !dependencies.contains(kind(o)))
                .forEach(o -> sendChange(setups, changes, ChangeType.ADDED, o));
        awaitProcessed(setups, "phase 2");

        // When phase 3: cross-object changes, one kind at a time: the NetworkPolicies of two namespaces go ...
        List<String> namespaces = List.copyOf(sample.namespaces());
        objects.stream().filter(o -> kind(o).equals("NetworkPolicy"))
                .filter(o -> namespaces.subList(0, 2).contains(o.path("metadata").path("namespace").asText()))
                .forEach(o -> sendChange(setups, changes, ChangeType.DELETED, o));
        awaitProcessed(setups, "phase 3a");
        // ... every ClusterRole is deleted (its bindings can no longer be reviewed) ...
        objects.stream().filter(o -> kind(o).equals("ClusterRole"))
                .forEach(o -> sendChange(setups, changes, ChangeType.DELETED, o));
        awaitProcessed(setups, "phase 3b");
        // ... every image gets a new scan with critical vulnerabilities ...
        for (String image : sample.images()) {
            send(setups, scans, s -> s.topics.imageScans().name(), image,
                    Resources.scan("rescan-" + image, image, image.split("[:@]")[0], "t", 5, at()));
        }
        awaitProcessed(setups, "phase 3c");
        // ... and the workloads of one namespace are deleted
        objects.stream().filter(o -> SampleCluster.WORKLOAD_KINDS.contains(kind(o)))
                .filter(o -> o.path("metadata").path("namespace").asText().equals(namespaces.get(2)))
                .forEach(o -> sendChange(setups, changes, ChangeType.DELETED, o));
        awaitProcessed(setups, "phase 3d");

        // Then both applications wrote the same evidence, key by key, and every chain verifies
        Map<String, List<String>> expected = single.evidence(registry);
        Map<String, List<String>> actual = spread.evidence(registry);
        System.out.printf("EvaluationPartitioningIT: %d keys, %d records in each application%n", expected.size(),
                expected.values().stream().mapToInt(List::size).sum());
        assertThat(expected.keySet()).as("cross-object controls were evaluated")
                .anyMatch(key -> key.contains("/KP-RBAC-005/"))
                .anyMatch(key -> key.contains("/KP-NS-002/"))
                .anyMatch(key -> key.contains("/KP-IMG-004/"));
        assertThat(expected.values().stream().mapToInt(List::size).sum()).isGreaterThan(500);
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, records) -> assertThat(actual.get(key)).as(key).isEqualTo(records));
        int evaluation = EvaluationTasks.subtopology(spread.topics);
        List<Set<Integer>> perInstance = spread.instances.stream()
                .map(instance -> EvaluationTasks.partitions(instance, evaluation, ThreadMetadata::activeTasks)).toList();
        assertThat(perInstance).as("the spread application's four evaluation partitions, shared by both instances")
                .allSatisfy(partitions -> assertThat(partitions).isNotEmpty())
                .satisfies(all -> assertThat(all.stream().flatMap(Set::stream).collect(Collectors.toSet())).hasSize(4));
    }

    // ---------------------------------------------------------------- inputs

    private Instant at() {
        return BASE.plusSeconds(sequence++);
    }

    private void sendChange(List<Setup> setups, KafkaProducer<String, ResourceChange> producer, ChangeType type,
                            ObjectNode object) {
        ResourceChange change = Resources.change(CLUSTER, type, object.deepCopy(), "rv-" + sequence, at());
        change.setAuditId(type + "-" + change.getUid());
        send(setups, producer, s -> s.topics.resourceChanges().name(), Resources.key(change), change);
    }

    private static <V> void send(List<Setup> setups, KafkaProducer<String, V> producer,
                                 Function<Setup, String> topic, String key, V value) {
        for (Setup setup : setups) {
            producer.send(new ProducerRecord<>(topic.apply(setup), key, value));
        }
    }

    private static String kind(JsonNode object) {
        return object.path("kind").asText();
    }

    /** As the resource collector publishes Secrets: metadata only. */
    private static ObjectNode withoutSecretData(ObjectNode object) {
        if (kind(object).equals("Secret")) {
            object.remove(List.of("data", "stringData"));
        }
        return object;
    }

    private <V extends SpecificRecord> KafkaProducer<String, V> producer(RealServers servers, SchemaRegistryClient registry) {
        KafkaProducer<String, V> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new AvroSerializer<>(registry, false, true));
        toClose.add(producer);
        producers.add(producer);
        return producer;
    }

    private void awaitProcessed(List<Setup> setups, String phase) {
        producers.forEach(KafkaProducer::flush);
        await(phase + " processed by both applications").atMost(PHASE_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> setups.stream().allMatch(Setup::caughtUp));
    }

    // ---------------------------------------------------------------- the two applications

    private final class Setup {
        final RealServers servers;
        final Admin admin;
        final String name;
        final int partitions;
        final TopicCatalog topics;
        final String applicationId;
        final List<EvidenceService> instances = new ArrayList<>();

        Setup(RealServers servers, Admin admin, String name, int partitions) throws Exception {
            this.servers = servers;
            this.admin = admin;
            this.name = name;
            this.partitions = partitions;
            this.topics = new TopicCatalog(servers.uniqueName("partitioning-" + name) + ".");
            this.applicationId = servers.uniqueName("kubeproof-partitioning-" + name);
            // One partition per input topic: the upstream order of inputs is then the same for both applications, so
            // what differs between them is only how the evaluation is spread (the subject of this test).
            List<NewTopic> inputs = List.of(topics.resourceChanges(), topics.imageScans()).stream()
                    .map(spec -> new NewTopic(spec.name(), 1, (short) 1).configs(spec.configs())).toList();
            admin.createTopics(inputs).all().get(30, TimeUnit.SECONDS);
            TopicProvisioner.createTopics(admin, topics, (short) 1);
        }

        void start(int count) {
            for (int i = 0; i < count; i++) {
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("kafka.bootstrapServers", servers.kafkaBootstrapServers());
                settings.put("kafka.schemaRegistryUrl", servers.schemaRegistryUrl());
                settings.put("topicPrefix", topics.prefix());
                settings.put("applicationId", applicationId);
                settings.put("evaluationPartitions", Integer.toString(partitions));
                settings.put("stateDir", stateRoot.resolve(name + "-" + i).toString());
                settings.put("health.port", "0");
                EvidenceService service = EvidenceService.create(
                        ConfigLoader.load(null, EvidenceServiceConfig.class, settings, Map.of()), EvidenceMetrics.inMemory());
                toClose.add(service);
                service.start();
                instances.add(service);
            }
        }

        /**
         * Whether the application has processed everything sent: on the input topics (written without transactions)
         * the committed offset is the end; on its repartition topics (written in transactions, whose commit marker
         * takes an offset) it is at most one short of the end.
         */
        boolean caughtUp() {
            try {
                return offsetsAtEnd();
            } catch (Exception e) {
                throw new IllegalStateException(name + ": cannot read offsets", e);
            }
        }

        private boolean offsetsAtEnd() throws Exception {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> inputs = ends(List.of(topics.resourceChanges().name(), topics.imageScans().name()));
            Map<TopicPartition, Long> internal = ends(List.of(applicationId + "-" + EvidenceTopology.REPARTITION_CHANGES
                    + "-repartition", applicationId + "-" + EvidenceTopology.REPARTITION_SCANS + "-repartition"));
            Predicate<Map.Entry<TopicPartition, Long>> inputDone = end -> position(committed, end.getKey()) == end.getValue();
            Predicate<Map.Entry<TopicPartition, Long>> internalDone = end -> end.getValue() - position(committed, end.getKey()) <= 1;
            return inputs.entrySet().stream().allMatch(inputDone) && internal.entrySet().stream().allMatch(internalDone);
        }

        private long position(Map<TopicPartition, OffsetAndMetadata> committed, TopicPartition partition) {
            OffsetAndMetadata offset = committed.get(partition);
            return offset == null ? 0 : offset.offset();
        }

        private Map<TopicPartition, Long> ends(List<String> names) throws Exception {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, description) ->
                    description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }

        /** Per evidence key, its records in chain order as "sequence status since cause evidenceId"; chains verified. */
        Map<String, List<String>> evidence(SchemaRegistryClient registry) {
            try (TopicTail<EvidenceRecord> tail = new TopicTail<>(servers, topics.evidence().name(),
                    new AvroDeserializer<>(registry, EvidenceRecord.class))) {
                List<EvidenceRecord> all = new ArrayList<>();
                for (int empty = 0; empty < 3; ) {
                    int before = all.size();
                    all = tail.records();
                    empty = all.size() == before ? empty + 1 : 0;
                }
                assertThat(EvidenceChain.verifyAll(all).values()).as(name + ": every chain verifies")
                        .allSatisfy(v -> assertThat(v.valid()).as(v.toString()).isTrue());
                Map<String, List<String>> byKey = new TreeMap<>();
                all.stream().sorted(Comparator.comparingLong(r -> r.getChain().getSequence())).forEach(r ->
                        byKey.computeIfAbsent(EvidenceKey.of(r), k -> new ArrayList<>()).add(r.getChain().getSequence()
                                + " " + r.getStatus() + " " + r.getSince() + " " + r.getCause().getChangeType() + " "
                                + r.getCause().getScanId() + " " + r.getEvidenceId()));
                return byKey;
            }
        }
    }
}
