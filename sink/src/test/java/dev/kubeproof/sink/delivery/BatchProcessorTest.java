package dev.kubeproof.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.ScannerFinding;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerdes;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.SinkMetrics;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.config.SinkConfig.Input;
import dev.kubeproof.sink.documents.AuditDocuments;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.documents.IndexAction;
import dev.kubeproof.sink.documents.ViolationDocuments;
import dev.kubeproof.sink.elasticsearch.IndexNames;

class BatchProcessorTest {
    private static final Instant NOW = Instant.parse("2025-05-01T00:00:00Z");
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serde<EvidenceRecord> evidenceSerde = AvroSerdes.value(EvidenceRecord.class, registry);
    private final Serde<AuditEvent> auditSerde = AvroSerdes.value(AuditEvent.class, registry);
    private final Serde<ScannerFinding> findingSerde = AvroSerdes.value(ScannerFinding.class, registry);
    private final IndexNames names = IndexNames.of(ElasticsearchConfig.of(java.net.URI.create("http://es:9200")));
    private final FakeElasticsearch elasticsearch = new FakeElasticsearch();
    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
    private final SinkMetrics metrics = new SinkMetrics(new SimpleMeterRegistry());
    private final BatchProcessor processor = processor(EnumSet.allOf(Input.class));
    private long offset;

    private BatchProcessor processor(Set<Input> inputs) {
        return new BatchProcessor(inputs, names, new EvidenceDocuments(names, ControlCatalog.empty()),
                new ViolationDocuments(names, ControlCatalog.empty(), "ecs"), new AuditDocuments(names),
                new AvroDeserializer<>(registry, EvidenceRecord.class), new AvroDeserializer<>(registry, AuditEvent.class),
                new AvroDeserializer<>(registry, dev.kubeproof.avro.Checkpoint.class),
                new dev.kubeproof.sink.documents.ScannerFindingDocuments(names, check -> List.of("KP-" + check)),
                new AvroDeserializer<>(registry, dev.kubeproof.avro.ScannerFinding.class),
                elasticsearch, deadLetters, Clock.fixed(NOW, ZoneOffset.UTC), metrics);
    }

    private BatchItem evidence(EvidenceRecord record) {
        return new BatchItem(Input.EVIDENCE, "kubeproof.evidence", 0, offset++, bytes(TestEvidence.key(record)),
                evidenceSerde.serializer().serialize("kubeproof.evidence", record));
    }

    private BatchItem state(String key, EvidenceRecord record) {
        return new BatchItem(Input.POSTURE, "kubeproof.evidence-state", 1, offset++, bytes(key),
                record == null ? null : evidenceSerde.serializer().serialize("kubeproof.evidence-state", record));
    }

