package dev.kubeproof.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.report.posture.PostureSummary;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackConfig;
import dev.kubeproof.stack.StackEndpoints;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kubeproof run}: the main job — servers, topics, collectors, streams and sink, on one machine. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline locally: start the local servers (or use running ones), create the topics,",
                "start the collectors, the evidence topology and the Elasticsearch sink, and print the posture.",
                "Without --kubeconfig, a bundled sample cluster (~50 workloads, an audit log, Trivy reports) is fed",
                "through the real collectors. Ctrl-C stops everything."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--home", defaultValue = ".kubeproof",
            description = "Folder for the local servers and the pipeline's state (default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--kubeconfig", description = "Watch this cluster instead of the bundled sample, and receive its "
            + "audit events on an HTTPS webhook (certificate, token and the apiserver's webhook kubeconfig generated "
            + "under HOME/pipeline/audit-webhook; the apiserver flags are printed).")
    Path kubeconfig;

    @Option(names = "--context", description = "Watch the cluster of this context (of --kubeconfig, else of the default "
            + "kubeconfig: KUBECONFIG or ~/.kube/config) instead of the bundled sample.")
    String context;

    @Option(names = "--trivy-reports", paramLabel = "DIR", description = "Publish the Trivy JSON reports in this folder "
            + "(watched: reports added later are picked up) instead of the sample's, which go through "
            + "HOME/pipeline/trivy-reports.")
    Path trivyReports;

    @Option(names = "--audit-log", paramLabel = "FILE", description = "Also tail this audit log (JSON lines, as "
            + "--audit-log-path writes them, or AKS, EKS, GKE or ECS records, one per line; rotation followed); "
            + "repeatable.")
    List<Path> auditLogs = new ArrayList<>();

    @Option(names = "--cluster-id", description = "Id of the watched cluster in every record (default: sample, "
            + "or the kubeconfig context's name).")
    String clusterId;

    @Option(names = "--exit-when-done", description = "Print the posture once the pipeline has settled and exit "
            + "(non-interactive; for CI).")
    boolean exitWhenDone;

    @Option(names = "--keep-running", description = "With --exit-when-done: leave the local servers this run started "
            + "running, for ./kubeproof report --home HOME (stop them with ./kubeproof stack down --home HOME/stack).")
    boolean keepRunning;

    /** How long a large cluster takes, measured (README, Performance): said where a user picks or misses the timeout. */
    private static final String LARGE_CLUSTER_TIME = "a 100,000-pod cluster took 10 minutes on 2 cores";

    @Option(names = "--timeout", defaultValue = "PT30M",
            description = "With --exit-when-done: give up (exit 1) when not settled by then (default: ${DEFAULT-VALUE}; "
                    + LARGE_CLUSTER_TIME + ").")
    Duration timeout;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka instead of starting local servers "
            + "(then also give --registry-url and --elasticsearch-url).")
    String bootstrapServers;

    @Option(names = "--registry-url", description = "Confluent-compatible schema registry API, with --bootstrap-servers.")
    String registryUrl;

    @Option(names = "--elasticsearch-url", description = "Elasticsearch, with --bootstrap-servers.")
    String elasticsearchUrl;

    @Option(names = "--elasticsearch-user", description = "Elasticsearch user, with --elasticsearch-url.")
    String elasticsearchUser;

    @Option(names = "--elasticsearch-password-file", description = "File holding that user's password.")
    Path elasticsearchPasswordFile;

    @Option(names = "--topic-prefix", defaultValue = TopicCatalog.DEFAULT_PREFIX,
            description = "Prefix of every topic (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--index-prefix", defaultValue = "kubeproof",
            description = "Prefix of every Elasticsearch index and data stream; the audit events' data stream "
                    + "logs-kubernetes.audit_logs-<prefix> takes it as its namespace (default: ${DEFAULT-VALUE}).")
    String indexPrefix;

    @Override
    public Integer call() throws Exception {
        Path root = home.toAbsolutePath();
        LocalStack stack = null;
        StackEndpoints endpoints;
        if (bootstrapServers != null) {
            if (registryUrl == null || elasticsearchUrl == null) {
                throw new IllegalArgumentException("--bootstrap-servers needs --registry-url and --elasticsearch-url");
            }
            Optional<StackEndpoints.Credentials> credentials = elasticsearchUser == null ? Optional.empty()
                    : Optional.of(new StackEndpoints.Credentials(elasticsearchUser,
                    Files.readString(elasticsearchPasswordFile, StandardCharsets.UTF_8).trim()));
            endpoints = new StackEndpoints(bootstrapServers, registryUrl, elasticsearchUrl, credentials);
        } else {
            StackConfig config = StackConfig.defaults(root.resolve("stack"));
            Optional<StackEndpoints> running = LocalStack.running(config);
            if (running.isPresent()) {
                System.out.println("using the local servers already running (./kubeproof stack status)");
                endpoints = running.get();
            } else {
                System.out.println("starting the local servers (Kafka, schema registry, Elasticsearch)...");
                stack = LocalStack.start(config, EnumSet.allOf(ServerKind.class));
                endpoints = stack.endpoints();
                System.out.printf("servers healthy in %.1f s%n", stack.startupTime().toMillis() / 1000.0);
            }
        }
        String cluster = clusterId != null ? clusterId : context != null ? context : kubeconfig == null ? "sample" : "default";
        LocalPipeline pipeline = new LocalPipeline(new LocalPipeline.Settings(endpoints, root.resolve("pipeline"), cluster,
                topicPrefix, indexPrefix, Optional.ofNullable(kubeconfig), Optional.ofNullable(context),
                Optional.ofNullable(trivyReports), List.copyOf(auditLogs)));
        CountDownLatch stopped = new CountDownLatch(1);
        if (keepRunning && !exitWhenDone) {
            throw new IllegalArgumentException("--keep-running goes with --exit-when-done (without it, run keeps running)");
        }
        LocalStack stackToStop = keepRunning ? null : stack;
        // the servers this run started stop with it, even when it is killed or runs out of memory
        AutoCloseable guard = stackToStop == null ? () -> { } : stackToStop.stopWhenGone(ProcessHandle.current());
        Thread hook = new Thread(() -> {
            System.out.println("\nstopping the pipeline" + (stackToStop == null ? "" : " and the local servers") + "...");
            pipeline.close();
            if (stackToStop != null) {
                try {
                    guard.close();
                } catch (Exception e) {
                    // the guard is a helper process; the servers are stopped right below either way
                }
                stackToStop.close();
            }
            stopped.countDown();
        }, "kubeproof-run-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        pipeline.start();
        System.out.println("pipeline started: collectors, streams (exactly-once) and the Elasticsearch sink");
        System.out.println("progress: end offsets per topic (exactly-once topics count transaction markers too), and how "
                + "far streams and the sink lag behind");
        boolean settled = awaitSettled(pipeline);
        printSummary(pipeline, endpoints);
        if (exitWhenDone) {
            Runtime.getRuntime().removeShutdownHook(hook);
            hook.run();
            return settled ? 0 : 1;
        }
        System.out.println("\nwatching for changes; Ctrl-C stops everything");
        stopped.await();
        return 0;
    }

    private boolean awaitSettled(LocalPipeline pipeline) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        LocalPipeline.Progress previous = null;
        LocalPipeline.Progress progress = null;
        int stableRounds = 0;
        while (Instant.now().isBefore(deadline)) {
            Thread.sleep(3000); // progress is polled for display: there is no single event that means "done"
            progress = pipeline.progress();
            System.out.printf("  %s | streams lag %s | sink lag %s%s%n", progress.topicRecords().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + " | " + b).orElse("starting"),
                    lag(progress.streamsLag()), lag(progress.sinkLag()),
                    progress.heldChanges() > 0 ? " | " + progress.heldChanges() + " changes wait for their audit event" : "");
            if (progress.streamsFailed()) {
                System.out.println("the evidence topology failed; see the log above");
                return false;
            }
            stableRounds = progress.settled(previous) ? stableRounds + 1 : 0;
            if (stableRounds >= 2) {
                return true;
            }
            previous = progress;
        }
        System.out.println("not settled within " + timeout + (progress == null ? "" : " (streams lag "
                + lag(progress.streamsLag()) + ", sink lag " + lag(progress.sinkLag()) + ")")
                + ": the posture below is what Elasticsearch held by then; give a large cluster longer with --timeout"
                + " (" + LARGE_CLUSTER_TIME + ")");
        return false;
    }

    /** A lag as the progress line shows it: "-" while not known yet. */
    private static String lag(long records) {
        return records < 0 ? "-" : Long.toString(records);
    }

    private void printSummary(LocalPipeline pipeline, StackEndpoints endpoints) throws java.io.IOException {
        pipeline.recordPosture();
        PostureSummary.of(pipeline.postureByControl(), pipeline.runtimeDetections(), ControlEngine.withDefaults().controls())
                .print(System.out);
        System.out.println();
        System.out.println("== Where to look");
        System.out.println("   Elasticsearch   " + endpoints.elasticsearchUrl() + endpoints.elasticsearchCredentials()
                .map(c -> "  (user " + c.username() + (bootstrapServers == null
                        ? ", password in " + home.resolve("stack/elasticsearch/credentials.properties") : "") + ")").orElse(""));
        elasticsearchIndices(endpoints, IndexNames.of(pipeline.elasticsearch()));
        System.out.println("   violations      Kafka topic " + pipeline.topics().violations().name() + " at "
                + endpoints.kafkaBootstrapServers() + " (ECS JSON, one document per transition that opens, continues or ends a violation)");
        System.out.println("   evidence        Kafka topics " + pipeline.topics().evidence().name() + " (history) and "
                + pipeline.topics().evidenceState().name() + " (latest)");
        System.out.println("   dead letters    Kafka topic " + pipeline.topics().deadLetters().name());
        System.out.println("   Kibana objects  deploy/kibana/ (import with the saved objects API; dashboard \"kubeproof: compliance posture\")");
        System.out.println("   Elastic Security: violations in logs-* (External alerts, event.kind: alert); the posture in");
        System.out.println("                   Findings -> Misconfigurations (security_solution-*.misconfiguration_latest)");
        System.out.println("   manifests scan  ./kubeproof scan PATH...");
        // the evidence of this run lies between its start and now: today's UTC day covers it (a report ends a period
        // that reaches into the future at the time it is made)
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        String source = evidenceSource(endpoints);
        System.out.println("   auditor report  ./kubeproof report " + source + " --from " + today + "T00:00Z --to "
                + today.plusDays(1) + "T00:00Z --checkpoint-key " + pipeline.checkpointPublicKey() + " --out "
                + home.resolve("report-" + today));
        System.out.println("                   (signed: add --sign-key, made by ./kubeproof report keygen; check with "
                + "./kubeproof report verify DIR)");
        System.out.println("   checkpoints     Kafka topic " + pipeline.topics().checkpoints().name() + ": every "
                + LocalPipeline.CHECKPOINT_INTERVAL + ", a signed Merkle root over every evidence chain's head; public key "
                + pipeline.checkpointPublicKey());
        System.out.println("   evidence check  ./kubeproof evidence verify " + source + " --checkpoint-key "
                + pipeline.checkpointPublicKey() + (bootstrapServers == null ? " [--source kafka]" : ""));
        if (bootstrapServers == null && exitWhenDone && !keepRunning) {
            System.out.println("                   needs the servers: run with --keep-running, or ./kubeproof stack up "
                    + "--home " + home.resolve("stack") + " before run");
        } else if (bootstrapServers == null && keepRunning) {
            System.out.println("   servers         left running; stop them with ./kubeproof stack down --home " + home.resolve("stack"));
        }
    }

    /**
     * How the printed report and verify commands find this run's evidence: the local servers under --home, else the
     * given Elasticsearch; and this run's prefixes when they are not the defaults those commands assume (with --home,
     * names are set through elasticsearch.*, which then needs its urls: the local server's).
     */
    String evidenceSource(StackEndpoints endpoints) {
        boolean local = bootstrapServers == null;
        StringBuilder source = new StringBuilder(local ? "--home " + home : "--set elasticsearch.urls=" + elasticsearchUrl
                + (elasticsearchUser == null ? "" : " --set elasticsearch.username=" + elasticsearchUser
                + " --set elasticsearch.password.file=" + elasticsearchPasswordFile));
        if (!local || !ElasticsearchConfig.DEFAULT_INDEX_PREFIX.equals(indexPrefix)) {
            source.append(local ? " --set elasticsearch.urls=" + endpoints.elasticsearchUrl() : "")
                    .append(" --set elasticsearch.indexPrefix=").append(indexPrefix);
        }
        if (!TopicCatalog.DEFAULT_PREFIX.equals(topicPrefix)) {
            source.append(" --set topicPrefix=").append(topicPrefix);
        }
        return source.toString();
    }

    private void elasticsearchIndices(StackEndpoints endpoints, IndexNames names) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoints.elasticsearchUrl()
                + "/_cat/indices?format=json&h=index,docs.count&s=index&expand_wildcards=all")).timeout(Duration.ofSeconds(10));
        endpoints.elasticsearchCredentials().ifPresent(c -> request.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8))));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode index : new ObjectMapper().readTree(response.body())) {
                String name = index.path("index").asText();
                if (isOfThisRun(name, names)) {
                    System.out.printf("     %-60s %8s docs%n", name, index.path("docs.count").asText());
                }
            }
        } catch (Exception e) {
            System.out.println("     (indices not available: " + e.getMessage() + ")");
        }
    }

    /**
     * An index or data stream backing index of this run's names, and no other prefix's: "kp" must not list
     * "kp2-evidence", nor another run's audit data stream.
     */
    static boolean isOfThisRun(String index, IndexNames names) {
        return java.util.stream.Stream.of(names.evidence(), names.posture(), names.violations(), names.ocsfViolations(),
                        names.audit(), names.misconfigurationsIndex(), names.postureHistory(), names.checkpoints(),
                        names.scannerFindings())
                .anyMatch(name -> index.equals(name) || index.startsWith(".ds-" + name + "-"));
    }
}
