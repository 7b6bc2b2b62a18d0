package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.cli.support.PipelineHarness;
import dev.kubeproof.contract.deadletter.DeadLetters;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.controls.exceptions.ExceptionRule;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.streams.EvidenceService;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * 10,000 bad records mixed into good traffic on every topic the evidence application and the sink read: bytes
 * that are not Avro, Avro of another schema, and records that decode but cannot be used (an object that is not
 * JSON, an exception without approver, an attestation without evidence). Every bad one is dead-lettered with its
 * reason, every good one is processed exactly once, and nothing stalls. (Oversized records cannot reach these
 * topics: the broker refuses them, and the collectors dead-letter them before, as their own tests show.)
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class BadInputIT {
    private static final String CLUSTER = "bad-input";
    private static final int GOOD_PODS = 1_000;
    private static final Duration WAIT = Duration.ofMinutes(3);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void shouldDeadLetterEveryBadRecordWithItsReasonAndProcessEveryGoodOneOnce(RealServers servers, @TempDir Path dir)
            throws Exception {
        // Given the evidence application and the sink
        PipelineHarness pipeline = new PipelineHarness(servers, "bad-input", dir);
        toClose.add(pipeline);
        EvidenceService streams = pipeline.startEvidence();
        SinkService sink = pipeline.startSink();
        Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20);
        KafkaProducer<String, byte[]> raw = toClose(new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer()));
        AvroSerializer<SpecificRecord> avro = new AvroSerializer<>(pipeline.registry, false, true);

        // When good and bad records are sent, interleaved, to every input topic
        Map<String, Integer> badByKind = new TreeMap<>();
        List<Future<RecordMetadata>> undecodable = new ArrayList<>();
        Set<String> unusableMarkers = new HashSet<>();
        String changes = pipeline.topics.resourceChanges().name();
        String scans = pipeline.topics.imageScans().name();
        String exceptions = pipeline.topics.controlExceptions().name();
        String attestations = pipeline.topics.attestations().name();
        String evidence = pipeline.topics.evidence().name();
        String audit = pipeline.topics.auditEvents().name();
        // Avro of another schema: a dead letter, registered under its own topic's subject
        byte[] wrongSchema = avro.serialize(pipeline.topics.deadLetters().name(), DeadLetters.of("test", "WRONG",
                "a dead letter is no resource change", new byte[0], Instant.now()));
        for (int i = 0; i < GOOD_PODS; i++) {
            ResourceChange good = PipelineHarness.change(CLUSTER, PipelineHarness.pod("ns-" + i % 20, "pod-" + i, i % 2 == 0,
                    "registry.example.com/app:" + i % 7));
            raw.send(new ProducerRecord<>(changes, good.getUid(), avro.serialize(changes, good)));
            // four bad resource changes per good one: not Avro, another schema, and a decodable change whose object is
            // not JSON (twice)
            undecodable.add(send(raw, changes, "garbage-" + i, ("not avro " + i).getBytes(StandardCharsets.UTF_8), badByKind, "changes: not Avro"));
            undecodable.add(send(raw, changes, "wrong-" + i, wrongSchema, badByKind, "changes: another schema"));
            for (int copy = 0; copy < 2; copy++) {
                ResourceChange broken = PipelineHarness.change(CLUSTER, PipelineHarness.pod("ns-" + i % 20, "broken-" + i + "-" + copy,
                        false, "x"));
                String marker = "{\"not json " + i + "-" + copy;
                broken.setObject(marker);
                unusableMarkers.add(marker);
                send(raw, changes, broken.getUid(), avro.serialize(changes, broken), badByKind, "changes: object is not JSON");
            }
            // two bad scans, one bad exception and one bad attestation of each sort, one bad evidence and audit record
            undecodable.add(send(raw, scans, "scan-garbage-" + i, new byte[] {1, 2, 3, (byte) i}, badByKind, "scans: not Avro"));
            undecodable.add(send(raw, scans, "scan-wrong-" + i, wrongSchema, badByKind, "scans: another schema"));
            if (i % 2 == 0) {
                undecodable.add(send(raw, exceptions, "ex-garbage-" + i, ("x" + i).getBytes(StandardCharsets.UTF_8), badByKind,
                        "exceptions: not Avro"));
                undecodable.add(send(raw, attestations, "att-garbage-" + i, ("x" + i).getBytes(StandardCharsets.UTF_8), badByKind,
                        "attestations: not Avro"));
            } else {
                ExceptionRule rule = new ExceptionRule("ex-bad-" + i, Set.of("KP-POD-001"), null, null, null, Set.of(), Map.of(),
                        "no approver", null, null, "approver", null, Instant.now(), Instant.now().plus(Duration.ofDays(1)), false);
                var invalid = rule.toRecord(Instant.now());
                invalid.setApprovedBy(" ");
                unusableMarkers.add("ex-bad-" + i);
                send(raw, exceptions, "ex-bad-" + i, avro.serialize(exceptions, invalid), badByKind, "exceptions: no approver");
                Attestation blank = Attestation.newBuilder().setAttestationId("att-bad-" + i).setControlId("KP-ATT-001")
                        .setAttestedBy("someone").setEvidenceUrl(" ").setAttestedAt(Instant.now())
                        .setValidUntil(Instant.now().plus(Duration.ofDays(1))).build();
                unusableMarkers.add("att-bad-" + i);
                send(raw, attestations, "att-bad-" + i, avro.serialize(attestations, blank), badByKind, "attestations: no evidence");
            }
            undecodable.add(send(raw, evidence, "evidence-garbage-" + i, ("e" + i).getBytes(StandardCharsets.UTF_8), badByKind,
                    "evidence (sink): not Avro"));
            undecodable.add(send(raw, audit, "audit-garbage-" + i, ("a" + i).getBytes(StandardCharsets.UTF_8), badByKind,
                    "audit events (sink): not Avro"));
        }
        raw.flush();
        int bad = badByKind.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("BadInputIT: %d good resource changes, %d bad records: %s%n", GOOD_PODS, bad, badByKind);
        assertThat(bad).isEqualTo(10_000);

        // Then every bad record is dead-lettered: the undecodable ones by their topic and offset, the unusable ones
        // by what they carry
        Set<String> undecodableOffsets = new HashSet<>();
        for (Future<RecordMetadata> sent : undecodable) {
            RecordMetadata metadata = sent.get();
            undecodableOffsets.add(metadata.topic() + "@" + metadata.partition() + ":" + metadata.offset());
        }
        PipelineHarness.Tail<DeadLetter> deadLetters = toClose(new PipelineHarness.Tail<>(servers,
                pipeline.topics.deadLetters().name(), new AvroDeserializer<>(pipeline.registry, DeadLetter.class)));
        await("every bad record dead-lettered").atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Set<String> letteredOffsets = new HashSet<>();
            Set<String> letteredMarkers = new HashSet<>();
            for (ConsumerRecord<String, DeadLetter> record : deadLetters.records()) {
                DeadLetter letter = record.value();
                letteredOffsets.add(letter.getTopic() + "@" + letter.getPartition() + ":" + letter.getOffset());
                String payload = StandardCharsets.UTF_8.decode(letter.getPayload().duplicate()).toString();
                unusableMarkers.stream().filter(m -> payload.contains(m) || letter.getReason().contains(m))
                        .forEach(letteredMarkers::add);
            }
            assertThat(undecodableOffsets).as("undecodable records dead-lettered").isSubsetOf(letteredOffsets);
            assertThat(letteredMarkers).as("unusable records dead-lettered").containsExactlyInAnyOrderElementsOf(unusableMarkers);
        });
        Map<String, Long> reasons = deadLetters.records().stream().map(r -> r.value().getSource() + " " + r.value().getErrorType())
                .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        System.out.printf("BadInputIT: %d dead letters by source and reason: %s%n", deadLetters.records().size(), reasons);
        assertThat(deadLetters.records()).allSatisfy(r -> assertThat(r.value().getReason()).isNotBlank());

        // And every good change was evaluated exactly once, and nothing stalled
        // (the evidence topic holds this test's garbage too: read what decodes)
        AvroDeserializer<EvidenceRecord> decoder = new AvroDeserializer<>(pipeline.registry, EvidenceRecord.class);
        PipelineHarness.Tail<EvidenceRecord> evidenceTail = toClose(new PipelineHarness.Tail<>(servers, evidence,
                (topic, bytes) -> {
                    try {
                        return decoder.deserialize(topic, bytes);
                    } catch (org.apache.kafka.common.errors.SerializationException garbage) {
                        return null;
                    }
                }));
        await("every good pod's evidence").atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(evidenceTail.records().stream().filter(r -> r.value() != null)
                        .filter(r -> r.value().getControlId().equals("KP-POD-001"))
                        .filter(r -> r.value().getResource().getName().startsWith("pod-"))
                        .map(r -> EvidenceKey.of(r.value())).distinct().count()).isEqualTo(GOOD_PODS));
        List<EvidenceRecord> records = evidenceTail.records().stream().map(ConsumerRecord::value)
                .filter(r -> r != null).toList();
        assertThat(records.stream().map(EvidenceRecord::getEvidenceId).distinct().count())
                .as("no evidence twice").isEqualTo(records.size());
        Map<String, Long> privilegedPerPod = new HashMap<>();
        records.stream().filter(r -> r.getControlId().equals("KP-POD-001") && r.getResource().getName().startsWith("pod-"))
                .forEach(r -> privilegedPerPod.merge(r.getResource().getName(), 1L, Long::sum));
        assertThat(privilegedPerPod.values()).as("one privileged verdict per good pod").containsOnly(1L);
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(sink.isPaused()).isFalse();
        System.out.printf("BadInputIT: %d evidence records for the good pods, none twice; streams %s%n", records.size(),
                streams.state());
    }

    private static Future<RecordMetadata> send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value,
                                               Map<String, Integer> counts, String kind) {
        counts.merge(kind, 1, Integer::sum);
        return producer.send(new ProducerRecord<>(topic, key, value));
    }

    private <T extends AutoCloseable> T toClose(T closeable) {
        toClose.add(closeable);
        return closeable;
    }
}