    private BatchItem audit(AuditEvent event) {
        return new BatchItem(Input.AUDIT, "kubeproof.audit-events", 2, offset++, bytes("k"),
                auditSerde.serializer().serialize("kubeproof.audit-events", event));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteEveryInputAndFinishTheBatch() {
        // Given one record of each input
        EvidenceRecord failing = TestEvidence.failing("web-1");
        Batch batch = new Batch(List.of(evidence(failing), state(TestEvidence.key(failing), failing),
                audit(TestEvidence.audit("a-1", "create", "{}"))));
        // When attempted once
        BatchProcessor.Attempt attempt = processor.attempt(batch);
        // Then everything is written, the failure's violation made from its evidence, and the batch may be committed
        assertThat(attempt.finished()).isTrue();
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(1);
        assertThat(elasticsearch.count(names.posture())).isEqualTo(1);
        assertThat(elasticsearch.count(names.violations())).isEqualTo(1);
        assertThat(elasticsearch.count(names.audit())).isEqualTo(1);
        assertThat(elasticsearch.count(names.misconfigurations())).as("posture as an Elastic misconfiguration finding").isEqualTo(1);
        assertThat(deadLetters.letters).isEmpty();
        assertThat(metrics.count("kubeproof.sink.writes", "outcome", "written")).isEqualTo(5);
    }

    @Test
    void shouldLeaveOutTheMisconfigurationFindingsWhenTheInputsDo() {
        // Given a sink configured without the misconfiguration findings (nobody uses Kibana's Findings view)
        BatchProcessor withoutFindings = processor(EnumSet.complementOf(EnumSet.of(Input.MISCONFIGURATIONS)));
        EvidenceRecord failing = TestEvidence.failing("web-1");
        Batch batch = new Batch(List.of(evidence(failing), state(TestEvidence.key(failing), failing)));
        // When attempted
        BatchProcessor.Attempt attempt = withoutFindings.attempt(batch);
        // Then the posture is written and its misconfiguration copy is not
        assertThat(attempt.finished()).isTrue();
        assertThat(elasticsearch.count(names.posture())).isEqualTo(1);
        assertThat(elasticsearch.count(names.misconfigurations())).isZero();
        assertThat(metrics.count("kubeproof.sink.writes", "outcome", "written")).isEqualTo(3);
    }

    @Test
    void shouldDeadLetterTheDocumentThatFailsMappingAndWriteTheRestOfItsBatch() {
        // Given three failures, the second of whose violation documents Elasticsearch cannot map
        List<BatchItem> items = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            items.add(evidence(TestEvidence.failing("web-" + i)));
        }
        String badId = TestEvidence.failing("web-2").getEvidenceId();
        elasticsearch.override = a -> a.id().equals(badId) && a.index().equals(names.violations())
                ? WriteResult.deadLetter("MAPPING", "document_parsing_exception: failed to parse field [event.severity]") : null;
        Batch batch = new Batch(items);
        // When attempted
        BatchProcessor.Attempt attempt = processor.attempt(batch);
        // Then the batch is finished: two written, one dead-lettered with the reason and where it came from
        assertThat(attempt.finished()).isTrue();
        assertThat(elasticsearch.count(names.violations())).isEqualTo(2);
        assertThat(deadLetters.letters).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo("MAPPING");
            assertThat(letter.getReason()).contains("event.severity");
            assertThat(letter.getSource()).isEqualTo("sink.elasticsearch");
            assertThat(letter.getTopic()).isEqualTo("kubeproof.evidence");
            assertThat(letter.getOffset()).isEqualTo(1L);
            assertThat(letter.getOccurredAt()).isEqualTo(NOW);
            assertThat(letter.getPayloadSize()).isPositive();
        });
        assertThat(items.get(1).state()).isEqualTo(BatchItem.State.DEAD_LETTERED);
    }

    @Test
    void shouldDeadLetterUnreadableRecords() {
        BatchItem garbage = new BatchItem(Input.EVIDENCE, "kubeproof.evidence", 0, 7, null, bytes("not avro at all"));
        BatchItem noValue = new BatchItem(Input.AUDIT, "kubeproof.audit-events", 0, 8, null, null);
        Batch batch = new Batch(List.of(garbage, noValue));
        assertThat(processor.attempt(batch).finished()).isTrue();
        assertThat(deadLetters.letters).extracting(l -> l.getErrorType())
                .containsExactly("DESERIALIZATION", "MISSING_VALUE");
    }

    @Test
    void shouldRetryOnlyWhatWasNotWrittenUntilEverythingIs() {
        // Given a batch of which Elasticsearch refuses one document with 429 the first time
        EvidenceRecord a = TestEvidence.transition("web-1", 1, null, EvidenceStatus.PASS, TestEvidence.T0);
        EvidenceRecord b = TestEvidence.transition("web-2", 1, null, EvidenceStatus.PASS, TestEvidence.T0);
        int[] refusals = {1};
        elasticsearch.override = action -> action.id().equals(b.getEvidenceId()) && refusals[0]-- > 0
                ? WriteResult.retry("es_rejected_execution_exception", "429") : null;
        Batch batch = new Batch(List.of(evidence(a), evidence(b)));
        // When attempted twice
        BatchProcessor.Attempt first = processor.attempt(batch);
        BatchProcessor.Attempt second = processor.attempt(batch);
        // Then the first attempt leaves the refused write, the second sends only it
        assertThat(first.finished()).isFalse();
        assertThat(first.problem()).contains("es_rejected_execution_exception");
        assertThat(second.finished()).isTrue();
        assertThat(elasticsearch.requests.get(1)).extracting(IndexAction::id).containsExactly(b.getEvidenceId());
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(2);
    }

    @Test
    void shouldKeepTheWholeBatchWhileElasticsearchIsDownAndLoseNothing() {
        // Given Elasticsearch down
        elasticsearch.down = true;
        List<BatchItem> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            items.add(evidence(TestEvidence.transition("web-" + i, 1, null, EvidenceStatus.PASS, TestEvidence.T0)));
        }
        Batch batch = new Batch(items);
        // When attempted several times while down
        for (int i = 0; i < 3; i++) {
            assertThat(processor.attempt(batch).finished()).isFalse();
        }
        // Then nothing is lost or dead-lettered, and once it is back everything is written exactly once
        assertThat(deadLetters.letters).isEmpty();
        elasticsearch.down = false;
        assertThat(processor.attempt(batch).finished()).isTrue();
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(5);
    }

    @Test
    void shouldCountAReplayedCreateAsDone() {
        EvidenceRecord record = TestEvidence.failing("web-1");
        assertThat(processor.attempt(new Batch(List.of(evidence(record)))).finished()).isTrue();
        Batch replay = new Batch(List.of(evidence(record)));
        assertThat(processor.attempt(replay).finished()).isTrue();
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(1);
        assertThat(elasticsearch.count(names.violations())).isEqualTo(1);
        // the history and the violation document: both created once, both found done on the replay
        assertThat(metrics.count("kubeproof.sink.writes", "outcome", "already_done")).isEqualTo(2);
    }

    @Test
    void shouldNotFinishWhileDeadLettersCannotBeWritten() {
        deadLetters.failing = true;
        Batch batch = new Batch(List.of(new BatchItem(Input.EVIDENCE, "kubeproof.evidence", 0, 9, null, bytes("not avro"))));
        BatchProcessor.Attempt attempt = processor.attempt(batch);
        assertThat(attempt.finished()).isFalse();
        assertThat(attempt.problem()).contains("dead letters");
        deadLetters.failing = false;
        assertThat(processor.attempt(batch).finished()).isTrue();
        assertThat(deadLetters.letters).hasSize(1);
    }

    @Test
    void shouldTakeTheTimeToRemediateFromTheRecordItself() {
        // Given web-2 fixed two hours after its failure began, as the topology records it (previousSince)
        EvidenceRecord fix = EvidenceRecord.newBuilder(TestEvidence.transition("web-2", 2, EvidenceStatus.FAIL,
                EvidenceStatus.CLOSED, TestEvidence.T0.plus(Duration.ofHours(2)))).setPreviousSince(TestEvidence.T0).build();
        // When attempted
        assertThat(processor.attempt(new Batch(List.of(evidence(fix)))).finished()).isTrue();
        // Then the remediation carries how long the failure lasted, with no read of Elasticsearch (the writer has none)
        String fixed = new String(((IndexAction.Create) elasticsearch.indices.get(names.evidence()).get(fix.getEvidenceId())).json());
        assertThat(fixed).contains("\"time_to_remediate_seconds\":7200");
    }

    @Test
    void shouldWriteOnlyTheLastPostureOfAKeyInABatchAndApplyTombstones() {
        // Given three states of one key and then the key's tombstone, and another key's state
        EvidenceRecord s1 = TestEvidence.transition("web-1", 1, null, EvidenceStatus.FAIL, TestEvidence.T0);
        EvidenceRecord s2 = TestEvidence.transition("web-1", 2, EvidenceStatus.FAIL, EvidenceStatus.PASS, TestEvidence.T0);
        EvidenceRecord other = TestEvidence.transition("web-9", 1, null, EvidenceStatus.PASS, TestEvidence.T0);
        String key = TestEvidence.key(s1);
        Batch first = new Batch(List.of(state(key, s1), state(key, s2), state(TestEvidence.key(other), other)));
        // When attempted
        assertThat(processor.attempt(first).finished()).isTrue();
        // Then one write per key, the latest state
        assertThat(elasticsearch.requests.get(0)).as("posture and misconfiguration of two keys").hasSize(4);
        assertThat(((IndexAction.Upsert) elasticsearch.indices.get(names.posture()).get(key)).version()).isEqualTo(2);
        // And a tombstone deletes the key's document
        assertThat(processor.attempt(new Batch(List.of(state(key, null)))).finished()).isTrue();
        assertThat(elasticsearch.indices.get(names.posture())).doesNotContainKey(key).containsKey(TestEvidence.key(other));
    }

    private BatchItem finding(String key, String deployment, Instant reportedAt) {
        String topic = "kubeproof.scanner-findings";
        return new BatchItem(Input.SCANNER_FINDINGS, topic, 3, offset++, bytes(key), reportedAt == null ? null
                : findingSerde.serializer().serialize(topic, TestEvidence.trivyFinding(deployment, "KSV017", false, reportedAt)));
    }

    @Test
    void shouldNotWriteAScannerFindingThatATombstoneLaterInTheBatchDeletes() {
        // Given a finding, then its tombstone, and another finding, in one batch
        Batch batch = new Batch(List.of(finding("web/KSV017", "web", NOW), finding("web/KSV017", "web", null),
                finding("api/KSV017", "api", NOW)));
        // When attempted
        assertThat(processor.attempt(batch).finished()).isTrue();
        // Then the deleted finding is not written (its write and the tombstone could land in either order), the
        // tombstone and the other finding are
        assertThat(elasticsearch.requests).singleElement().satisfies(request -> assertThat(request).hasSize(2));
        assertThat(elasticsearch.requests.get(0).get(0)).isInstanceOf(IndexAction.Delete.class);
        assertThat(elasticsearch.count(names.scannerFindings())).isEqualTo(1);
    }

    @Test
    void shouldWriteEveryReportOfAScannerFindingInABatchForTheirVersionsToDecide() {
        // Given a finding's newer report and then a late copy of an older one, in one batch
        Batch batch = new Batch(List.of(finding("web/KSV017", "web", NOW), finding("web/KSV017", "web", NOW.minusSeconds(3600))));
        // When attempted
        assertThat(processor.attempt(batch).finished()).isTrue();
        // Then both are sent: the later offset is the older report, which Elasticsearch's external version turns away
        assertThat(elasticsearch.requests).singleElement().satisfies(request -> assertThat(request)
                .extracting(action -> ((IndexAction.Upsert) action).version())
                .containsExactly(NOW.toEpochMilli(), NOW.minusSeconds(3600).toEpochMilli()));
    }
}
