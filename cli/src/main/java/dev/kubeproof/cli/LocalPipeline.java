package dev.kubeproof.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.fabric8.kubernetes.client.Config;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.report.posture.PostureAggregation;
import dev.kubeproof.report.posture.PostureSummary;
import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.cli.attestations.AttestationDocuments;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.controls.exceptions.ControlExceptions;
import dev.kubeproof.controls.exceptions.ExceptionRule;
import dev.kubeproof.demo.SampleApiServer;
import dev.kubeproof.demo.SampleCluster;
import dev.kubeproof.ingest.audit.AuditCollector;
import dev.kubeproof.ingest.audit.AuditCollectorConfig;
import dev.kubeproof.ingest.audit.FileSourceConfig;
import dev.kubeproof.ingest.resources.ResourceCollector;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig;
import dev.kubeproof.ingest.scans.DirectorySourceConfig;
import dev.kubeproof.ingest.scans.ScanCollector;
import dev.kubeproof.ingest.scans.ScanCollectorConfig;
import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.sink.ControlCatalogs;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.sink.elasticsearch.PostureHistory;
import dev.kubeproof.stack.Ports;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.streams.EvidenceMetrics;
import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.streams.EvidenceService;
import dev.kubeproof.streams.EvidenceServiceConfig;

/**
 * The whole pipeline in one process, on servers already running: collectors (audit log file, resource informers,
 * Trivy reports directory), the evidence topology and the Elasticsearch sink. Without a kubeconfig the bundled
 * sample cluster is served by a mock Kubernetes API and fed through the real collectors.
 */
