package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.DeadLetter;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class AuditIngestorTest {

    @Test
    void shouldPublishEveryFalcoEventOnceWithItsKey() {
        // Given
        AuditHarness harness = new AuditHarness();
        int expected = 0;

        // When
        for (var file : AuditFixtures.falcoTraces()) {
            for (String line : AuditFixtures.events(file)) {
                harness.ingestor.ingestEvent(line.getBytes(StandardCharsets.UTF_8),
                        AuditIngestor.Source.file(file.toString())).join();
                expected++;
            }
        }

        // Then
        assertThat(harness.auditEvents()).hasSize(expected);
        assertThat(harness.deadLetters()).isEmpty();
        assertThat(harness.auditRecords()).extracting(ProducerRecord::key).allMatch(key -> key.startsWith("c1/"));
        assertThat(harness.metrics.publishedCount("test.audit-events", "ingest.audit-file")).isEqualTo(expected);
    }

    @Test
    void shouldPublishAWebhookEventListAndSkipResentDuplicates() {
        // Given
        AuditHarness harness = new AuditHarness();
        List<String> events = AuditFixtures.events(AuditFixtures.trace("create_configmap_sensitive_values.json"));
        byte[] body = AuditFixtures.eventList(events);

        // When: the apiserver sends the batch twice (e.g. after a timeout)
        AuditIngestor.Outcome first = harness.ingestor.ingestEventList(body, AuditIngestor.Source.WEBHOOK).join();
        AuditIngestor.Outcome second = harness.ingestor.ingestEventList(body, AuditIngestor.Source.WEBHOOK).join();

        // Then
        assertThat(first.published()).isEqualTo(6);
        assertThat(second.published()).isZero();
        assertThat(second.duplicates()).isEqualTo(6);
        assertThat(harness.auditEvents()).hasSize(6).extracting(AuditEvent::getSource).containsOnly("webhook");
    }

    @Test
    void shouldRejectBodiesOfNoKnownShapeSayingWhatWasExpected() {
        // Given
        AuditHarness harness = new AuditHarness();

        // When: not JSON, a Pod, and a single Event (a forwarder may post one)
        AuditIngestor.Outcome notJson = harness.ingestor.ingestEventList("{nope".getBytes(StandardCharsets.UTF_8),
                AuditIngestor.Source.WEBHOOK).join();
        AuditIngestor.Outcome pod = harness.ingestor.ingestEventList("{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}"
                .getBytes(StandardCharsets.UTF_8), AuditIngestor.Source.WEBHOOK).join();
        AuditIngestor.Outcome event = harness.ingestor.ingestEventList(AuditFixtures.events(
                AuditFixtures.trace("exec_pod.json")).get(0).getBytes(StandardCharsets.UTF_8), AuditIngestor.Source.WEBHOOK).join();

        // Then the first two are dead-lettered, the Pod with what would have been accepted; the Event is published
        assertThat(notJson.rejected()).isTrue();
        assertThat(pod.rejection()).contains("WRONG_KIND").contains("expected an audit.k8s.io Event or EventList");
        assertThat(event.published()).isEqualTo(1);
        assertThat(harness.deadLetters()).extracting(DeadLetter::getErrorType).containsExactly("MALFORMED_JSON", "WRONG_KIND");
        assertThat(harness.deadLetters()).extracting(DeadLetter::getSource).containsOnly("ingest.audit-webhook");
        assertThat(harness.auditEvents()).hasSize(1);
    }

    @Test
    void shouldFailTheFutureWhenKafkaRefusesAndPublishOnRetry() {
        // Given
        AuditHarness harness = new AuditHarness(false, RedactionConfig.none());
        byte[] line = AuditFixtures.events(AuditFixtures.trace("exec_pod.json")).get(0).getBytes(StandardCharsets.UTF_8);

        // When
        CompletableFuture<AuditIngestor.Outcome> first = harness.ingestor.ingestEvent(line, AuditIngestor.Source.WEBHOOK);
        harness.producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("no broker"));
        CompletableFuture<AuditIngestor.Outcome> retry = harness.ingestor.ingestEvent(line, AuditIngestor.Source.WEBHOOK);
        harness.producer.completeNext();

        // Then: the failed send is forgotten by the de-duplicator, so the retry is published
        assertThatThrownBy(first::join).hasMessageContaining("no broker");
        assertThat(retry.join().published()).isEqualTo(1);
    }

    /**
     * The base64 value of the Secret in create_secret.json must not be in any byte sent to any topic, whatever
     * path the event takes: good, resent, inside a bad batch, damaged in every way, or oversized.
     */
    @Test
    void shouldNeverPublishTheSecretValueInAnyByteOfAnyTopic() {
        // Given
        AuditHarness harness = new AuditHarness();
        String secret = AuditFixtures.secretValue();
        String plain = new String(Base64.getDecoder().decode(secret), StandardCharsets.UTF_8);
        List<String> secretFile = AuditFixtures.events(AuditFixtures.trace("create_secret.json"));
        String line = secretFile.get(0);
        List<byte[]> inputs = new ArrayList<>();
        for (var file : AuditFixtures.falcoTraces()) {
            AuditFixtures.events(file).forEach(event -> inputs.add(event.getBytes(StandardCharsets.UTF_8)));
        }
        for (int cut = 1; cut < line.length(); cut += 5) {
            inputs.add(line.substring(0, cut).getBytes(StandardCharsets.UTF_8));
            inputs.add(line.substring(cut).getBytes(StandardCharsets.UTF_8));
        }
        inputs.add(line.replace("\"ResponseComplete\"", "\"Finished\"").getBytes(StandardCharsets.UTF_8));
        inputs.add(line.replace("\"audit.k8s.io/v1\"", "\"audit.k8s.io/v9\"").getBytes(StandardCharsets.UTF_8));
        inputs.add(line.replace("\"objectRef\":{\"resource\":\"secrets\",", "\"objectRef\":{").getBytes(StandardCharsets.UTF_8));
        inputs.add(line.replace("\"auditID\":", "\"auditId\":").getBytes(StandardCharsets.UTF_8));
        inputs.add((line + " trailing").getBytes(StandardCharsets.UTF_8));
        inputs.add((line + "x".repeat(1024 * 1024)).getBytes(StandardCharsets.UTF_8));

        // When: as file lines, and as webhook batches
        for (byte[] input : inputs) {
            harness.ingestor.ingestEvent(input, AuditIngestor.Source.file("/var/log/audit.log")).join();
        }
        harness.ingestor.ingestEventList(AuditFixtures.eventList(secretFile), AuditIngestor.Source.WEBHOOK).join();
        harness.ingestor.ingestEventList(AuditFixtures.eventList(List.of(line, "{\"kind\":\"Event\"}",
                line.replace("\"Opaque\"", "7"))), AuditIngestor.Source.WEBHOOK).join();
        harness.ingestor.ingestEventList(("{\"kind\":\"EventList\",\"items\":[" + line).getBytes(StandardCharsets.UTF_8),
                AuditIngestor.Source.WEBHOOK).join();
        harness.ingestor.reject(AuditIngestor.Source.WEBHOOK, "OVERSIZED", "too big",
                AuditFixtures.eventList(secretFile)).join();

        // Then
        assertThat(harness.deadLetters()).hasSizeGreaterThan(100);
        assertThat(harness.auditEvents()).extracting(AuditEvent::getAuditId).contains("c07ab0e2-9b07-4cc6-8e3b-91ac69586a1f");
        for (ProducerRecord<String, byte[]> record : harness.producer.history()) {
            String value = record.value() == null ? "" : new String(record.value(), StandardCharsets.ISO_8859_1);
            assertThat(value).as("a record on %s", record.topic()).doesNotContain(secret).doesNotContain(plain);
            assertThat(record.key()).doesNotContain(secret);
        }
    }

    /**
     * At least 1,000 generated bad inputs mixed with good ones, through the real parsing and publishing path:
     * every good event is published exactly once, every bad input dead-lettered exactly once, and nothing stops.
     */
    @Test
    void shouldPublishEveryGoodEventOnceAndDeadLetterEveryBadInputOnce() {
        // Given
        AuditHarness harness = new AuditHarness();
        Random random = new Random(42);
        String template = AuditFixtures.events(AuditFixtures.trace("create_deployment.json")).get(0);
        List<Map.Entry<String, Boolean>> inputs = new ArrayList<>();
        Map<String, String> badKinds = new HashMap<>();
        for (int i = 0; i < 800; i++) {
            inputs.add(Map.entry(good(template, "good-" + i), true));
        }
        List<Function<String, String>> breakers = breakers(template);
        for (int i = 0; i < 1200; i++) {
            int kind = i % breakers.size();
            String marker = "bad-" + i;
            inputs.add(Map.entry(breakers.get(kind).apply(marker), false));
            badKinds.put(marker, Integer.toString(kind));
        }
        Collections.shuffle(inputs, random);

        // When: about half as file lines, half as items of webhook batches of up to 50 (an item that is not JSON
        // would make the whole batch unreadable, so those go as lines)
        List<String> batch = new ArrayList<>();
        int sentAsLines = 0;
        for (Map.Entry<String, Boolean> input : inputs) {
            if (random.nextBoolean() || !isJson(harness, input.getKey())) {
                harness.ingestor.ingestEvent(input.getKey().getBytes(StandardCharsets.UTF_8),
                        AuditIngestor.Source.file("/audit.log")).join();
                sentAsLines++;
            } else {
                batch.add(input.getKey());
                if (batch.size() == 50) {
                    sendBatch(harness, batch);
                }
            }
        }
        sendBatch(harness, batch);

        // Then
        assertThat(sentAsLines).isBetween(900, 1300);
        Map<String, Long> published = harness.auditEvents().stream()
                .collect(Collectors.groupingBy(AuditEvent::getAuditId, Collectors.counting()));
        assertThat(published).hasSize(800).allSatisfy((id, count) -> {
            assertThat(id).startsWith("good-");
            assertThat(count).isEqualTo(1L);
        });
        List<DeadLetter> letters = harness.deadLetters();
        assertThat(letters).hasSize(1200);
        Map<String, Long> markers = letters.stream().map(AuditIngestorTest::markerOf)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(markers).hasSize(1200).allSatisfy((marker, count) -> assertThat(count).isEqualTo(1L));
        assertThat(markers.keySet()).isEqualTo(badKinds.keySet());
        assertThat(letters).extracting(DeadLetter::getErrorType).contains("MALFORMED_JSON", "WRONG_KIND",
                "WRONG_API_VERSION", "MISSING_FIELD", "UNKNOWN_ENUM", "INVALID_VALUE");
        assertThat(harness.metrics.deadLetterCount("ingest.audit-file") + harness.metrics.deadLetterCount("ingest.audit-webhook"))
                .isEqualTo(1200);
    }

    private static boolean isJson(AuditHarness harness, String text) {
        try {
            harness.mapper.readTree(text);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void sendBatch(AuditHarness harness, List<String> batch) {
        if (!batch.isEmpty()) {
            AuditIngestor.Outcome outcome = harness.ingestor.ingestEventList(AuditFixtures.eventList(batch),
                    AuditIngestor.Source.WEBHOOK).join();
            assertThat(outcome.published() + outcome.deadLettered()).isEqualTo(batch.size());
            batch.clear();
        }
    }

    private static String good(String template, String auditId) {
        return AuditEventParserTest.with(AuditEventParserTest.with(template, "auditID", "\"" + auditId + "\""),
                "marker", "\"" + auditId + "\"");
    }

    /** Ways to break an event; each keeps a leading "marker" field so that its dead letter can be traced. */
    private static List<Function<String, String>> breakers(String template) {
        return List.of(
                marker -> "{\"marker\":\"" + marker + "\", \"kind\": \"Event\", oops",
                marker -> withMarker(AuditEventParserTest.with(template, "kind", "\"Pod\""), marker),
                marker -> withMarker(AuditEventParserTest.with(template, "apiVersion", "\"audit.k8s.io/v7\""), marker),
                marker -> withMarker(AuditEventParserTest.without(template, "auditID"), marker),
                marker -> withMarker(AuditEventParserTest.without(template, "verb"), marker),
                marker -> withMarker(AuditEventParserTest.with(template, "stage", "\"Sideways\""), marker),
                marker -> withMarker(AuditEventParserTest.with(template, "level", "\"Loud\""), marker),
                marker -> withMarker(AuditEventParserTest.with(template, "stageTimestamp", "\"not a time\""), marker),
                marker -> withMarker(AuditEventParserTest.with(template, "user", "\"root\""), marker),
                marker -> "{\"marker\":\"" + marker + "\"}",
                marker -> withMarker(AuditEventParserTest.with(template, "auditID", "\"x\""), marker)
                        .replace("\"stage\":", "\"stage\":\"\",\"x\":"),
                marker -> "{\"marker\":\"" + marker + "\",\"kind\":\"Event\"} {\"trailing\":true}");
    }

    private static String withMarker(String event, String marker) {
        // the marker goes first, so that even a dead letter cut at a parse error keeps it
        return "{\"marker\":\"" + marker + "\"," + event.substring(1);
    }

    private static String markerOf(DeadLetter letter) {
        String payload = AuditHarness.payloadOf(letter);
        int start = payload.indexOf("\"marker\":\"");
        assertThat(start).as("marker in dead letter %s", payload).isGreaterThanOrEqualTo(0);
        int from = start + "\"marker\":\"".length();
        return payload.substring(from, payload.indexOf('"', from));
    }

    @Test
    void shouldNeverLetALiteralCredentialInAPodsEnvLeaveTheCollector() {
        // Given a pod created with DB_PASSWORD written in its env (and so in kubectl's last-applied annotation),
        // as a good event, as an event with a bad field (dead-lettered whole), and cut off mid-way (unparseable)
        String password = "hunter2-do-not-leak";
        String pod = "{\\\"kind\\\":\\\"Pod\\\",\\\"spec\\\":{\\\"containers\\\":[{\\\"name\\\":\\\"app\\\",\\\"env\\\":[{\\\"name\\\":\\\"DB_PASSWORD\\\",\\\"value\\\":\\\"" + password + "\\\"}]}]}}";
        String event = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Request\",\"auditID\":\"p-1\","
                + "\"stage\":\"ResponseComplete\",\"verb\":\"create\",\"requestURI\":\"/api/v1/namespaces/shop/pods\","
                + "\"user\":{\"username\":\"alice\"},\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"shop\",\"name\":\"web\"},"
                + "\"responseStatus\":{\"code\":201},\"requestReceivedTimestamp\":\"2026-03-01T12:00:00Z\","
                + "\"stageTimestamp\":\"2026-03-01T12:00:00Z\",\"requestObject\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\","
                + "\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"" + pod + "\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"" + password
                + "\"},{\"name\":\"LOG_LEVEL\",\"value\":\"debug\"}]}]}}}";
        AuditHarness harness = new AuditHarness();

        // When each is ingested
        harness.ingestor.ingestEvent(event.getBytes(StandardCharsets.UTF_8), AuditIngestor.Source.WEBHOOK).join();
        harness.ingestor.ingestEvent(event.replace("\"level\":\"Request\"", "\"level\":\"Loud\"")
                .getBytes(StandardCharsets.UTF_8), AuditIngestor.Source.WEBHOOK).join();
        harness.ingestor.ingestEvent(event.substring(0, event.length() - 20).getBytes(StandardCharsets.UTF_8),
                AuditIngestor.Source.WEBHOOK).join();

        // Then the value is on no topic: the event says where it was replaced, and the harmless value stays
        AuditEvent published = harness.auditEvents().get(0);
        assertThat(published.getRequestObject()).doesNotContain(password).contains(dev.kubeproof.contract.redaction.CredentialValues.MARKER)
                .contains("\"debug\"");
        assertThat(published.getRedactions()).contains("requestObject: literal credential value replaced at spec.containers[0].env[0] (DB_PASSWORD)");
        assertThat(harness.deadLetters()).hasSize(2);
        assertThat(harness.auditRecords().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)))
                .noneMatch(text -> text.contains(password));
        assertThat(harness.deadLetters()).allSatisfy(letter -> {
            assertThat(new String(letter.getPayload().array(), StandardCharsets.UTF_8)).doesNotContain(password);
            assertThat(letter.getReason()).doesNotContain(password);
        });
    }
}
