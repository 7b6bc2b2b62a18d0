package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.DeadLetter;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanDirectoryWatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private ScanDirectoryWatcher watcher;

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private Path scans() throws IOException {
        return Files.createDirectories(dir.resolve("scans"));
    }

    private ScanDirectoryWatcher watch(ScanHarness harness) throws IOException {
        return watch(harness, 50);
    }

    private ScanDirectoryWatcher watch(ScanHarness harness, int pollIntervalMillis) throws IOException {
        if (watcher != null) {
            watcher.close();
        }
        watcher = new ScanDirectoryWatcher(new DirectorySourceConfig(scans(), dir.resolve("state/scans.state"),
                pollIntervalMillis), harness.ingestor).start();
        return watcher;
    }

    /** Writes the way a careful scanner does: to a temporary name, then an atomic rename. */
    private void drop(String name, byte[] content) throws IOException {
        Path temp = Files.write(scans().resolve(name + ".part"), content);
        Files.move(temp, scans().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void shouldPublishEveryReportDroppedAndIgnoreOtherFiles() throws IOException {
        // Given
        ScanHarness harness = new ScanHarness();
        for (Path golden : ScanFixtures.trivyGoldens()) {
            drop(golden.getFileName().toString().replace(".golden", ""), ScanFixtures.bytes(golden));
        }
        Files.writeString(scans().resolve("README.txt"), "not a report");

        // When
        watch(harness);

        // Then
        await().atMost(WAIT).until(() -> harness.scanRecords().size() == 4);
        assertThat(harness.scans()).allSatisfy(scan -> assertThat(scan.getSource()).startsWith("file:" + scans()));
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void shouldNotPublishAgainAfterARestartButPublishChangedAndNewFiles() throws IOException {
        // Given
        ScanHarness first = new ScanHarness();
        drop("alpine.json", ScanFixtures.bytes(ScanFixtures.trivy("alpine-310.json.golden")));
        drop("broken.json", "{\"SchemaVersion\": 2, ".getBytes());
        watch(first);
        await().atMost(WAIT).until(() -> first.scanRecords().size() == 1 && first.deadLetters().size() == 1);
        watcher.close();

        // When: restarted; meanwhile one file changed and one was added
        ObjectNode rescanned = (ObjectNode) ScanFixtures.json(ScanFixtures.trivy("alpine-310.json.golden"));
        rescanned.put("CreatedAt", "2024-02-01T00:00:00Z");
        drop("alpine.json", rescanned.toString().getBytes());
        drop("ubi.json", ScanFixtures.bytes(ScanFixtures.trivy("ubi-7.json.golden")));
        ScanHarness second = new ScanHarness();
        watch(second);

        // Then: the changed and the new file only; the broken one is not dead-lettered again
        await().atMost(WAIT).until(() -> second.scanRecords().size() == 2);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> second.producer.history().size() == 2);
        assertThat(second.scanRecords()).extracting(ProducerRecord::key).containsExactlyInAnyOrder(
                "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4",
                "sha256:6fecccc91c83e11ae4fede6793e9410841221d4779520c2b9e9fb7f7b3830264");
        assertThat(second.deadLetters()).isEmpty();
    }

    @Test
    void shouldDeadLetterBadAndOversizedFilesOnceAndKeepGoing() throws IOException {
        // Given
        ScanHarness harness = new ScanHarness(true, null, 4096);
        drop("bad.json", "[1, 2".getBytes());
        drop("big.json", ScanFixtures.bytes(ScanFixtures.trivy("alpine-310.json.golden")));
        drop("wrong.json", new String(ScanFixtures.bytes(ScanFixtures.operator("configauditreport_single_vuln.json")),
                java.nio.charset.StandardCharsets.UTF_8).replace("ConfigAuditReport", "ExposedSecretReport").getBytes(
                java.nio.charset.StandardCharsets.UTF_8));

        // When
        watch(harness);

        // Then
        await().atMost(WAIT).until(() -> harness.deadLetters().size() == 3);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> harness.deadLetters().size() == 3);
        assertThat(harness.deadLetters()).extracting(DeadLetter::getErrorType)
                .containsExactlyInAnyOrder("MALFORMED_JSON", "OVERSIZED", "WRONG_KIND");
        assertThat(harness.deadLetters()).filteredOn(l -> l.getErrorType().equals("OVERSIZED")).singleElement()
                .satisfies(l -> assertThat(l.getReason()).contains("big.json"));
        assertThat(watcher.isAlive()).isTrue();
    }

    @Test
    void shouldWaitUntilAFileWrittenInPlaceIsComplete() throws Exception {
        // Given: a file written in two steps without a rename (each step raises a notification)
        ScanHarness harness = new ScanHarness();
        watch(harness, 500);
        byte[] report = ScanFixtures.bytes(ScanFixtures.trivy("debian-buster.json.golden"));
        Path file = scans().resolve("debian.json");

        // When
        Files.write(file, java.util.Arrays.copyOf(report, report.length / 2));
        Files.write(file, report);

        // Then: published once, complete
        await().atMost(WAIT).until(() -> harness.scanRecords().size() == 1);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> harness.producer.history().size() == 1);
        assertThat(harness.scans().get(0).getVulnerabilities()).hasSize(2);
    }
}
