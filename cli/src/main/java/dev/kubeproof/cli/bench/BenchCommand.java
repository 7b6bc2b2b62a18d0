package dev.kubeproof.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.cli.LocalPipeline;
import dev.kubeproof.demo.SampleApiServer;
import dev.kubeproof.demo.synthetic.SyntheticCluster;
import dev.kubeproof.demo.synthetic.SyntheticClusterShape;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackConfig;
import dev.kubeproof.stack.StackEndpoints;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kubeproof bench}: one run on fresh local servers that measures the pipeline on a synthetic cluster and,
 * in the same run, the raw Kafka and {@code _bulk} rates of this machine for records and documents of the same
 * size, so that every figure is also a ratio to what the machine can do. Prints a table and writes JSON.
 *
 * <p>Phases: cold start of the whole pipeline (informers synced, evidence complete in Kafka, then in
 * Elasticsearch); steady state at a fixed offered load (change published to violation on the topic, and to
 * violation document in Elasticsearch, from the intended send time so that a stall is not hidden), then a light
 * load at a quarter of the rate it drained (the same latencies without a queue); memory of
 * every process and the state stores' size; raw Kafka produce+consume of the cluster's own change records; raw
 * {@code _bulk} of evidence documents; the evaluation alone with 1 and with 2 stream threads (the scale-out
 * ratio). Targets are reported, never asserted.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = SyntheticClusterCommand.class,
        description = {"Measures kubeproof on a synthetic cluster against this machine's own raw Kafka and _bulk "
                + "rates, in one run on fresh local servers; prints a table and writes JSON.",
                "Takes about 8 minutes at the default size on 2 cores."})
public final class BenchCommand implements Callable<Integer> {
    static final String FORMAT_VERSION = "1";

    @Option(names = "--pods", defaultValue = "20000", description = "Pods of the synthetic cluster (default: "
            + "${DEFAULT-VALUE}; with 20 pods and 5 Deployments per namespace and one image per 10 pods).")
    int pods;

    @Option(names = "--rate", defaultValue = "2000", description = "Steady state: changes offered per second "
            + "(default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--changes", defaultValue = "10000", description = "Steady state: changes made, each turning a "
            + "compliant Deployment privileged or back (default: ${DEFAULT-VALUE}).")
    int changes;

    @Option(names = "--home", defaultValue = ".kubeproof-bench", description = "Folder for the servers' data, the "
            + "synthetic cluster's files and the pipeline's state; emptied first (default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--output", paramLabel = "FILE", description = "Where to write the results as JSON "
            + "(default: HOME/bench.json).")
    Path output;

    @Option(names = "--timeout", defaultValue = "PT40M", description = "Give up a phase that has not finished by then "
            + "(default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (pods < 20 || rate < 1 || changes < 1) {
            throw new IllegalArgumentException("--pods must be at least 20, --rate and --changes at least 1");
        }
        Path root = home.toAbsolutePath().normalize();
        BenchFiles.empty(root);
        Path out = output != null ? output : root.resolve("bench.json");
        PrintStream console = System.out;
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("formatVersion", FORMAT_VERSION);
        results.put("startedAt", Instant.now().toString());
        results.put("machine", Machine.describe());

        SyntheticCluster cluster = SyntheticCluster.of(SyntheticClusterShape.ofPods(pods));
        results.put("cluster", clusterFigures(cluster));
        console.printf("kubeproof bench: %,d pods (%,d objects), fresh servers under %s%n", pods, cluster.objectCount(),
                root);

