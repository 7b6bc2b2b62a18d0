package dev.kubeproof.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
import dev.kubeproof.sink.documents.AuditDocuments;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.documents.ViolationDocuments;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.testkit.MutableClock;

/** The sink's loop on a MockConsumer: commits only finished batches, pauses while Elasticsearch is away, resumes. */
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
}
