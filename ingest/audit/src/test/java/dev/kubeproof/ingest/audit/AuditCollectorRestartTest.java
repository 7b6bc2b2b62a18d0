package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.runtime.KafkaConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill between Kafka's acknowledgement and the position write leaves the position of the batch before: the
 * restarted collector re-reads that batch, and must recognise its events from what the topic already holds.
 * The MockProducer's history plays the topic.
 */
class AuditCollectorRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TEMPLATE = AuditFixtures.events(AuditFixtures.trace("create_deployment.json")).get(0);

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("audit.log");
    }

    private Path position() {
        return dir.resolve("state/audit.position");
    }

    private AuditCollectorConfig config() {
        return new AuditCollectorConfig("c1", KafkaConfig.of("127.0.0.1:9", "http://127.0.0.1:9", "test"), "test.",
                null, null, List.of(new FileSourceConfig(log(), position(), 20, 5)), null, null, null);
    }

    private static String lines(int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> AuditEventParserTest.with(TEMPLATE, "auditID", "\"e-" + i + "\"") + "\n")
                .collect(Collectors.joining());
    }

    private void append(String text) throws IOException {
        Files.writeString(log(), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void awaitCommitted(AuditCollector collector, Path log) {
        await().atMost(WAIT).until(() -> collector.tailers().get(0).committedOffset() == Files.size(log));
    }

    /** Tails two batches, then leaves the position file as a kill after the second batch's acknowledgement would. */
    private void publishTwoBatchesAndLoseTheLastPositionWrite(AuditHarness harness) throws IOException {
        append(lines(0, 5));
        AuditCollector first = new AuditCollector(config(), harness.publisher, harness.deadLetters, harness.topics,
                RecentAuditEvents.none()).start();
        awaitCommitted(first, log());
        Path beforeLastBatch = Files.copy(position(), dir.resolve("position-before-last-batch"));
        append(lines(5, 10));
        awaitCommitted(first, log());
        first.close();
        Files.copy(beforeLastBatch, position(), StandardCopyOption.REPLACE_EXISTING);
    }

    private Map<String, Long> publishedCounts(AuditHarness harness) {
        return harness.auditEvents().stream().collect(Collectors.groupingBy(AuditEvent::getAuditId, Collectors.counting()));
    }

    @Test
    void shouldNotPublishTheBatchReReadFromAStalePositionAgainButPublishTheNewLines() throws IOException {
        // Given
        AuditHarness harness = new AuditHarness();
        publishTwoBatchesAndLoseTheLastPositionWrite(harness);
        assertThat(FilePosition.load(position()).offset()).isEqualTo(lines(0, 5).length());
        append(lines(10, 13));

        // When: restarted, primed with what the topic holds
        List<AuditEvent> onTheTopic = harness.auditEvents();
        AuditCollector second = new AuditCollector(config(), harness.publisher, harness.deadLetters, harness.topics,
                () -> onTheTopic).start();
        awaitCommitted(second, log());
        second.close();

        // Then: e-5..e-9 were re-read but not sent again; e-10..e-12 were sent once
        Map<String, Long> counts = publishedCounts(harness);
        assertThat(counts).containsOnlyKeys(IntStream.range(0, 13).mapToObj(i -> "e-" + i).toList());
        assertThat(counts.values()).containsOnly(1L);
        assertThat(harness.auditEvents()).extracting(AuditEvent::getAuditId).endsWith("e-10", "e-11", "e-12");
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void shouldPublishTheReReadBatchAgainWhenNothingIsKnownOfTheTopic() throws IOException {
        // Given: the same kill, but a restart that knows nothing of what was published (the behaviour fixed above)
        AuditHarness harness = new AuditHarness();
        publishTwoBatchesAndLoseTheLastPositionWrite(harness);

        // When
        AuditCollector second = new AuditCollector(config(), harness.publisher, harness.deadLetters, harness.topics,
                RecentAuditEvents.none()).start();
        awaitCommitted(second, log());
        second.close();

        // Then
        Map<String, Long> counts = publishedCounts(harness);
        assertThat(counts).containsEntry("e-4", 1L).containsEntry("e-5", 2L).containsEntry("e-9", 2L);
    }

    @Test
    void shouldStartTheTailersWhenTheRecentEventsCannotBeRead() throws IOException {
        // Given
        AuditHarness harness = new AuditHarness();
        append(lines(0, 3));

        // When
        AuditCollector collector = new AuditCollector(config(), harness.publisher, harness.deadLetters, harness.topics,
                () -> {
                    throw new IllegalStateException("Kafka is not reachable");
                }).start();
        awaitCommitted(collector, log());
        collector.close();

        // Then
        assertThat(publishedCounts(harness)).containsOnlyKeys("e-0", "e-1", "e-2");
    }

    @Test
    void shouldLookBackTwiceTheBatchLinesOfAllFilesPerPartitionCappedByTheCache() {
        // Given
        KafkaConfig kafka = KafkaConfig.of("127.0.0.1:9", "http://127.0.0.1:9", "test");
        List<FileSourceConfig> files = List.of(new FileSourceConfig(log(), position(), null, 500),
                new FileSourceConfig(dir.resolve("b.log"), dir.resolve("b.position"), null, 100));

        // Then
        assertThat(AuditCollector.recentEventsPerPartition(new AuditCollectorConfig("c1", kafka, null, null, null, files,
                null, null, null))).isEqualTo(1200);
        assertThat(AuditCollector.recentEventsPerPartition(new AuditCollectorConfig("c1", kafka, null, null, null, files,
                null, null, 1000))).isEqualTo(1000);
    }
}
