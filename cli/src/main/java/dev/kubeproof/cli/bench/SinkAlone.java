package dev.kubeproof.cli.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.clients.admin.Admin;

import dev.kubeproof.cli.KafkaLag;
import dev.kubeproof.cli.LocalPipeline;
import dev.kubeproof.sink.ControlCatalogs;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.config.SinkConfig;

/**
 * The sink alone: a second sink, with a consumer group and an index prefix of its own, indexes everything the run's
 * sink indexed (the evidence, posture, audit, checkpoint and scanner topics of the cold start and both loads) while
 * the pipeline is idle. In the cold start the sink shares the two cores with the evaluation; here its writes per
 * second compare with raw {@code _bulk} on the terms raw {@code _bulk} is measured on.
 */
final class SinkAlone {
    /**
     * @param historyDocuments         the history documents the second sink indexed
     * @param pipelineHistoryDocuments those the run's own sink indexed: the same, or a write went missing
     */
    record Result(long records, long writes, double seconds, long historyDocuments, long pipelineHistoryDocuments) {
        double writesPerSecond() {
            return writes / Math.max(0.001, seconds);
        }

        Map<String, Object> toMap(RawRates.Bulk bulk) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("records", records);
            map.put("writes", writes);
            map.put("seconds", seconds);
            map.put("writesPerSecond", BenchCommand.round(writesPerSecond(), 1));
            map.put("writesPerSecondToRawBulk", BenchCommand.round(writesPerSecond() / bulk.documentsPerSecond(), 4));
            map.put("historyDocuments", historyDocuments);
            map.put("pipelineHistoryDocuments", pipelineHistoryDocuments);
            return map;
        }
    }

    private final LocalPipeline pipeline;
    private final Duration timeout;
    private final PrintStream console;

    SinkAlone(LocalPipeline pipeline, Duration timeout, PrintStream console) {
        this.pipeline = pipeline;
        this.timeout = timeout;
        this.console = console;
    }

    /** Runs the second sink until it has committed everything twice in a row; the time counts from its subscription. */
    Result run() throws Exception {
        String run = "bench-sink-alone-" + UUID.randomUUID().toString().substring(0, 6);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SinkConfig config = pipeline.sinkConfig(run, run);
        try (SinkService sink = SinkService.create(config, ControlCatalogs.builtIn(), registry);
             Admin admin = pipeline.admin()) {
            Thread thread = new Thread(sink, "kubeproof-bench-sink-alone");
            thread.setDaemon(true);
            thread.start();
            if (!sink.awaitConsuming(Duration.ofMinutes(2))) {
                throw new IllegalStateException("the second sink did not start consuming within 2 minutes");
            }
            double seconds = BenchCommand.round(Measure.secondsUntilSettled(System.nanoTime(), timeout,
                    "the second sink", () -> KafkaLag.lag(admin, run, sink.inputTopics()) == 0), 2);
            long records = Math.round(sink.metrics().count("kubeproof.sink.committed"));
            long writes = Math.round(sink.metrics().count("kubeproof.sink.writes", "outcome", "written"));
            long history = ColdStart.evidenceInElasticsearch(config.elasticsearch());
            long pipelineHistory = ColdStart.evidenceInElasticsearch(pipeline.elasticsearch());
            console.printf("  %,d records, %,d writes in %.1f s (%,.0f writes/s); %,d history documents, the "
                    + "pipeline's sink %,d%n", records, writes, seconds, writes / seconds, history, pipelineHistory);
            return new Result(records, writes, seconds, history, pipelineHistory);
        }
    }
}
