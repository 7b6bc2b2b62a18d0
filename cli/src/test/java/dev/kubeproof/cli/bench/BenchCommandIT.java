package dev.kubeproof.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.cli.Kubeproof;
import dev.kubeproof.demo.synthetic.SyntheticCluster;
import dev.kubeproof.demo.synthetic.SyntheticClusterShape;

/**
 * {@code kubeproof bench} end to end on a small synthetic cluster: it starts its own real servers (fresh, on free
 * ports), as a user's run does, and writes every section of its JSON with figures that agree with the cluster.
 * Speeds are not asserted (they belong to the machine); completeness and consistency are.
 */
class BenchCommandIT {
    private static final int PODS = 200;
    private static final int CHANGES = 100;

    @Test
    void shouldMeasureEveryPhaseInOneRunAndWriteItsJson(@TempDir Path dir) throws Exception {
        // Given a 200-pod synthetic cluster
        SyntheticCluster cluster = SyntheticCluster.of(SyntheticClusterShape.ofPods(PODS));
        Path output = dir.resolve("bench.json");

        // When the bench runs with 100 steady-state changes at 100/s (and then its light load)
        int exit = Kubeproof.commandLine().execute("bench", "--pods", Integer.toString(PODS), "--changes",
                Integer.toString(CHANGES), "--rate", "100", "--home", dir.resolve("home").toString(), "--output",
                output.toString(), "--timeout", "PT10M");

        // Then it succeeds and its JSON has every figure, consistent with the cluster it generated
        assertThat(exit).isZero();
        JsonNode results = new ObjectMapper().readTree(output.toFile());
        assertThat(results.at("/cluster/objects").asInt()).isEqualTo(cluster.objectCount());
        assertThat(results.at("/machine/cores").asInt()).isPositive();

        JsonNode cold = results.get("coldStart");
        assertThat(cold.get("informersSyncedSeconds").asDouble()).isPositive()
                .isLessThanOrEqualTo(cold.get("evidenceInKafkaSeconds").asDouble());
        assertThat(cold.get("evidenceInKafkaSeconds").asDouble())
                .isLessThanOrEqualTo(cold.get("evidenceInElasticsearchSeconds").asDouble());
        assertThat(cold.get("evidenceRecords").asLong()).isPositive();
        assertThat(cold.get("sinkWrites").asLong()).isGreaterThanOrEqualTo(cold.get("evidenceRecords").asLong());
        assertThat(cold.get("objectsPerSecondToRawKafka").asDouble()).isPositive();
        assertThat(cold.get("sinkWritesPerSecondToRawBulk").asDouble()).isPositive();

        // a second sink, alone, indexed everything again: the same history documents as the run's own sink
        JsonNode alone = results.get("sinkAlone");
        assertThat(alone.get("historyDocuments").asLong()).isGreaterThanOrEqualTo(cold.get("evidenceRecords").asLong())
                .isEqualTo(alone.get("pipelineHistoryDocuments").asLong());
        assertThat(alone.get("writes").asLong()).isGreaterThan(alone.get("historyDocuments").asLong());
        assertThat(alone.get("writesPerSecondToRawBulk").asDouble()).isPositive();

        // every change seen as a violation on the topic and as a document, none missing
        JsonNode steady = results.get("steadyState");
        assertThat(steady.get("changes").asInt()).isEqualTo(CHANGES);
        assertThat(steady.at("/changeToViolation/count").asInt()).isEqualTo(CHANGES);
        assertThat(steady.at("/changeToViolation/missing").asInt()).isZero();
        assertThat(steady.at("/changeToDocument/count").asInt()).isEqualTo(CHANGES);
        assertThat(steady.at("/changeToViolation/p99Ms").asDouble())
                .isLessThanOrEqualTo(steady.at("/changeToViolation/maxMs").asDouble());

        // then a light load at a quarter of what the pipeline drained, for 20 s, every change seen too
        JsonNode light = results.get("lightLoad");
        int lightChanges = light.get("changes").asInt();
        assertThat(light.get("offeredPerSecond").asInt()).isPositive()
                .isLessThanOrEqualTo((int) Math.ceil(steady.get("drainedPerSecond").asDouble() / 4));
        assertThat(lightChanges).isEqualTo(light.get("offeredPerSecond").asInt() * 20);
        assertThat(light.at("/changeToViolation/count").asInt()).isEqualTo(lightChanges);
        assertThat(light.at("/changeToViolation/missing").asInt()).isZero();
        assertThat(light.at("/changeToDocument/count").asInt()).isEqualTo(lightChanges);

        // the raw Kafka rate replays the change topic: the cluster's objects and both phases' changes
        assertThat(results.at("/raw/kafka/records").asLong())
                .isEqualTo((long) cluster.objectCount() + CHANGES + lightChanges);
        assertThat(results.at("/raw/kafka/recordsPerSecond").asDouble()).isPositive();
        // ... in three rounds on fresh topics, of which the median counts
        List<Double> rounds = new java.util.ArrayList<>();
        results.at("/raw/kafka/roundsRecordsPerSecond").forEach(round -> rounds.add(round.asDouble()));
        assertThat(rounds).hasSize(3).allSatisfy(rate -> assertThat(rate).isPositive());
        assertThat(results.at("/raw/kafka/recordsPerSecond").asDouble())
                .isCloseTo(rounds.stream().sorted().toList().get(1), org.assertj.core.data.Offset.offset(1.0));
        assertThat(results.at("/raw/bulk/documentsPerSecond").asDouble()).isPositive();

        // the scale-out runs read every input of the run: objects, scans and audit events, and each steady-state
        // change with its audit event
        assertThat(results.at("/scaleOut/inputs").asLong()).isEqualTo((long) cluster.objectCount()
                + cluster.shape().images() + cluster.auditEventCount() + 2L * (CHANGES + lightChanges));
        assertThat(results.at("/scaleOut/scaleOutRatio").asDouble()).isPositive();

        assertThat(results.at("/memory/pipeline/peakRssBytes").asLong()).isPositive();
        assertThat(results.at("/memory/pipeline/peakHeapAfterCollectionBytes").asLong()).isPositive()
                .isLessThanOrEqualTo(results.at("/memory/pipeline/maxHeapBytes").asLong());
        assertThat(results.at("/memory/kafka/peakRssBytes").asLong()).isPositive();
        assertThat(results.at("/memory/stateStoreBytes").asLong()).isPositive();
        assertThat(results.get("targets")).hasSize(5);

        // the auditor's export read the whole run: the cold start's evidence and at least one record per change
        JsonNode export = results.get("reportExport");
        assertThat(export.get("measured").asBoolean()).isTrue();
        assertThat(export.get("records").asLong())
                .isGreaterThanOrEqualTo(cold.get("evidenceRecords").asLong() + CHANGES);
        assertThat(export.get("keys").asLong()).isPositive().isLessThanOrEqualTo(export.get("records").asLong());
        assertThat(export.get("recordsPerSecond").asDouble()).isPositive();
        assertThat(export.get("packageBytes").asLong()).isPositive();
    }
}
