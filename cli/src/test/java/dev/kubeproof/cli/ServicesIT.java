package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.demo.SampleApiServer;
import dev.kubeproof.stack.Ports;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * Every long-running service started as its own process through the CLI, as an operator or the kubelet sees it:
 * {@code /healthz} answers, {@code /readyz} is not ready while a dependency is missing and ready once it is there,
 * and {@code /metrics} is Prometheus text with the Kafka clients' metrics and kubeproof's own.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class ServicesIT {
    private static final Duration STARTUP = Duration.ofMinutes(3);
    /** A Prometheus text exposition line: a comment, or {@code name{labels} value}. */
    private static final Pattern PROMETHEUS_LINE = Pattern.compile(
            "#.*|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? [-+0-9.eEInfNa]+( [0-9]+)?");
    private static final String FIXTURES = "../shared/fixtures";
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();
    private SampleApiServer apiServer;

    @AfterEach
    void stopProcesses() throws Exception {
        if (apiServer != null) {
            apiServer.close();
        }
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void shouldServeHealthReadinessAndMetricsFromEveryServiceProcess(RealServers servers, @TempDir Path dir)
            throws Exception {
        // Given the topics of an isolated prefix, an audit log and a Trivy report to read
        String prefix = servers.uniqueName("svc") + ".";
        assertThat(Kubeproof.commandLine().execute("topics", "create", "--bootstrap-servers",
                servers.kafkaBootstrapServers(), "--registry-url", servers.schemaRegistryUrl(), "--topic-prefix",
                prefix)).isZero();
        Path auditLog = Files.writeString(dir.resolve("audit.log"), new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(repo().resolve(FIXTURES).resolve("k8s-audit/falco-traces/create_deployment.json").toFile())
                + "\n");
        Path reports = Files.createDirectories(dir.resolve("reports"));
        Files.copy(repo().resolve(FIXTURES).resolve("trivy/alpine-310.json.golden"), reports.resolve("alpine.json"));
        StackEndpoints.Credentials credentials = servers.endpoints().elasticsearchCredentials().orElseThrow();
        Path password = Files.writeString(dir.resolve("es-password"), credentials.password());
        List<String> kafka = List.of("--set", "kafka.bootstrapServers=" + servers.kafkaBootstrapServers(),
                "--set", "kafka.schemaRegistryUrl=" + servers.schemaRegistryUrl(), "--set", "topicPrefix=" + prefix);

        // When each service runs as its own process
        int audit = start(dir, "audit", kafka, List.of("ingest", "audit", "--set", "clusterId=it",
                "--set", "files=[{path: " + auditLog + ", positionFile: " + dir.resolve("audit.position") + "}]"));
        int scans = start(dir, "scans", kafka, List.of("ingest", "scans", "--set", "clusterId=it",
                "--set", "directory.path=" + reports, "--set", "directory.stateFile=" + dir.resolve("scans.state")));
        SampleApiServer api = dev.kubeproof.demo.SampleCluster.load().startApiServer();
        apiServer = api;
        int resources = start(dir, "resources", kafka, List.of("ingest", "resources", "--set", "clusterId=it",
                "--set", "kubeconfig=" + api.writeKubeconfig(dir.resolve("kubeconfig")),
                "--set", "leaderElection.enabled=false"));
        int streams = start(dir, "streams", kafka, List.of("streams", "--set", "applicationId=" + prefix + "evidence",
                "--set", "stateDir=" + dir.resolve("streams-state"), "--set", "standbyReplicas=0",
                "--set", "replicationFactor=1"));
        int sinkWithoutElasticsearch = start(dir, "sink-no-es", kafka, List.of("sink", "--set", "groupId=" + prefix + "a",
                "--set", "elasticsearch.urls=http://127.0.0.1:" + Ports.freePort()));
        int sink = start(dir, "sink", kafka, List.of("sink", "--set", "groupId=" + prefix + "b",
                "--set", "elasticsearch.urls=" + servers.elasticsearchUrl(),
                "--set", "elasticsearch.indexPrefix=" + prefix.replace(".", ""), "--set", "elasticsearch.replicas=0",
                "--set", "elasticsearch.username=" + credentials.username(),
                "--set", "elasticsearch.password.file=" + password));

        // Then every one is alive, and ready once its dependencies are
        for (int port : List.of(audit, scans, resources, streams, sink)) {
            await().atMost(STARTUP).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(get(port, "/readyz").statusCode()).as("readyz of " + port)
                            .isEqualTo(200));
            assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
        }
        // a sink whose Elasticsearch is unreachable is alive but not ready, and says why
        await().atMost(STARTUP).ignoreExceptions()
                .untilAsserted(() -> assertThat(get(sinkWithoutElasticsearch, "/healthz").statusCode()).isEqualTo(200));
        assertThat(get(resources, "/readyz").body()).as("the resource collector states its election role")
                .contains("leader election: off");
        HttpResponse<String> notReady = get(sinkWithoutElasticsearch, "/readyz");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("elasticsearch");

        // and /metrics is Prometheus text with Kafka client metrics and kubeproof's own
        Map<Integer, List<String>> expected = Map.of(
                audit, List.of("kafka_producer_", "kubeproof_ingest_records_published_total"),
                scans, List.of("kafka_producer_", "kubeproof_ingest_records_published_total"),
                resources, List.of("kafka_producer_", "kubeproof_ingest_resources_changes_total"),
                streams, List.of("kafka_stream_", "kafka_consumer_", "kubeproof_streams_running"),
                sink, List.of("kafka_consumer_", "kubeproof_sink_paused", "jvm_memory_used_bytes"));
        for (Map.Entry<Integer, List<String>> service : expected.entrySet()) {
            await().atMost(STARTUP).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> metrics = get(service.getKey(), "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
                assertThat(metrics.body().lines().filter(line -> !line.isBlank()))
                        .allMatch(line -> PROMETHEUS_LINE.matcher(line).matches());
                assertThat(metrics.body()).contains(service.getValue());
            });
        }
    }

    /** Starts {@code kubeproof ARGS} in its own JVM with a free health port; the port. */
    private int start(Path dir, String name, List<String> kafka, List<String> args) throws Exception {
        int port = Ports.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Kubeproof.class.getName()));
        command.addAll(args);
        command.addAll(kafka);
        command.addAll(List.of("--set", "health.host=127.0.0.1", "--set", "health.port=" + port));
        Path log = Files.createDirectories(Path.of("target", "it-logs")).resolve("services-" + name + ".log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        processes.add(process);
        return port;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Path repo() {
        return DeployManifestsTest.repoRoot();
    }
}