public final class LocalPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);
    static final String STREAMS_APPLICATION_ID = "kubeproof-evidence";
    static final String SINK_GROUP_ID = "kubeproof-sink";

    /** Where and how to run. */
    /**
     * @param auditWebhook with a kubeconfig: also receive the cluster's audit events on an HTTPS webhook (a real
     *                     cluster's apiserver is pointed at it); {@code bench} feeds an audit log instead
     */
    public record Settings(StackEndpoints endpoints, Path workDir, String clusterId, String topicPrefix, String indexPrefix,
                    Optional<Path> kubeconfig, Optional<String> context, Optional<Path> trivyReports,
                    List<Path> auditLogs, boolean auditWebhook) {
        public Settings(StackEndpoints endpoints, Path workDir, String clusterId, String topicPrefix, String indexPrefix,
                        Optional<Path> kubeconfig, Optional<String> context, Optional<Path> trivyReports,
                        List<Path> auditLogs) {
            this(endpoints, workDir, clusterId, topicPrefix, indexPrefix, kubeconfig, context, trivyReports, auditLogs,
                    true);
        }
    }

    private final Settings settings;
    private final TopicCatalog topics;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final ExecutorService sinkThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "kubeproof-sink"));
    private ResourceCollector resources;
    private IngestRuntime runtime;
    private EvidenceService evidence;
    static final String CHECKPOINT_INTERVAL = "10s";
    private volatile Set<String> sinkTopics = Set.of();
    private ElasticsearchConfig elasticsearch;
    /** One client for every progress line: a new one each time costs a connection and a metadata round per tick. */
    private Admin progressAdmin;
    private boolean closed;

    public LocalPipeline(Settings settings) {
        this.settings = settings;
        this.topics = new TopicCatalog(settings.topicPrefix());
    }

    public TopicCatalog topics() {
        return topics;
    }

    /** The metrics of every service of the pipeline (one registry: the one {@code /metrics} serves). */
    public MeterRegistry metrics() {
        return runtime.metrics().registry();
    }

    /** The sink's Elasticsearch settings (known once started): the same cluster, credentials and index names. */
    public ElasticsearchConfig elasticsearch() {
        return elasticsearch;
    }

    /**
     * The public half of the key that signs this pipeline's checkpoints (made on the first run, kept in the work
     * directory): what {@code report --checkpoint-key} checks them with.
     */
    public Path checkpointPublicKey() {
        return settings.workDir().resolve("checkpoint-signing.pub.pem");
    }

    private Path checkpointSigningKey() throws IOException {
        Path key = settings.workDir().resolve("checkpoint-signing.pem");
        if (!Files.exists(key)) {
            Signing.keygen(key, checkpointPublicKey());
        }
        return key;
    }

    /** Where the evidence topology keeps its state stores. */
    public Path stateDir() {
        return settings.workDir().resolve("streams-state");
    }

    public void start() throws IOException {
        StackEndpoints endpoints = settings.endpoints();
        Path work = settings.workDir();
        Files.createDirectories(work);

        // 1. Topics, compatibility rules and schemas.
        try (Admin admin = admin()) {
            TopicProvisioner.provision(admin, new ConfluentRestSchemaRegistryClient(
                    RegistryClientConfig.of(endpoints.schemaRegistryUrl())), topics, (short) 1);
        }

        // 2. Collectors, sharing one publisher, dead-letter publisher, metrics and health endpoint.
        KafkaConfig kafka = KafkaConfig.of(endpoints.kafkaBootstrapServers(), endpoints.schemaRegistryUrl(),
                "kubeproof-run");
        runtime = IngestRuntime.create(kafka, topics, new HealthConfig("127.0.0.1", Ports.freePort()));
        running.push(runtime);

        Config kubernetes;
        Path auditLog;
        AuditWebhookSetup webhook = null;
        Path controlSettings = null;
        Path sampleReports = work.resolve("trivy-reports");
        Path trivyReports = settings.trivyReports().isPresent() ? settings.trivyReports().get().toAbsolutePath()
                : Files.createDirectories(sampleReports);
        if (!Files.isDirectory(trivyReports)) {
            throw new IllegalArgumentException("--trivy-reports " + trivyReports + " is not a folder");
        }
        if (settings.kubeconfig().isEmpty() && settings.context().isEmpty()) {
            SampleCluster sample = SampleCluster.load();
            SampleApiServer api = sample.startApiServer();
            running.push(api);
            kubernetes = api.config();
            auditLog = sample.writeAuditLog(Files.createDirectories(work.resolve("audit")));
            controlSettings = sample.writeControlSettings(work);
            if (settings.trivyReports().isEmpty()) {
                sample.writeTrivyReports(trivyReports);
            }
            System.out.printf("sample cluster: %d objects served at %s, %d audit events, %d Trivy reports%n",
                    api.objectCount(), api.url(), sample.auditEvents().size(), sample.trivyReports().size());
            recordGovernance(sample, endpoints);
        } else {
            kubernetes = ResourceCollector.kubernetesConfig(new ResourceCollectorConfig(settings.clusterId(),
                    settings.kubeconfig().map(Path::toString).orElse(null), settings.context().orElse(null), null,
                    kafka, null, null, null, null, null, null, null));
            auditLog = null;
            System.out.println("watching the cluster of " + settings.kubeconfig().map(Path::toString)
                    .orElse("the default kubeconfig") + settings.context().map(c -> ", context " + c).orElse(""));
        }
        boolean realCluster = settings.kubeconfig().isPresent() || settings.context().isPresent();
        if (realCluster && settings.auditWebhook()) {
            webhook = AuditWebhookSetup.prepare(work.resolve("audit-webhook"), hostName(),
                    Ports.isListening(DEFAULT_WEBHOOK_PORT) ? Ports.freePort() : DEFAULT_WEBHOOK_PORT);
            System.out.println("audit webhook: " + webhook.url() + " (bearer token in " + webhook.tokenFile()
                    + ", CA " + webhook.caFile() + ")");
            System.out.println("  point the cluster's kube-apiserver at it (the policy is deploy/audit/audit-policy.yaml"
                    + " of the kubeproof repository):");
            webhook.apiserverFlags(Path.of("deploy/audit/audit-policy.yaml")).forEach(flag -> System.out.println("    " + flag));
        }

        List<FileSourceConfig> auditFiles = new ArrayList<>();
        if (auditLog != null) {
            auditFiles.add(FileSourceConfig.of(auditLog, work.resolve("audit.position")));
        }
        for (Path file : settings.auditLogs()) {
            Path absolute = file.toAbsolutePath().normalize();
            auditFiles.add(FileSourceConfig.of(absolute, work.resolve("audit-" + Integer.toHexString(absolute.toString()
                    .hashCode()) + ".position")));
            System.out.println("tailing the audit log " + absolute);
        }
        if (!auditFiles.isEmpty() || webhook != null) {
            AuditCollector audit = new AuditCollector(new AuditCollectorConfig(settings.clusterId(), kafka,
                    settings.topicPrefix(), null, webhook == null ? null : webhook.webhookConfig(), auditFiles, null, null,
                    null), runtime);
            audit.start();
            audit.registerHealthChecks(runtime.health());
            runtime.manage(audit);
        }
        ScanCollector scans = new ScanCollector(new ScanCollectorConfig(settings.clusterId(), kafka, settings.topicPrefix(),
                null, new DirectorySourceConfig(trivyReports, work.resolve("trivy-reports-"
                + Integer.toHexString(trivyReports.toString().hashCode()) + ".state"), null), null, null), runtime);
        if (settings.trivyReports().isPresent()) {
            System.out.println("publishing the Trivy reports of " + trivyReports);
        }
        scans.start();
        scans.registerHealthChecks(runtime.health());
        runtime.manage(scans);

        resources = ResourceCollector.create(ResourceCollectorConfig.of(settings.clusterId(),
                        endpoints.kafkaBootstrapServers(), endpoints.schemaRegistryUrl())
                .withTopicPrefix(settings.topicPrefix())
                .withLeaderElection(ResourceCollectorConfig.LeaderElection.disabled()), kubernetes, runtime);
        resources.start();
        resources.registerHealthChecks(runtime.health());
        runtime.manage(resources);
        runtime.health().start();

        // 3. The evidence topology.
        // In one process the services share one configuration style and one metrics registry (the one /metrics).
        Map<String, String> streams = new LinkedHashMap<>();
        streams.put("kafka.bootstrapServers", endpoints.kafkaBootstrapServers());
        streams.put("kafka.schemaRegistryUrl", endpoints.schemaRegistryUrl());
        streams.put("topicPrefix", settings.topicPrefix());
        streams.put("applicationId", applicationId());
        streams.put("stateDir", stateDir().toString());
        streams.put("standbyReplicas", "0");
        streams.put("replicationFactor", "1");
        streams.put("checkpointSigningKey", checkpointSigningKey().toString());
        // the directory kubeproof controls add writes to, under the same home
        Path customControls = settings.workDir().resolveSibling("controls");
        if (Files.isDirectory(customControls)) {
            streams.put("customControls", customControls.toString());
        }
        // a local run lasts minutes: hourly checkpoints (the default) would leave its evidence without one
        streams.put("checkpointInterval", CHECKPOINT_INTERVAL);
        if (controlSettings != null) {
            streams.put("controlSettings", controlSettings.toString()); // the sample organisation's VPN and CI identity
        }
        evidence = EvidenceService.create(ConfigLoader.load(null, EvidenceServiceConfig.class, streams, Map.of()),
                new EvidenceMetrics(runtime.metrics().registry()));
        evidence.start();
        running.push(evidence);

        // 4. The Elasticsearch sink.
        SinkConfig sinkConfig = sinkConfig(sinkGroupId(), settings.indexPrefix());
        elasticsearch = sinkConfig.elasticsearch();
        SinkService sinkService = SinkService.create(sinkConfig,
                ControlCatalogs.builtIn(), runtime.metrics().registry());
        sinkService.registerHealthChecks(runtime.health());
        sinkTopics = sinkService.inputTopics();
        running.push(sinkService);
        sinkThread.submit(sinkService);
    }

    /** The audit webhook's port for a real cluster (the apiserver's configuration names it), when free. */
    static final int DEFAULT_WEBHOOK_PORT = 8443;

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    public String applicationId() {
        return STREAMS_APPLICATION_ID + (settings.topicPrefix().equals(TopicCatalog.DEFAULT_PREFIX) ? ""
                : "-" + settings.topicPrefix().replaceAll("[^A-Za-z0-9_-]", ""));
    }

    public String sinkGroupId() {
        return SINK_GROUP_ID + (settings.topicPrefix().equals(TopicCatalog.DEFAULT_PREFIX) ? ""
                : "-" + settings.topicPrefix().replaceAll("[^A-Za-z0-9_-]", ""));
    }

    /**
     * The configuration of a sink of this pipeline's topics and Elasticsearch, as a consumer group of its own writing
     * under an index prefix of its own (the pipeline's sink, or the benchmark's second one).
     */
    public SinkConfig sinkConfig(String groupId, String indexPrefix) {
        StackEndpoints endpoints = settings.endpoints();
        Map<String, String> sink = new LinkedHashMap<>();
        sink.put("kafka.bootstrapServers", endpoints.kafkaBootstrapServers());
        sink.put("kafka.schemaRegistryUrl", endpoints.schemaRegistryUrl());
        sink.put("groupId", groupId);
        sink.put("topicPrefix", settings.topicPrefix());
        sink.put("elasticsearch.urls", endpoints.elasticsearchUrl());
        sink.put("elasticsearch.indexPrefix", indexPrefix);
        sink.put("elasticsearch.replicas", "0");
        endpoints.elasticsearchCredentials().ifPresent(credentials -> {
            sink.put("elasticsearch.username", credentials.username());
            sink.put("elasticsearch.password.file", passwordFile(settings.workDir(), credentials.password()).toString());
        });
        return ConfigLoader.load(null, SinkConfig.class, sink, Map.of());
    }

    /** The sink reads the password from a file readable by this user only; it is never put on a command line. */
    private static Path passwordFile(Path work, String password) {
        Path file = work.resolve("elasticsearch.password");
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, password, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** An admin client of the pipeline's Kafka; the caller closes it. */
    public Admin admin() {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", settings.endpoints().kafkaBootstrapServers());
        return Admin.create(properties);
    }

    /** Progress: records per topic, and how far streams and the sink lag behind their inputs. */
    /**
     * @param heldChanges changes the topology holds back waiting for their audit event (at most attributionWait):
     *                    with every lag at 0 they are the work still to come; -1 while unknown
     */
    public record Progress(Map<String, Long> topicRecords, long streamsLag, long sinkLag, long heldChanges,
                    boolean collectorsReady, boolean streamsFailed) {
        public boolean settled(Progress previous) {
            return previous != null && collectorsReady && streamsLag == 0 && sinkLag == 0 && heldChanges == 0
                    && topicRecords.equals(previous.topicRecords()) && !topicRecords.isEmpty()
                    && topicRecords.getOrDefault("evidence", 0L) > 0;
        }
    }

    public synchronized Progress progress() {
        try {
            if (closed) {
                throw new IllegalStateException("the pipeline is closed");
            }
            if (progressAdmin == null) {
                progressAdmin = admin();
            }
            Admin admin = progressAdmin;
            Map<String, String> names = new LinkedHashMap<>();
            names.put("audit-events", topics.auditEvents().name());
            names.put("resource-changes", topics.resourceChanges().name());
            names.put("image-scans", topics.imageScans().name());
            names.put("evidence", topics.evidence().name());
            names.put("violations", topics.violations().name());
            names.put("dead-letters", topics.deadLetters().name());
            Map<TopicPartition, Long> ends = KafkaLag.endOffsets(admin, names.values());
            Map<String, Long> records = new LinkedHashMap<>();
            names.forEach((label, topic) -> records.put(label, ends.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic)).mapToLong(Map.Entry::getValue).sum()));
            // the streams application's inputs and its own repartition topics, where most of a big cold start waits
            long streamsLag = KafkaLag.streamsLag(admin, applicationId(), topics);
            long sinkLag = sinkTopics.isEmpty() ? -1 : KafkaLag.lag(admin, sinkGroupId(), sinkTopics);
            boolean ready = resources != null && resources.isReady();
            long held = evidence == null ? -1 : evidence.heldChanges();
            return new Progress(records, streamsLag, sinkLag, held, ready, evidence != null && evidence.failed());
        } catch (Exception e) {
            LOG.debug("progress not available yet: {}", e.getMessage());
            return new Progress(Map.of(), -1, -1, -1, false, false);
        }
    }

    /**
     * The sample's accepted risks and attested practices, recorded as {@code kubeproof exception apply -f} and
     * {@code kubeproof attest} would, valid from now.
     */
    private void recordGovernance(SampleCluster sample, StackEndpoints endpoints) {
        KafkaOptions kafka = new KafkaOptions();
        kafka.bootstrapServers = endpoints.kafkaBootstrapServers();
        kafka.registryUrl = endpoints.schemaRegistryUrl();
        kafka.topicPrefix = topics.prefix();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Map<String, ControlException> exceptions = new LinkedHashMap<>();
        for (JsonNode document : sample.exceptions(now)) {
            ExceptionRule rule = ControlExceptions.parse(document);
            exceptions.put(rule.exceptionId(), rule.toRecord(now));
        }
        Map<String, Attestation> attestations = new LinkedHashMap<>();
        for (JsonNode document : sample.attestations(now)) {
            Attestation attestation = AttestationDocuments.parse(document);
            attestations.put(attestation.getAttestationId(), attestation);
        }
        new TopicLedger<>(kafka, topics.controlExceptions(), ControlException.class).write(exceptions);
        new TopicLedger<>(kafka, topics.attestations(), Attestation.class).write(attestations);
        System.out.printf("sample governance: %d control exceptions (%s) and %d attestations (%s) recorded%n",
                exceptions.size(), String.join(", ", exceptions.keySet()), attestations.size(),
                attestations.values().stream().map(Attestation::getControlId).collect(Collectors.joining(", ")));
    }

    /** The runtime detections of the evidence history, per control (aggregated in Elasticsearch). */
    List<PostureSummary.RuntimeDetections> runtimeDetections() throws IOException {
        try (ElasticsearchClient client = ElasticsearchClients.create(elasticsearch)) {
            return PostureAggregation.runtimeDetections(client, IndexNames.of(elasticsearch).evidence());
        }
    }

    /**
     * Records the posture per framework now, as the sink does every hour ({@link PostureHistory}), so that a run that
     * ends within the hour leaves its posture in the history too.
     */
    int recordPosture() throws IOException {
        try (ElasticsearchClient client = ElasticsearchClients.create(elasticsearch)) {
            return new PostureHistory(client, IndexNames.of(elasticsearch), java.time.Clock.systemUTC())
                    .snapshot(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        }
    }

    /** The current posture, aggregated per control by Elasticsearch (bounded: see {@link PostureAggregation}). */
    List<PostureSummary.ControlPosture> postureByControl() throws IOException {
        // the sink's own Elasticsearch settings: the same cluster, credentials and index names
        try (ElasticsearchClient client = ElasticsearchClients.create(elasticsearch)) {
            return PostureAggregation.perControl(client, IndexNames.of(elasticsearch).posture());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (progressAdmin != null) {
                progressAdmin.close(Duration.ofSeconds(5));
                progressAdmin = null;
            }
        }
        while (!running.isEmpty()) {
            AutoCloseable service = running.pop();
            try {
                service.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", service.getClass().getSimpleName(), e.getMessage());
            }
        }
        sinkThread.shutdownNow();
    }
}
