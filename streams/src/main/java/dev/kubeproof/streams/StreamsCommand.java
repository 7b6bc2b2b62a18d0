package dev.kubeproof.streams;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kubeproof streams}: runs the evidence application until the process is told to stop. Options override
 * the keys of an optional {@code --config} properties file; both go through {@link EvidenceServiceConfig#fromMap}.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Evaluate resource changes and image scans into hash-chained compliance evidence (Kafka Streams).")
public final class StreamsCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with any of: ${sys:line.separator}"
            + "bootstrap.servers, schema.registry.url, topic.prefix, cluster.id, application.id, state.dir, "
            + "violations.format, num.standby.replicas, replication.factor, num.stream.threads, evaluation.partitions, "
            + "owner.label.keys, control.settings, and kafka.<Kafka Streams or client setting>")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--registry-url", paramLabel = "URL", description = "Schema registry (Confluent-compatible API) URL.")
    String registryUrl;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Prefix of kubeproof's topics (default: kubeproof.).")
    String topicPrefix;

    @Option(names = "--cluster-id", paramLabel = "ID", description = "Evaluate only this cluster's changes (default: every cluster).")
    String clusterId;

    @Option(names = "--application-id", paramLabel = "ID", description = "Kafka Streams application id (default: kubeproof-evidence).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Directory of local state (default: /var/lib/kubeproof/streams).")
    Path stateDir;

    @Option(names = "--violations-format", paramLabel = "ecs|ocsf", description = "SIEM format of the violations topic (default: ecs).")
    String violationsFormat;

    @Option(names = "--standby-replicas", paramLabel = "N", description = "Standby replicas of each task's state (default: 1).")
    Integer standbyReplicas;

    @Option(names = "--replication-factor", paramLabel = "N", description = "Replication of internal topics; -1 for the broker default (default: -1).")
    Integer replicationFactor;

    @Option(names = "--stream-threads", paramLabel = "N", description = "Stream threads (default: 1).")
    Integer streamThreads;

    @Option(names = "--owner-label", paramLabel = "KEY", split = ",", description = "Label keys copied into evidence as owner labels (default: owner,team,app.kubernetes.io/part-of).")
    List<String> ownerLabels;

    @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "Further Kafka Streams or client setting, e.g. consumer.session.timeout.ms=10000 (repeatable).")
    Map<String, String> kafka;

    @Option(names = "--control-settings", paramLabel = "FILE", description = "YAML/JSON control settings (trusted registries, ...).")
    Path controlSettings;

    @Override
    public Integer call() throws Exception {
        EvidenceServiceConfig config = config();
        EvidenceMetrics metrics = new EvidenceMetrics(new SimpleMeterRegistry());
        try (EvidenceService service = EvidenceService.create(config, metrics)) {
            Thread shutdown = new Thread(service::close, "kubeproof-streams-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdown);
            service.start();
            while (!service.awaitStop(Duration.ofSeconds(5))) {
                // Runs until closed by the shutdown hook or stopped by a failure.
            }
            return service.failed() ? 1 : 0;
        }
    }

    /** The validated configuration from the file (if any) overridden by the options. */
    public EvidenceServiceConfig config() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (configFile != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(configFile)) {
                file.load(reader);
            }
            file.stringPropertyNames().forEach(key -> values.put(key, file.getProperty(key)));
        }
        put(values, EvidenceServiceConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        put(values, EvidenceServiceConfig.SCHEMA_REGISTRY_URL, registryUrl);
        put(values, EvidenceServiceConfig.TOPIC_PREFIX, topicPrefix);
        put(values, EvidenceServiceConfig.CLUSTER_ID, clusterId);
        put(values, EvidenceServiceConfig.APPLICATION_ID, applicationId);
        put(values, EvidenceServiceConfig.STATE_DIR, stateDir);
        put(values, EvidenceServiceConfig.VIOLATIONS_FORMAT, violationsFormat);
        put(values, EvidenceServiceConfig.STANDBY_REPLICAS, standbyReplicas);
        put(values, EvidenceServiceConfig.REPLICATION_FACTOR, replicationFactor);
        put(values, EvidenceServiceConfig.STREAM_THREADS, streamThreads);
        put(values, EvidenceServiceConfig.OWNER_LABEL_KEYS, ownerLabels == null ? null : String.join(",", ownerLabels));
        put(values, EvidenceServiceConfig.CONTROL_SETTINGS, controlSettings);
        if (kafka != null) {
            kafka.forEach((key, value) -> values.put(EvidenceServiceConfig.KAFKA_PREFIX + key, value));
        }
        return EvidenceServiceConfig.fromMap(values);
    }

    private static void put(Map<String, String> values, String key, Object value) {
        if (value != null) {
            values.put(key, value.toString());
        }
    }

    /** Runs the command on its own (the cli module registers it as a subcommand instead). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new StreamsCommand()).execute(args));
    }
}
