package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.runtime.TestCertificates;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scan collector against the real broker and registry: reports from the directory and from HTTPS. */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY})
class ScanCollectorIT {
    private static final String TOKEN = "it-scanner-token-0123456789";

    @Test
    void shouldPublishReportsFromTheDirectoryAndTheEndpointKeyedByDigestOrRepositoryAndTag(RealServers servers,
                                                                                         @TempDir Path dir) throws Exception {
        // Given
        TopicCatalog topics = new TopicCatalog(servers.uniqueName("scans-it") + ".");
        servers.createTopics(topics.imageScans().partitions(), topics.imageScans().name());
        servers.createTopics(1, topics.deadLetters().name());
        TestCertificates certificates = TestCertificates.generate(dir.resolve("tls"));
        Path tokens = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        Path scans = Files.createDirectories(dir.resolve("scans"));
        KafkaConfig kafka = KafkaConfig.of(servers.kafkaBootstrapServers(), servers.schemaRegistryUrl(), "scans-it");
        ScanCollectorConfig config = new ScanCollectorConfig("it", kafka, topics.prefix(), null,
                new DirectorySourceConfig(scans, dir.resolve("scans.state"), 100),
                new ScanEndpointConfig("127.0.0.1", 0, "/scans", certificates.serverTlsWithoutClientCa(), null, tokens,
                        null, 30, 2), null);
        ObjectNode tagged = (ObjectNode) ScanFixtures.json(ScanFixtures.trivy("debian-buster.json.golden"));
        tagged.put("ArtifactName", "docker.io/library/debian:10.1");
        ((ObjectNode) tagged.get("Metadata")).remove("ImageID");

        try (IngestRuntime runtime = IngestRuntime.create(kafka, topics, new HealthConfig("127.0.0.1", 0))) {
            ScanCollector collector = new ScanCollector(config, runtime).start();
            runtime.manage(collector);
            HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientWithoutCertificate())
                    .version(HttpClient.Version.HTTP_1_1).build();

            // When: two reports dropped into the directory, two posted over HTTPS (one without a digest)
            drop(scans, "alpine.json", ScanFixtures.bytes(ScanFixtures.trivy("alpine-310.json.golden")));
            drop(scans, "ubi.json", ScanFixtures.bytes(ScanFixtures.trivy("ubi-7.json.golden")));
            HttpResponse<String> operator = post(client, collector.httpPort(),
                    ScanFixtures.bytes(ScanFixtures.operator("vulnerabilityreport_single_vuln.json")));
            HttpResponse<String> noDigest = post(client, collector.httpPort(), tagged.toString().getBytes());
            HttpResponse<String> anonymous = HttpClient.newBuilder().sslContext(certificates.clientWithoutCertificate()).build()
                    .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + collector.httpPort() + "/scans"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(ScanFixtures.bytes(ScanFixtures.trivy("pom.json.golden"))))
                            .build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30)).until(() -> collector.directoryWatcher().filesDone() == 2);

            // Then
            assertThat(operator.statusCode()).isEqualTo(200);
            assertThat(noDigest.statusCode()).isEqualTo(200);
            assertThat(noDigest.body()).contains("\"key\":\"docker.io/library/debian:10.1\"");
            assertThat(anonymous.statusCode()).isEqualTo(401);
        }
        AvroDeserializer<ImageScan> deserializer = new AvroDeserializer<>(new ConfluentRestSchemaRegistryClient(
                RegistryClientConfig.of(servers.schemaRegistryUrl())), ImageScan.class);
        Map<String, ImageScan> byKey = readAll(servers, topics.imageScans().name()).stream()
                .collect(Collectors.toMap(ConsumerRecord::key, r -> deserializer.deserialize(r.topic(), r.value())));
        assertThat(byKey).containsOnlyKeys(
                "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4",
                "sha256:6fecccc91c83e11ae4fede6793e9410841221d4779520c2b9e9fb7f7b3830264",
                "index.docker.io/library/nginx:alpine",
                "docker.io/library/debian:10.1");
        assertThat(byKey.get("sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4").getOs().getEndOfLife()).isTrue();
        assertThat(byKey.get("sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4").getSource()).startsWith("file:");
        assertThat(byKey.get("index.docker.io/library/nginx:alpine").getWorkload().getName()).isEqualTo("nginx-deployment-965685897");
        assertThat(byKey.get("docker.io/library/debian:10.1").getSource()).isEqualTo("http");
        assertThat(readAll(servers, topics.deadLetters().name())).isEmpty();
    }

    private static void drop(Path dir, String name, byte[] content) throws Exception {
        Path temp = Files.write(dir.resolve(name + ".part"), content);
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static HttpResponse<String> post(HttpClient client, int port, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/scans"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(RealServers servers, String topic) {
        Properties properties = new Properties();
        properties.putAll(servers.kafkaProperties());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
