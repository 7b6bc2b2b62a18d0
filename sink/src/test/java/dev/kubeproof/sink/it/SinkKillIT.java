package dev.kubeproof.sink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.sink.SinkCommand;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * The sink killed with SIGKILL at a random point of its work (its own JVM, as in production), then started again:
 * afterwards every evidence record has exactly one history document and every key one posture document, every
 * offset is committed, and nothing was dead-lettered. Offsets are committed only after their batch was indexed,
 * and documents are created by evidence id, so a replayed batch writes nothing twice.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class SinkKillIT {
    private static final int RECORDS = 5_000;
    private static final Duration WAIT = Duration.ofMinutes(3);

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void shouldIndexEveryRecordExactlyOnceAcrossAKillAndARestart(RealServers servers, @TempDir Path dir) throws Exception {
        try (SinkHarness harness = new SinkHarness(servers, dir)) {
            // Given 5,000 transitions on the evidence topic and their states on the evidence-state topic
            EvidenceRecord[] records = IntStream.range(0, RECORDS).mapToObj(i -> TestEvidence.transition("pod-" + i, 1, null,
                    i % 3 == 0 ? EvidenceStatus.FAIL : EvidenceStatus.PASS, TestEvidence.T0.plusSeconds(i)))
                    .toArray(EvidenceRecord[]::new);
            harness.evidence(harness.topics.evidence().name(), records);
            harness.evidence(harness.topics.evidenceState().name(), records);
            long seed = System.nanoTime();
            int killAt = 500 + new Random(seed).nextInt(3_000);
            System.out.printf("SinkKillIT: seed %d, kill after %d history documents%n", seed, killAt);

            // When a sink process indexes them in small batches and is killed with SIGKILL part-way
            Process first = start(harness, dir, "first");
            await("indexing under way").atMost(WAIT).until(() -> harness.count(harness.names.evidence()) >= killAt);
            first.destroyForcibly().waitFor();
            long atKill = harness.count(harness.names.evidence());
            long committedAtKill = harness.committed("kill");
            System.out.printf("SinkKillIT: killed with %d history documents indexed, %d offsets committed%n", atKill,
                    committedAtKill);
            assertThat(atKill).as("killed part-way").isLessThan(RECORDS);

            // And a new sink process of the same group takes over
            start(harness, dir, "second");

            // Then every offset is committed, every record indexed exactly once, and nothing dead-lettered
            await("everything committed").atMost(WAIT).until(() -> harness.committed("kill") == 2L * RECORDS);
            assertThat(harness.count(harness.names.evidence())).isEqualTo(RECORDS);
            assertThat(harness.count(harness.names.posture())).isEqualTo(RECORDS);
            assertThat(harness.deadLetters()).isEmpty();
            System.out.printf("SinkKillIT: %d history and %d posture documents after the restart, none twice%n",
                    harness.count(harness.names.evidence()), harness.count(harness.names.posture()));
        }
    }

    private Process start(SinkHarness harness, Path dir, String name) throws Exception {
        Path logs = Path.of("target", "it-logs");
        Files.createDirectories(logs);
        Path password = Files.writeString(dir.resolve(name + ".password"), harness.credentials().password());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                SinkCommand.class.getName()));
        List<String> settings = List.of(
                "kafka.bootstrapServers=" + harness.servers.kafkaBootstrapServers(),
                "kafka.schemaRegistryUrl=" + harness.servers.schemaRegistryUrl(),
                "topicPrefix=" + harness.topics.prefix(),
                "groupId=" + harness.name + "-kill",
                // the killed member must be noticed in seconds, not the default 45 s
                "kafka.properties.session.timeout.ms=6000",
                "kafka.properties.heartbeat.interval.ms=1500",
                "inputs=[evidence, posture]",
                "maxPollRecords=100",
                "bulkMaxOperations=100",
                "health.port=0",
                "elasticsearch.urls=" + harness.servers.elasticsearchUrl(),
                "elasticsearch.indexPrefix=" + harness.name,
                "elasticsearch.auditDataStream=" + harness.names.audit(),
                "elasticsearch.replicas=0",
                "elasticsearch.username=" + harness.credentials().username(),
                "elasticsearch.password.file=" + password);
        settings.forEach(setting -> command.addAll(List.of("--set", setting)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(harness.name + "-" + name + ".log").toFile()).start();
        processes.add(process);
        return process;
    }
}
