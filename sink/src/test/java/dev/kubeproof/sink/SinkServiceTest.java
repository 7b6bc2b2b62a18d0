package dev.kubeproof.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.retry.RetryPolicy;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerdes;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.contract.retry.Backoff;
import dev.kubeproof.sink.delivery.BatchProcessor;
import dev.kubeproof.sink.delivery.FakeElasticsearch;
import dev.kubeproof.sink.delivery.RecordingDeadLetters;
import dev.kubeproof.sink.delivery.WriteResult;
import dev.kubeproof.sink.documents.AuditDocuments;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.documents.IndexAction;
import dev.kubeproof.sink.documents.ViolationDocuments;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.testkit.MutableClock;

/**
 * The sink's loop on a MockConsumer: sends the next batch while the one before is in flight, commits only finished
 * batches and in order, pauses while Elasticsearch is away, resumes.
 */
class SinkServiceTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2025-05-01T00:00:00Z"));
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serializer<EvidenceRecord> serializer = AvroSerdes.value(EvidenceRecord.class, registry).serializer();
    private final TopicCatalog topics = TopicCatalog.defaults();
    private final TopicPartition partition = new TopicPartition(topics.evidence().name(), 0);
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final FakeElasticsearch elasticsearch = new FakeElasticsearch();
    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
    private final SinkMetrics metrics = new SinkMetrics(new SimpleMeterRegistry());
    private SinkService service;
    private IndexNames names;
    private long offset;

    @BeforeEach
    void setUp() {
        ElasticsearchConfig es = ElasticsearchConfig.of(java.net.URI.create("http://es:9200"));
        names = IndexNames.of(es);
        SinkConfig config = SinkConfig.of("broker:9092", "http://registry", topics, es);
        BatchProcessor processor = new BatchProcessor(names, new EvidenceDocuments(names, ControlCatalog.empty()),
                new ViolationDocuments(names, ControlCatalog.empty(), "ecs"), new AuditDocuments(names),
                new AvroDeserializer<>(registry, EvidenceRecord.class), new AvroDeserializer<>(registry, AuditEvent.class),
                new AvroDeserializer<>(registry, dev.kubeproof.avro.Checkpoint.class),
                new dev.kubeproof.sink.documents.ScannerFindingDocuments(names, check -> List.of("KP-" + check)),
                new AvroDeserializer<>(registry, dev.kubeproof.avro.ScannerFinding.class),
                elasticsearch, deadLetters, clock, metrics);
        Backoff backoff = new Backoff(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(8)), clock, () -> 0.999);
        service = new SinkService(config, consumer, processor, () -> { }, backoff, metrics);
        consumer.assign(List.of(partition));
        consumer.updateBeginningOffsets(Map.of(partition, 0L));
    }

    private void add(int count) {
        for (int i = 0; i < count; i++) {
            EvidenceRecord record = TestEvidence.transition("pod-" + offset, 1, null, EvidenceStatus.PASS, TestEvidence.T0);
            consumer.addRecord(new ConsumerRecord<>(partition.topic(), 0, offset++,
                    TestEvidence.key(record).getBytes(StandardCharsets.UTF_8), serializer.serialize(partition.topic(), record)));
        }
    }

    private Long committed() {
        OffsetAndMetadata committed = consumer.committed(java.util.Set.of(partition)).get(partition);
        return committed == null ? null : committed.offset();
    }

    @Test
    void shouldCommitABatchOnlyOnceEveryRecordIsIndexed() {
        // Given three records
        add(3);
        // When the loop takes a turn with Elasticsearch up
        service.step();
        // Then all are indexed and the offset after the last is committed
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(3);
        assertThat(committed()).isEqualTo(3L);
        assertThat(service.isPaused()).isFalse();
    }

    @Test
    void shouldPauseWhileElasticsearchIsDownAndResumeWithNothingLostOrSkipped() {
        // Given Elasticsearch down and three records
        elasticsearch.down = true;
        add(3);

        // When the loop takes a turn
        service.step();
        // Then nothing is committed and consumption is paused
        assertThat(committed()).isNull();
        assertThat(service.isPaused()).isTrue();
        assertThat(consumer.paused()).containsExactly(partition);
        assertThat(metrics.registry().get("kubeproof.sink.paused").gauge().value()).isEqualTo(1.0);

        // And more records arriving meanwhile are not fetched, and no attempt is made before the backoff passes
        add(2);
        int requests = elasticsearch.requests.size();
        service.step();
        assertThat(elasticsearch.requests).hasSize(requests);

        // When the backoff passes while still down
        clock.advance(Duration.ofSeconds(1));
        service.step();
        // Then another attempt fails, still nothing committed, the wait grows
        assertThat(elasticsearch.requests).hasSize(requests + 1);
        assertThat(committed()).isNull();

        // When Elasticsearch is back and the backoff passes
        elasticsearch.down = false;
        clock.advance(Duration.ofSeconds(2));
        service.step();
        // Then the first batch is indexed, committed, and consumption resumes
        assertThat(committed()).isEqualTo(3L);
        assertThat(service.isPaused()).isFalse();
        assertThat(consumer.paused()).isEmpty();

        // And the records that arrived during the outage follow: all five indexed once, none skipped
        service.step();
        assertThat(committed()).isEqualTo(5L);
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(5);
        assertThat(deadLetters.letters).isEmpty();
    }

    @Test
    void shouldCommitPastADeadLetteredRecord() {
        // Given a record that is not Avro between two good ones
        add(1);
        consumer.addRecord(new ConsumerRecord<>(partition.topic(), 0, offset++, null, "garbage".getBytes(StandardCharsets.UTF_8)));
        add(1);
        // When the loop takes a turn
        service.step();
        // Then the bad one is dead-lettered, the good ones indexed, and all three committed
        assertThat(deadLetters.letters).singleElement().satisfies(l -> assertThat(l.getOffset()).isEqualTo(1L));
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(2);
        assertThat(committed()).isEqualTo(3L);
    }

    @Test
    void shouldNotCommitWhileADeadLetterCannotBeWritten() {
        deadLetters.failing = true;
        consumer.addRecord(new ConsumerRecord<>(partition.topic(), 0, offset++, null, "garbage".getBytes(StandardCharsets.UTF_8)));
        service.step();
        assertThat(committed()).isNull();
        assertThat(service.isPaused()).isTrue();
        deadLetters.failing = false;
        clock.advance(Duration.ofSeconds(1));
        service.step();
        assertThat(committed()).isEqualTo(1L);
        assertThat(deadLetters.letters).hasSize(1);
    }

    @Test
    void shouldSendTheNextPollsWritesWhileThePreviousOnesAreStillInFlight() {
        // Given three records, and two more fetched by the time the first batch is sent
        add(3);
        consumer.schedulePollTask(() -> { });
        consumer.schedulePollTask(() -> add(2));

        // When the loop takes a turn
        service.step();
        // Then the second batch was handed over before the answers to the first were awaited; only the first is committed
        assertThat(elasticsearch.events).containsExactly("send 1", "send 2", "wait 1");
        assertThat(committed()).isEqualTo(3L);

        // When the loop takes another turn with nothing more fetched
        service.step();
        // Then the second batch is committed too: all five indexed once
        assertThat(elasticsearch.events).containsExactly("send 1", "send 2", "wait 1", "wait 2");
        assertThat(committed()).isEqualTo(5L);
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(5);
    }

    @Test
    void shouldCommitNoBatchAfterOneThatNeedsAnotherAttempt() {
        // Given a first batch whose last document Elasticsearch turns away once, and a second batch sent meanwhile
        add(3);
        consumer.schedulePollTask(() -> { });
        consumer.schedulePollTask(() -> add(2));
        AtomicBoolean refused = new AtomicBoolean();
        elasticsearch.override = action -> action instanceof IndexAction.Create create
                && new String(create.json(), StandardCharsets.UTF_8).contains("pod-2") && refused.compareAndSet(false, true)
                ? WriteResult.retry("es_rejected_execution_exception", "queue full") : null;

        // When the loop takes a turn
        service.step();
        // Then the second batch is indexed but, with the first unfinished, nothing is committed and consumption pauses
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(4);
        assertThat(committed()).isNull();
        assertThat(service.isPaused()).isTrue();

        // When the backoff passes
        clock.advance(Duration.ofSeconds(1));
        service.step();
        // Then only the refused document is sent again, both batches are committed in order, and consumption resumes
        assertThat(elasticsearch.requests).last().satisfies(request -> assertThat(request).hasSize(1));
        assertThat(elasticsearch.count(names.evidence())).isEqualTo(5);
        assertThat(committed()).isEqualTo(5L);
        assertThat(service.isPaused()).isFalse();
    }

    @Test
    void shouldHoldBackATombstoneUntilTheWriteOfTheSameDocumentBeforeItIsAnswered() {
        // Given a scanner finding, and its tombstone fetched by the time the finding's batch is sent
        TopicPartition findings = new TopicPartition(topics.scannerFindings().name(), 0);
        consumer.assign(List.of(partition, findings));
        consumer.updateBeginningOffsets(Map.of(findings, 0L));
        Serializer<dev.kubeproof.avro.ScannerFinding> findingSerializer =
                AvroSerdes.value(dev.kubeproof.avro.ScannerFinding.class, registry).serializer();
        byte[] key = "prod/Deployment/shop/web/KSV017".getBytes(StandardCharsets.UTF_8);
        consumer.addRecord(new ConsumerRecord<>(findings.topic(), 0, 0, key, findingSerializer.serialize(findings.topic(),
                TestEvidence.trivyFinding("web", "KSV017", false, TestEvidence.T0))));
        consumer.schedulePollTask(() -> { });
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(findings.topic(), 0, 1, key, null)));

        // When the loop takes a turn
        service.step();
        // Then the tombstone was sent only after the finding's answer: the finding is gone, not resurrected
        assertThat(elasticsearch.events).containsExactly("send 1", "wait 1", "send 2");
        service.step();
        assertThat(elasticsearch.count(names.scannerFindings())).isZero();
        assertThat(consumer.committed(java.util.Set.of(findings)).get(findings).offset()).isEqualTo(2L);
    }
}
