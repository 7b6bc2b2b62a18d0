package dev.kubeproof.ingest.resources;

import static dev.kubeproof.ingest.resources.Fixtures.namespace;
import static dev.kubeproof.ingest.resources.Fixtures.pod;
import static dev.kubeproof.ingest.resources.Fixtures.role;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig.LeaderElection;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The production collector ({@link ResourceCollector#create} on an {@link IngestRuntime}: durable producer,
 * Confluent-wire Avro through the real registry, the topic state read with a real consumer) against the real broker, with fabric8's mock API
 * server (CRUD mode) as Kubernetes.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY})
@EnableKubernetesMockClient(crud = true)
class ResourceCollectorIT {
    KubernetesClient client;

    /** A record read back from the topic; value null for a tombstone. */
    record Read(int partition, long offset, String key, ResourceChange value, byte[] raw) {
        ChangeType type() {
            return value == null ? null : value.getChangeType();
        }
    }

    @Test
    void shouldPublishChangesToTheCompactedTopicAndFindDeletesAfterARestart(RealServers servers) throws Exception {
        // Given: the catalog's topics on the real broker, the resource-changes topic compacted
        TopicCatalog topics = new TopicCatalog(servers.uniqueName("resources") + ".");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers.kafkaBootstrapServers()))) {
            TopicProvisioner.createTopics(admin, topics, (short) 1);
        }
        assertThat(topics.resourceChanges().configs()).containsEntry("cleanup.policy", "compact");
        String encoded = Base64.getEncoder().encodeToString("it-secret-value".getBytes(StandardCharsets.UTF_8));
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("vulnerabilityreports.aquasecurity.github.io").endMetadata()
                .withNewSpec().withGroup("aquasecurity.github.io").withScope("Namespaced")
                .withNewNames().withKind("VulnerabilityReport").withPlural("vulnerabilityreports").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true).endVersion()
                .endSpec().build()).create();
        GenericKubernetesResource report = client.getKubernetesSerialization().unmarshal(Files.readString(
                fixtures().resolve("trivy-operator/vulnerabilityreport_single_vuln.json")), GenericKubernetesResource.class);
        report.getMetadata().setResourceVersion(null);
        report.getMetadata().setUid(null);

        // When: a first collector sees pods, a role, a namespace and a secret come and go
        try (IngestRuntime runtime = runtime(servers, topics, "it-first")) {
            ResourceCollector collector = ResourceCollector.create(config(servers, topics, "it-first"),
                    client.getConfiguration(), runtime);
            runtime.manage(collector);
            collector.registerHealthChecks(runtime.health());
            runtime.health().start();
            collector.start();
            await().atMost(Duration.ofSeconds(60)).until(collector::isSynced);
            assertThat(status(runtime, "/readyz")).isEqualTo(200);
            client.namespaces().resource(namespace("shop")).create();
            client.pods().inNamespace("shop").resource(pod("shop", "web")).create();
            client.pods().inNamespace("shop").withName("web")
                    .edit(p -> new PodBuilder(p).editMetadata().addToLabels("tier", "frontend").endMetadata().build());
            client.pods().inNamespace("shop").withName("web").delete();
            client.rbac().roles().inNamespace("shop").resource(role("shop", "reader", "get")).create();
            client.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withNamespace("shop")
                    .withName("db").endMetadata().addToData("password", encoded).build()).create();
            client.genericKubernetesResources("aquasecurity.github.io/v1alpha1", "VulnerabilityReport")
                    .inNamespace("default").resource(report).create();

            // Then: the records are on the topic, keyed cluster/kind/namespace/name, the delete with its tombstone
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, List<ChangeType>> byKey = typesByKey(readAll(servers, topics));
                assertThat(byKey.get("it-cluster/Pod/shop/web"))
                        .containsExactly(ChangeType.ADDED, ChangeType.MODIFIED, ChangeType.DELETED, null);
                assertThat(byKey.get("it-cluster/Namespace/-/shop")).containsExactly(ChangeType.ADDED);
                assertThat(byKey.get("it-cluster/Role/shop/reader")).containsExactly(ChangeType.ADDED);
                assertThat(byKey.get("it-cluster/Secret/shop/db")).containsExactly(ChangeType.ADDED);
                assertThat(byKey.get("it-cluster/VulnerabilityReport/default/"
                        + "replicaset-nginx-deployment-965685897-nginx")).containsExactly(ChangeType.ADDED);
            });
            // And: the VulnerabilityReport is an ImageScan on the image-scans topic, keyed by image
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(readImageScans(servers, topics))
                    .containsOnlyKeys("index.docker.io/library/nginx:alpine")
                    .hasEntrySatisfying("index.docker.io/library/nginx:alpine",
                            scan -> assertThat(scan.getVulnerabilities()).hasSize(1)));
        }
        List<Read> firstRun = readAll(servers, topics);
        assertThat(firstRun).filteredOn(read -> read.key().equals("it-cluster/Pod/shop/web") && read.value() != null)
                .extracting(read -> read.value().getObject())
                .allSatisfy(object -> assertThat(object).doesNotContain("managedFields"));
        assertThat(firstRun).filteredOn(read -> read.raw() != null).allSatisfy(read ->
                assertThat(new String(read.raw(), StandardCharsets.ISO_8859_1)).doesNotContain(encoded));

        // When: while no collector runs, the role is deleted and a pod created; then a collector starts again
        client.rbac().roles().inNamespace("shop").withName("reader").delete();
        client.pods().inNamespace("shop").resource(pod("shop", "api")).create();
        try (IngestRuntime runtime = runtime(servers, topics, "it-second")) {
            ResourceCollector restarted = ResourceCollector.create(config(servers, topics, "it-second"),
                    client.getConfiguration(), runtime);
            runtime.manage(restarted);
            restarted.start();
            await().atMost(Duration.ofSeconds(60)).until(restarted::isSynced);

            // Then: the missed delete is published (finalStateUnknown, last known state) with a tombstone,
            // the new pod as ADDED, unchanged objects as SYNC
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<Read> second = after(firstRun, readAll(servers, topics));
                Map<String, List<ChangeType>> byKey = typesByKey(second);
                assertThat(byKey.get("it-cluster/Role/shop/reader")).containsExactly(ChangeType.DELETED, null);
                assertThat(byKey.get("it-cluster/Pod/shop/api")).containsExactly(ChangeType.ADDED);
                assertThat(byKey.get("it-cluster/Namespace/-/shop")).containsExactly(ChangeType.SYNC);
                assertThat(byKey.get("it-cluster/Secret/shop/db")).containsExactly(ChangeType.SYNC);
                assertThat(byKey.get("it-cluster/VulnerabilityReport/default/"
                        + "replicaset-nginx-deployment-965685897-nginx")).containsExactly(ChangeType.SYNC);
                assertThat(byKey).doesNotContainKey("it-cluster/Pod/shop/web");
            });
            ResourceChange recovered = readAll(servers, topics).stream()
                    .filter(read -> read.key().equals("it-cluster/Role/shop/reader") && read.type() == ChangeType.DELETED)
                    .findFirst().orElseThrow().value();
            assertThat(recovered.getFinalStateUnknown()).isTrue();
            assertThat(recovered.getObject()).contains("\"name\":\"reader\"");
            assertThat(restarted.metrics().recoveredDeleteCount("Role")).isEqualTo(1.0);
        }
    }

    private static IngestRuntime runtime(RealServers servers, TopicCatalog topics, String identity) {
        return IngestRuntime.create(config(servers, topics, identity).publisherConfig(), topics,
                new HealthConfig("127.0.0.1", 0));
    }

    private static int status(IngestRuntime runtime, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(runtime.health().baseUri() + path))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static ResourceCollectorConfig config(RealServers servers, TopicCatalog topics, String identity) {
        return ResourceCollectorConfig.of("it-cluster", servers.kafkaBootstrapServers(), servers.schemaRegistryUrl())
                .withTopicPrefix(topics.prefix())
                .withKinds(List.of("Pod", "Role", "Namespace", "Secret", "VulnerabilityReport"))
                .withResyncPeriod(Duration.ZERO)
                .withHealthPort(0)
                .withLeaderElection(new LeaderElection(true, "kubeproof", "it-lease", identity,
                        Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofMillis(500)));
    }

    /** Reads the resource-changes topic from the beginning to its current end. */
    private static List<Read> readAll(RealServers servers, TopicCatalog topics) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AvroDeserializer<ResourceChange> values = new AvroDeserializer<>();
        values.configure(Map.of(RegistryClientConfig.URL, servers.schemaRegistryUrl(),
                AvroDeserializer.VALUE_TYPE, ResourceChange.class.getName()), false);
        String topic = topics.resourceChanges().name();
        List<Read> reads = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            while (!end.isEmpty()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    reads.add(new Read(record.partition(), record.offset(), record.key(), values.deserialize(topic, record.value()), record.value()));
                }
                end.entrySet().removeIf(entry -> consumer.position(entry.getKey()) >= entry.getValue());
            }
        }
        // Records of one key share a partition, so per key they are in order.
        return reads;
    }

    private static Map<String, ImageScan> readImageScans(RealServers servers, TopicCatalog topics) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers());
        AvroDeserializer<ImageScan> values = new AvroDeserializer<>();
        values.configure(Map.of(RegistryClientConfig.URL, servers.schemaRegistryUrl(),
                AvroDeserializer.VALUE_TYPE, ImageScan.class.getName()), false);
        String topic = topics.imageScans().name();
        Map<String, ImageScan> scans = new HashMap<>();
        try (KafkaConsumer<String, ImageScan> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            while (!end.isEmpty()) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> scans.put(record.key(), record.value()));
                end.entrySet().removeIf(entry -> consumer.position(entry.getKey()) >= entry.getValue());
            }
        }
        return scans;
    }

    private static Path fixtures() {
        Path fixtures = Path.of(System.getProperty("kubeproof.fixtures", "missing"));
        assertThat(fixtures.resolve("trivy-operator")).as("shared fixtures (kubeproof.fixtures)").isDirectory();
        return fixtures;
    }

    /** The records that were not on the topic yet when {@code earlier} was read. */
    private static List<Read> after(List<Read> earlier, List<Read> all) {
        Map<Integer, Long> lastOffsets = new HashMap<>();
        earlier.forEach(read -> lastOffsets.merge(read.partition(), read.offset(), Math::max));
        return all.stream().filter(read -> read.offset() > lastOffsets.getOrDefault(read.partition(), -1L)).toList();
    }

    private static Map<String, List<ChangeType>> typesByKey(List<Read> reads) {
        Map<String, List<ChangeType>> byKey = new HashMap<>();
        reads.forEach(read -> byKey.computeIfAbsent(read.key(), k -> new ArrayList<>()).add(read.type()));
        return byKey;
    }
}
