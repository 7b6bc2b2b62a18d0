package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.DeadLetter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditFileTailerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TEMPLATE = AuditFixtures.events(AuditFixtures.trace("create_deployment.json")).get(0);

    @TempDir
    Path dir;
    private final List<AuditFileTailer> tailers = new ArrayList<>();

    @AfterEach
    void stopTailers() {
        tailers.forEach(AuditFileTailer::close);
    }

    private Path log() {
        return dir.resolve("audit.log");
    }

    private AuditFileTailer tail(AuditHarness harness, int maxBatchLines) {
        FileSourceConfig config = new FileSourceConfig(log(), dir.resolve("state/audit.position"), 20, maxBatchLines);
        AuditFileTailer tailer = new AuditFileTailer(config, harness.ingestor, harness.metrics, 4096).start();
        tailers.add(tailer);
        return tailer;
    }

    private static String line(String auditId) {
        return AuditEventParserTest.with(TEMPLATE, "auditID", "\"" + auditId + "\"");
    }

    private static String lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> line("e-" + i) + "\n").collect(Collectors.joining());
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static Map<String, Long> countByAuditId(List<AuditEvent> events) {
        return events.stream().collect(Collectors.groupingBy(AuditEvent::getAuditId, Collectors.counting()));
    }

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "e-" + i).toList();
    }

    @Test
    void shouldPublishEveryEventOfEveryFalcoTraceSkippingBlankLines() throws IOException {
        // Given: all trace files one after the other, blank lines included
        int events = 0;
        for (Path trace : AuditFixtures.falcoTraces()) {
            append(log(), Files.readString(trace));
            events += AuditFixtures.events(trace).size();
        }
        AuditHarness harness = new AuditHarness();

        // When
        AuditFileTailer tailer = tail(harness, 500);

        // Then
        int expected = events;
        await().atMost(WAIT).until(() -> harness.auditEvents().size() >= expected);
        await().atMost(WAIT).until(() -> tailer.committedOffset() == Files.size(log()));
        assertThat(harness.auditEvents()).hasSize(expected)
                .extracting(AuditEvent::getSource).containsOnly("file:" + log());
        assertThat(harness.deadLetters()).isEmpty();
        assertThat(FilePosition.load(dir.resolve("state/audit.position")).offset()).isEqualTo(Files.size(log()));
    }

    @Test
    void shouldWaitForTheNewlineOfAnIncompleteLastLine() throws IOException {
        // Given
        String second = line("e-1");
        append(log(), line("e-0") + "\n" + second.substring(0, 40));
        AuditHarness harness = new AuditHarness();

        // When
        tail(harness, 500);
        await().atMost(WAIT).until(() -> harness.auditEvents().size() == 1);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> harness.producer.history().size() == 1);
        append(log(), second.substring(40) + "\n");

        // Then
        await().atMost(WAIT).until(() -> harness.auditEvents().size() == 2);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void shouldDeadLetterBadLinesAndOversizedLinesAndKeepGoing() throws IOException {
        // Given
        append(log(), line("e-0") + "\nnot json at all\n" + "{\"kind\":\"Event\"}\n" + "x".repeat(10_000) + "\n" + line("e-1") + "\n");
        AuditHarness harness = new AuditHarness();

        // When
        AuditFileTailer tailer = tail(harness, 500);

        // Then
        await().atMost(WAIT).until(() -> harness.auditEvents().size() == 2 && tailer.committedOffset() == Files.size(log()));
        assertThat(harness.deadLetters()).extracting(DeadLetter::getErrorType)
                .containsExactlyInAnyOrder("MALFORMED_JSON", "MISSING_FIELD", "OVERSIZED");
        assertThat(harness.deadLetters()).extracting(DeadLetter::getSource).containsOnly("ingest.audit-file");
    }

    @Test
    void shouldFollowRotationByRenameAndNewFile() throws IOException {
        // Given
        append(log(), lines(0, 10));
        AuditHarness harness = new AuditHarness();
        tail(harness, 500);
        await().atMost(WAIT).until(() -> harness.auditEvents().size() == 10);

        // When: the apiserver writes more, renames the file and starts a new one
        append(log(), lines(10, 15));
        Files.move(log(), dir.resolve("audit-2024-06-01T12-00-00.000.log"));
        append(log(), lines(15, 22));

        // Then: the rest of the old file and all of the new one, once each
        await().atMost(WAIT).until(() -> harness.auditEvents().size() >= 22);
        assertThat(countByAuditId(harness.auditEvents())).containsOnlyKeys(ids(0, 22)).allSatisfy((id, n) -> assertThat(n).isOne());
    }

    @Test
    void shouldResumeAfterAStopMidFileWithoutGapOrDuplicate() throws Exception {
        // Given: a producer that acknowledges only when told, and a file of 200 events
        append(log(), lines(0, 200));
        AuditHarness first = new AuditHarness(false, RedactionConfig.none());
        AuditFileTailer tailer = tail(first, 5);
        for (int acknowledged = 0; acknowledged < 23; acknowledged++) {
            await().atMost(WAIT).until(() -> first.producer.history().size() > 0 && first.producer.completeNext());
        }

        // When: stopped in the middle of the file (the batch in flight is finished, nothing after it is sent)
        CompletableFuture<Void> stop = CompletableFuture.runAsync(tailer::close);
        while (!stop.isDone()) {
            first.producer.completeNext();
            Thread.onSpinWait();
        }
        long stoppedAt = tailer.committedOffset();
        first.producer.flush();
        // and restarted with a new process (a new producer)
        AuditHarness second = new AuditHarness();
        tail(second, 5);

        // Then
        assertThat(stoppedAt).isBetween(1L, Files.size(log()) - 1);
        await().atMost(WAIT).until(() -> first.auditEvents().size() + second.auditEvents().size() >= 200);
        List<AuditEvent> all = new ArrayList<>(first.auditEvents());
        all.addAll(second.auditEvents());
        assertThat(countByAuditId(all)).containsOnlyKeys(ids(0, 200)).allSatisfy((id, n) -> assertThat(n).isOne());
        assertThat(second.auditEvents().get(0).getAuditId()).isEqualTo("e-" + first.auditEvents().size());
    }

    @Test
    void shouldFinishAFileRotatedWhileStoppedBeforeTheNewOne() throws IOException {
        // Given
        append(log(), lines(0, 10));
        AuditHarness first = new AuditHarness();
        AuditFileTailer tailer = tail(first, 500);
        await().atMost(WAIT).until(() -> tailer.committedOffset() == Files.size(log()));
        tailer.close();

        // When: while stopped, the file grows, is rotated, and the new file gets events
        append(log(), lines(10, 14));
        Files.move(log(), dir.resolve("audit-old.log"));
        append(log(), lines(14, 20));
        AuditHarness second = new AuditHarness();
        tail(second, 500);

        // Then
        await().atMost(WAIT).until(() -> second.auditEvents().size() >= 10);
        assertThat(second.auditEvents()).extracting(AuditEvent::getAuditId).containsExactlyElementsOf(ids(10, 20));
        assertThat(first.auditEvents()).extracting(AuditEvent::getAuditId).containsExactlyElementsOf(ids(0, 10));
    }

    @Test
    void shouldReadATruncatedFileFromItsStart() throws IOException {
        // Given
        append(log(), lines(0, 5));
        AuditHarness harness = new AuditHarness();
        tail(harness, 500);
        await().atMost(WAIT).until(() -> harness.auditEvents().size() == 5);

        // When: copytruncate-style rotation
        Files.writeString(log(), lines(5, 7), StandardOpenOption.TRUNCATE_EXISTING);

        // Then
        await().atMost(WAIT).until(() -> harness.auditEvents().size() == 7);
        assertThat(harness.auditEvents()).extracting(AuditEvent::getAuditId).containsExactlyElementsOf(ids(0, 7));
    }

    @Test
    void shouldResendOnlyTheLinesKafkaRefused() throws IOException {
        // Given
        append(log(), lines(0, 3));
        AuditHarness harness = new AuditHarness(false, RedactionConfig.none());
        AuditFileTailer tailer = tail(harness, 500);
        await().atMost(WAIT).until(() -> harness.producer.history().size() == 3);

        // When: Kafka takes the first and third line and refuses the second
        harness.producer.completeNext();
        harness.producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("not now"));
        harness.producer.completeNext();
        await().atMost(WAIT).until(() -> harness.producer.history().size() == 4);
        harness.producer.completeNext();

        // Then
        await().atMost(WAIT).until(() -> tailer.committedOffset() == Files.size(log()));
        Map<String, Long> sends = countByAuditId(harness.auditEvents());
        assertThat(sends).containsEntry("e-0", 1L).containsEntry("e-1", 2L).containsEntry("e-2", 1L);
        assertThat(harness.metrics.publishedCount("test.audit-events", "ingest.audit-file")).isEqualTo(3.0);
    }

}