        StackConfig stackConfig = StackConfig.ephemeral(root.resolve("stack"), true);
        try (LocalStack stack = LocalStack.start(stackConfig, EnumSet.allOf(ServerKind.class));
             AutoCloseable guard = stack.stopWhenGone(ProcessHandle.current())) {
            StackEndpoints endpoints = stack.endpoints();
            results.put("servers", Map.of("startSeconds", Measure.seconds(stack.startupTime())));
            console.printf("servers healthy in %.1f s%n", stack.startupTime().toMillis() / 1000.0);

            Path files = root.resolve("cluster");
            Path trivy = files.resolve("trivy");
            cluster.writeTrivyReports(trivy);
            Path auditLog = cluster.writeAuditLog(files.resolve("audit.log"));
            LocalPipeline.Settings settings;
            ColdStart.Result cold;
            SteadyState.Result steady;
            SteadyState.Result light;
            Map<String, Object> memory;
            SinkAlone.Result sinkAlone;
            ElasticsearchConfig elasticsearch;
            try (SampleApiServer api = cluster.startApiServer()) {
                Path kubeconfig = api.writeKubeconfig(files.resolve("kubeconfig"));
                settings = new LocalPipeline.Settings(endpoints, root.resolve("pipeline"), "synthetic",
                        "kubeproof.", "kubeproof", Optional.of(kubeconfig), Optional.empty(), Optional.of(trivy),
                        List.of(auditLog), false);
                try (LocalPipeline pipeline = new LocalPipeline(settings);
                     Measure.HeapAfterCollections heap = Measure.HeapAfterCollections.watch()) {
                    console.println("\n== cold start: the whole cluster through collectors, streams and the sink");
                    cold = new ColdStart(pipeline, cluster, timeout, console, () -> Measure.cpuSeconds(stack)).run();
                    elasticsearch = pipeline.elasticsearch();
                    console.println("\n== steady state: up to " + changes + " changes at " + rate + "/s");
                    List<ObjectNode> deployments = cluster.hardenedDeployments(changes);
                    steady = new SteadyState(pipeline, endpoints, auditLog, deployments, 0, rate, changes, timeout,
                            console).run();
                    int lightRate = SteadyState.lightRate(steady);
                    int lightChanges = lightRate * SteadyState.LIGHT_LOAD_SECONDS;
                    console.println("\n== light load: " + lightChanges + " changes at " + lightRate
                            + "/s, a quarter of what the pipeline drained: its latency without a queue");
                    light = new SteadyState(pipeline, endpoints, auditLog, deployments, changes, lightRate,
                            lightChanges, timeout, console).run();
                    memory = Measure.memory(stack, pipeline.stateDir(), cluster.objectCount(), heap);
                    console.println("\n== the sink alone: a second sink indexes everything again, the pipeline idle");
                    sinkAlone = new SinkAlone(pipeline, timeout, console).run();
                }
            }

            console.println("\n== this machine's raw rates, for records and documents of the same size");
            RawRates.Kafka rawKafka = RawRates.kafka(endpoints, settings.topicPrefix(), console);
            RawRates.Bulk rawBulk = RawRates.bulk(elasticsearch, cold.evidenceRecords(), console);

            console.println("\n== report export: this run's evidence as an auditor's package");
            ReportExport.Result export = ReportExport.measure(elasticsearch, root.resolve("report"), console);

            console.println("\n== scale-out: the evaluation alone, on the same inputs, with 1 and with 2 stream threads");
            ScaleOut.Result scaleOut = new ScaleOut(endpoints, settings.topicPrefix(), root.resolve("scale-out"),
                    timeout, console).run();

            results.put("coldStart", cold.toMap(rawKafka, rawBulk));
            results.put("sinkAlone", sinkAlone.toMap(rawBulk));
            results.put("steadyState", steady.toMap());
            results.put("lightLoad", light.toMap());
            results.put("raw", Map.of("kafka", rawKafka.toMap(), "bulk", rawBulk.toMap()));
            results.put("scaleOut", scaleOut.toMap());
            results.put("memory", memory);
            results.put("reportExport", export.toMap());
            results.put("targets", Targets.evaluate(cold, sinkAlone, steady, light, rawKafka, rawBulk, export, pods));
            results.put("finishedAt", Instant.now().toString());
            write(out, results);
            console.println();
            Table.print(console, results);
            console.println("\nresults written to " + out);
        }
        return 0;
    }

    private static Map<String, Object> clusterFigures(SyntheticCluster cluster) {
        SyntheticClusterShape shape = cluster.shape();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("pods", shape.pods());
        figures.put("namespaces", shape.namespaces());
        figures.put("deployments", shape.deployments());
        figures.put("images", shape.images());
        figures.put("objects", cluster.objectCount());
        figures.put("auditEvents", cluster.auditEventCount());
        return figures;
    }

    private static void write(Path out, Map<String, Object> results) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), results);
    }

    /** Rounds for the JSON and the table: figures, not noise. */
    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
