package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.net.ssl.SSLContext;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicSpec;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.runtime.TestCertificates;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The audit collector against the real broker and registry: webhook over TLS, and the file tailer across a restart. */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCollectorIT {
    private static final String TOKEN = "it-apiserver-token-0123456789";

    private Path dir;
    private RealServers servers;
    private TestCertificates certificates;
    private Path tokens;
    private AvroDeserializer<AuditEvent> deserializer;

    @BeforeAll
    void setUp(RealServers servers, @TempDir Path dir) throws Exception {
        this.servers = servers;
        this.dir = dir;
        certificates = TestCertificates.generate(dir.resolve("tls"));
        tokens = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        deserializer = new AvroDeserializer<>(new ConfluentRestSchemaRegistryClient(
                RegistryClientConfig.of(servers.schemaRegistryUrl())), AuditEvent.class);
    }

    private TopicCatalog topics(String name) {
        TopicCatalog topics = new TopicCatalog(servers.uniqueName(name) + ".");
        servers.createTopics(topics.auditEvents().partitions(), topics.auditEvents().name());
        servers.createTopics(1, topics.deadLetters().name());
        return topics;
    }

    private IngestRuntime runtime(TopicCatalog topics) {
        return IngestRuntime.create(KafkaConfig.of(servers.kafkaBootstrapServers(), servers.schemaRegistryUrl(),
                "audit-it"), topics, new HealthConfig("127.0.0.1", 0));
    }

    private AuditCollectorConfig webhookConfig(TopicCatalog topics) {
        return new AuditCollectorConfig("it", KafkaConfig.of(servers.kafkaBootstrapServers(),
                servers.schemaRegistryUrl(), "audit-it"), topics.prefix(), null,
                new WebhookConfig("127.0.0.1", 0, "/audit", certificates.serverTls(), tokens, null, null, 30, 2),
                null, null, null, null);
    }

    private List<ConsumerRecord<String, byte[]>> read(TopicSpec topic) {
        return KafkaTopicReader.readAll(servers, topic.name());
    }

    private AuditEvent decode(ConsumerRecord<String, byte[]> record) {
        return deserializer.deserialize(record.topic(), record.value());
    }

    private static HttpResponse<String> post(int port, SSLContext tls, String authorization, byte[] body) throws Exception {
        return post(HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build(), port,
                authorization, body);
    }

    /** With the caller's client: one connection for many posts, as an apiserver keeps it. */
    private static HttpResponse<String> post(HttpClient client, int port, String authorization, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/audit"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void shouldDeliverEveryFalcoFixtureOnce(SSLContext tls, String authorization) throws Exception {
        // Given
        TopicCatalog topics = topics("audit-webhook");
        try (IngestRuntime runtime = runtime(topics)) {
            AuditCollector collector = new AuditCollector(webhookConfig(topics), runtime).start();
            runtime.manage(collector);
            Map<String, String> expectedKeys = new HashMap<>();
            int events = 0;

            // When: each trace file is one webhook batch
            for (Path trace : AuditFixtures.falcoTraces()) {
                List<String> lines = AuditFixtures.events(trace);
                for (String line : lines) {
                    var node = AuditFixtures.json(line);
                    expectedKeys.put(node.get("auditID").asText() + "/" + node.get("stage").asText(),
                            AuditEventParserTest.KEYS.get(trace.getFileName().toString()).replaceFirst("^c1/", "it/"));
                }
                events += lines.size();
                HttpResponse<String> response = post(collector.webhookPort(), tls, authorization, AuditFixtures.eventList(lines));
                // Then: 200 means Kafka has the batch
                assertThat(response.statusCode()).as(trace.getFileName().toString()).isEqualTo(200);
            }

            // Then: every event once, keyed by its object, nothing dead-lettered
            List<ConsumerRecord<String, byte[]>> records = read(topics.auditEvents());
            assertThat(records).hasSize(events);
            Map<String, String> keys = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                AuditEvent event = decode(record);
                assertThat(keys.put(event.getAuditId() + "/" + event.getStage(), record.key())).isNull();
                assertThat(event.getSource()).isEqualTo("webhook");
            }
            assertThat(keys).isEqualTo(expectedKeys);
            assertThat(read(topics.deadLetters())).isEmpty();
            String secret = AuditFixtures.secretValue();
            assertThat(records).allSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.ISO_8859_1)).doesNotContain(secret));
        }
    }

    @Test
    void shouldDeliverEveryFalcoFixturePostedWithAClientCertificateOnceCorrectlyKeyed() throws Exception {
        shouldDeliverEveryFalcoFixtureOnce(certificates.clientWithCertificate(), null);
    }

    @Test
    void shouldDeliverEveryFalcoFixturePostedWithABearerTokenOnceCorrectlyKeyed() throws Exception {
        shouldDeliverEveryFalcoFixtureOnce(certificates.clientWithoutCertificate(), "Bearer " + TOKEN);
    }

    @Test
    void shouldDeadLetterEveryBadBodyWithItsReasonAndDeliverEveryGoodEventOnceInMixedTraffic() throws Exception {
        // Given the webhook (bodies up to 8 KiB) and an apiserver's client
        TopicCatalog topics = topics("audit-bad");
        try (IngestRuntime runtime = runtime(topics)) {
            WebhookConfig webhook = webhookConfig(topics).webhook();
            AuditCollectorConfig config = new AuditCollectorConfig("it", KafkaConfig.of(servers.kafkaBootstrapServers(),
                    servers.schemaRegistryUrl(), "audit-it"), topics.prefix(), null,
                    new WebhookConfig(webhook.host(), 0, webhook.path(), webhook.tls(), tokens, null, 8192, 30, 2),
                    null, null, null, null);
            AuditCollector collector = new AuditCollector(config, runtime).start();
            runtime.manage(collector);
            String event = AuditFixtures.events(AuditFixtures.trace("exec_pod.json")).get(0);
            String auditId = AuditFixtures.json(event).get("auditID").asText();
            byte[] padding = new byte[9000];
            java.util.Arrays.fill(padding, (byte) 'x');
            String oversized = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[],\"pad\":\""
                    + new String(padding, StandardCharsets.US_ASCII) + "\"}";
            HttpClient apiserver = HttpClient.newBuilder().sslContext(certificates.clientWithCertificate())
                    .version(HttpClient.Version.HTTP_1_1).build();

            // When 1,000 bad bodies (malformed, oversized, not an EventList) are posted between 100 good batches
            Map<Integer, Integer> statuses = new java.util.TreeMap<>();
            int good = 0;
            for (int i = 0; i < 1_100; i++) {
                byte[] body = switch (i % 11) {
                    case 0 -> AuditFixtures.eventList(List.of(event.replace(auditId,
                            java.util.UUID.nameUUIDFromBytes(("good-" + i).getBytes(StandardCharsets.UTF_8)).toString())));
                    case 1, 2, 3, 4 -> ("{\"items\": [" + i).getBytes(StandardCharsets.UTF_8);
                    case 5, 6, 7 -> oversized.getBytes(StandardCharsets.UTF_8);
                    default -> ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"code\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                };
                good += i % 11 == 0 ? 1 : 0;
                statuses.merge(post(apiserver, collector.webhookPort(), null, body).statusCode(), 1, Integer::sum);
            }

            // Then every good event is published once, every bad body answered 4xx and dead-lettered with its reason
            List<ConsumerRecord<String, byte[]>> published = read(topics.auditEvents());
            assertThat(published).hasSize(good).extracting(r -> decode(r).getAuditId()).doesNotHaveDuplicates();
            assertThat(statuses).containsEntry(200, good).containsEntry(400, 400 + 300)
                    .containsEntry(413, 300);
            AvroDeserializer<dev.kubeproof.avro.DeadLetter> letters = new AvroDeserializer<>(
                    new ConfluentRestSchemaRegistryClient(RegistryClientConfig.of(servers.schemaRegistryUrl())),
                    dev.kubeproof.avro.DeadLetter.class);
            Map<String, Long> reasons = read(topics.deadLetters()).stream()
                    .map(r -> letters.deserialize(r.topic(), r.value()))
                    .collect(Collectors.groupingBy(dev.kubeproof.avro.DeadLetter::getErrorType, java.util.TreeMap::new,
                            Collectors.counting()));
            System.out.printf("AuditCollectorIT: %d good events published once; 1,000 bad bodies answered %s and "
                    + "dead-lettered %s%n", good, statuses, reasons);
            assertThat(reasons).containsEntry("MALFORMED_JSON", 400L).containsEntry("OVERSIZED", 300L)
                    .containsEntry("WRONG_KIND", 300L);
        }
    }

    @Test
    void shouldPublishNothingForAnUnauthenticatedPost() throws Exception {
        // Given
        TopicCatalog topics = topics("audit-unauth");
        try (IngestRuntime runtime = runtime(topics)) {
            AuditCollector collector = new AuditCollector(webhookConfig(topics), runtime).start();
            runtime.manage(collector);
            byte[] everything = AuditFixtures.eventList(AuditFixtures.falcoTraces().stream()
                    .flatMap(trace -> AuditFixtures.events(trace).stream()).toList());

            // When
            HttpResponse<String> anonymous = post(collector.webhookPort(), certificates.clientWithoutCertificate(), null, everything);
            HttpResponse<String> badToken = post(collector.webhookPort(), certificates.clientWithoutCertificate(),
                    "Bearer not-the-token-0123456789", everything);
            // and then one authenticated event, so that reading up to it shows everything before it
            HttpResponse<String> sentinel = post(collector.webhookPort(), certificates.clientWithCertificate(), null,
                    AuditFixtures.eventList(AuditFixtures.events(AuditFixtures.trace("exec_pod.json"))));

            // Then
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(badToken.statusCode()).isEqualTo(401);
            assertThat(sentinel.statusCode()).isEqualTo(200);
            assertThat(read(topics.auditEvents())).singleElement()
                    .satisfies(r -> assertThat(decode(r).getAuditId()).isEqualTo("ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6"));
            assertThat(read(topics.deadLetters())).isEmpty();
        }
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenTheTailerIsStoppedMidFileAndRestarted() throws Exception {
        // Given: a log of 300 events, tailed one line per batch so that the stop lands mid-file
        TopicCatalog topics = topics("audit-file");
        Path log = dir.resolve("tail/audit.log");
        Files.createDirectories(log.getParent());
        String template = AuditFixtures.events(AuditFixtures.trace("create_deployment.json")).get(0);
        Files.writeString(log, lines(template, 0, 300));
        AuditCollectorConfig config = new AuditCollectorConfig("it", KafkaConfig.of(servers.kafkaBootstrapServers(),
                servers.schemaRegistryUrl(), "audit-it"), topics.prefix(), null, null,
                List.of(new FileSourceConfig(log, dir.resolve("tail/position"), 20, 1)), null, null, null);
        long stoppedAt;
        try (IngestRuntime runtime = runtime(topics)) {
            AuditCollector first = new AuditCollector(config, runtime).start();
            AuditFileTailer tailer = first.tailers().get(0);
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(60)).until(() -> tailer.linesCommitted() >= 30);

            // When: stopped abruptly in the middle of the file
            first.close();
            stoppedAt = tailer.committedOffset();
        }
        Files.writeString(log, lines(template, 300, 400), StandardOpenOption.APPEND);
        try (IngestRuntime runtime = runtime(topics)) {
            AuditCollector second = new AuditCollector(config, runtime).start();
            runtime.manage(second);
            await().atMost(Duration.ofSeconds(120)).until(() -> second.tailers().get(0).committedOffset() == Files.size(log));
        }

        // Then
        assertThat(stoppedAt).isPositive().isLessThan(Files.size(log) - 1);
        Map<String, Long> counts = read(topics.auditEvents()).stream().map(this::decode)
                .collect(Collectors.groupingBy(AuditEvent::getAuditId, Collectors.counting()));
        assertThat(counts).hasSize(400).containsOnlyKeys(IntStream.range(0, 400).mapToObj(i -> "line-" + i).toList());
        assertThat(counts.values()).containsOnly(1L);
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenTheTailerIsKilledBetweenKafkasAckAndThePositionWrite() throws Exception {
        // Given: two batches of 50 tailed; the position of the first one saved aside
        TopicCatalog topics = topics("audit-kill");
        Path log = dir.resolve("kill/audit.log");
        Path position = dir.resolve("kill/position");
        Files.createDirectories(log.getParent());
        String template = AuditFixtures.events(AuditFixtures.trace("create_deployment.json")).get(0);
        Files.writeString(log, lines(template, 0, 50));
        AuditCollectorConfig config = new AuditCollectorConfig("it", KafkaConfig.of(servers.kafkaBootstrapServers(),
                servers.schemaRegistryUrl(), "audit-it"), topics.prefix(), null, null,
                List.of(new FileSourceConfig(log, position, 20, 50)), null, null, null);
        Path beforeLastBatch = dir.resolve("kill/position-before-last-batch");
        try (IngestRuntime runtime = runtime(topics)) {
            AuditCollector first = new AuditCollector(config, runtime).start();
            runtime.manage(first);
            await().atMost(Duration.ofSeconds(60)).until(() -> first.tailers().get(0).committedOffset() == Files.size(log));
            Files.copy(position, beforeLastBatch);
            Files.writeString(log, lines(template, 50, 100), StandardOpenOption.APPEND);
            await().atMost(Duration.ofSeconds(60)).until(() -> first.tailers().get(0).committedOffset() == Files.size(log));
        }
        // When: the position is what a kill after Kafka's ack of the second batch leaves; someone else's record
        // that is no audit event sits on the topic; more lines arrive while down
        Files.copy(beforeLastBatch, position, StandardCopyOption.REPLACE_EXISTING);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(servers.kafkaProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.auditEvents().name(), "not-ours", "garbage".getBytes(StandardCharsets.UTF_8))).get();
        }
        Files.writeString(log, lines(template, 100, 120), StandardOpenOption.APPEND);
        try (IngestRuntime runtime = runtime(topics)) {
            AuditCollector second = new AuditCollector(config, runtime).start();
            runtime.manage(second);
            await().atMost(Duration.ofSeconds(120)).until(() -> second.tailers().get(0).committedOffset() == Files.size(log));
            assertThat(runtime.metrics().publishedCount(topics.auditEvents().name(), "ingest.audit-file")).isEqualTo(20.0);
        }

        // Then: every event exactly once
        Map<String, Long> counts = read(topics.auditEvents()).stream().filter(r -> !"not-ours".equals(r.key()))
                .map(this::decode).collect(Collectors.groupingBy(AuditEvent::getAuditId, Collectors.counting()));
        assertThat(counts).containsOnlyKeys(IntStream.range(0, 120).mapToObj(i -> "line-" + i).toList());
        assertThat(counts.values()).containsOnly(1L);
        assertThat(read(topics.deadLetters())).isEmpty();
    }

    private static String lines(String template, int from, int to) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < to; i++) {
            lines.add(AuditEventParserTest.with(template, "auditID", "\"line-" + i + "\""));
        }
        return String.join("\n", lines) + "\n";
    }
}
