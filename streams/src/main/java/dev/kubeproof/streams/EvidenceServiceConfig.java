package dev.kubeproof.streams;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ViolationFeed;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.siem.ViolationOutput;
import dev.kubeproof.streams.config.StreamsSettings;

/**
 * The evidence service's configuration file (YAML; read by {@code ConfigLoader}, unknown keys rejected), validated
 * on construction. {@code kafka.properties} carries further Kafka Streams and client settings
 * ({@code consumer.session.timeout.ms}, {@code security.protocol}), checked by {@link StreamsSettings}.
 *
 * <pre>
 * kafka: {bootstrapServers: kafka:9092, schemaRegistryUrl: http://registry:8081}
 * health: {port: 8080}
 * applicationId: kubeproof-evidence
 * stateDir: /var/lib/kubeproof/streams
 * standbyReplicas: 1
 * </pre>
 */
public record EvidenceServiceConfig(
        @JsonPropertyDescription("Kafka and the schema registry; kafka.properties takes Kafka Streams settings too.")
        KafkaConfig kafka,
        @JsonProperty(defaultValue = TopicCatalog.DEFAULT_PREFIX)
        @JsonPropertyDescription("Prefix of every kubeproof topic.")
        String topicPrefix,
        @JsonPropertyDescription("Health, readiness and metrics endpoint.")
        HealthConfig health,
        @JsonPropertyDescription("Evaluate only this cluster's changes. Default: every cluster.")
        String clusterId,
        @JsonProperty(defaultValue = StreamsSettings.DEFAULT_APPLICATION_ID)
        @JsonPropertyDescription("Kafka Streams application id: the consumer group and prefix of internal topics;"
                + " instances with the same id share the work.")
        String applicationId,
        @JsonProperty(defaultValue = EvidenceServiceConfig.DEFAULT_STATE_DIR)
        @JsonPropertyDescription("Directory of the local state stores (RocksDB); relative to the working directory.")
        Path stateDir,
        @JsonProperty(defaultValue = "1")
        @JsonPropertyDescription("Warm copies of each task's state on other instances, for fast take-over.")
        Integer standbyReplicas,
        @JsonProperty(defaultValue = "-1")
        @JsonPropertyDescription("Replication of internal topics; -1 for the broker's default.")
        Integer replicationFactor,
        @JsonProperty(defaultValue = "1")
        @JsonPropertyDescription("Stream threads of this instance.")
        Integer streamThreads,
        @JsonProperty(defaultValue = "" + EvidenceTopologyConfig.DEFAULT_EVALUATION_PARTITIONS)
        @JsonPropertyDescription("Partitions of the evaluation repartition topics.")
        Integer evaluationPartitions,
        @JsonProperty(defaultValue = EvidenceServiceConfig.DEFAULT_VIOLATIONS_FORMAT)
        @JsonPropertyDescription("SIEM format of the violations topic: ecs or ocsf (for one feed; see violationFeeds).")
        String violationsFormat,
        @JsonPropertyDescription("Violation feeds, each {topic, format: ecs|ocsf, minimumSeverity: info..critical},"
                + " so one deployment can feed several SIEMs. Default: one feed, the violations topic in"
                + " violationsFormat with every severity. Topics other than the catalog's must exist.")
        List<ViolationFeedConfig> violationFeeds,
        @JsonProperty(defaultValue = "owner, team, app.kubernetes.io/part-of")
        @JsonPropertyDescription("Label keys copied into evidence as owner labels.")
        List<String> ownerLabelKeys,
        @JsonPropertyDescription("YAML/JSON file of control settings (trusted registries, ...). Default: built-in.")
        Path controlSettings,
        @JsonPropertyDescription("Custom controls in CEL: a control file, a ValidatingAdmissionPolicy manifest, or a"
                + " directory of them (kubeproof controls add puts files there), judged beside the built-in ones. Read at"
                + " start-up.")
        Path customControls,
        @JsonProperty(defaultValue = "10s")
        @JsonPropertyDescription("How often (wall clock) expired control exceptions are looked for: an exemption ends"
                + " at most this long after its expiry, with the expiry time as the transition's time.")
        Duration exceptionCheck,
        @JsonProperty(defaultValue = "30s")
        @JsonPropertyDescription("How long a resource change waits for the audit event of the write that made it (when"
                + " its cluster has an audit stream) before its evidence is recorded with an unknown actor. 0s: never"
                + " wait (only audit events that arrive first attribute).")
        Duration attributionWait,
        @JsonProperty(defaultValue = "1h")
        @JsonPropertyDescription("How often (wall clock) each evidence partition's chain heads are checkpointed: a Merkle"
                + " root over every head, published to the checkpoints topic, so that evidence removed from a store"
                + " later (even a chain's last record) is detectable.")
        Duration checkpointInterval,
        @JsonPropertyDescription("PEM Ed25519 private key (PKCS#8) that signs the checkpoints (kubeproof report keygen"
                + " makes one; mount it from a Secret). Default: checkpoints are published unsigned.")
        Path checkpointSigningKey) {

    /** Under the working directory, so that a laptop run needs no root; deployments set their volume. */
    public static final String DEFAULT_STATE_DIR = ".kubeproof/streams-state";
    public static final String DEFAULT_VIOLATIONS_FORMAT = "ecs";

    public EvidenceServiceConfig {
        kafka = KafkaConfig.required(kafka);
        topicPrefix = TopicCatalog.prefixOrDefault(topicPrefix);
        health = HealthConfig.orDefaults(health);
        clusterId = clusterId == null || clusterId.isBlank() ? null : clusterId;
        applicationId = applicationId == null ? StreamsSettings.DEFAULT_APPLICATION_ID : applicationId;
        stateDir = stateDir == null ? Path.of(DEFAULT_STATE_DIR) : stateDir;
        standbyReplicas = standbyReplicas == null ? StreamsSettings.DEFAULT_STANDBY_REPLICAS : standbyReplicas;
        replicationFactor = replicationFactor == null ? -1 : replicationFactor;
        streamThreads = streamThreads == null ? 1 : streamThreads;
        evaluationPartitions = evaluationPartitions == null ? EvidenceTopologyConfig.DEFAULT_EVALUATION_PARTITIONS
                : evaluationPartitions;
        if (violationFeeds != null && !violationFeeds.isEmpty() && violationsFormat != null) {
            throw new IllegalArgumentException("violationsFormat and violationFeeds are both set: give the format in each"
                    + " feed instead");
        }
        violationsFormat = violationsFormat == null ? DEFAULT_VIOLATIONS_FORMAT
                : violationsFormat.toLowerCase(Locale.ROOT);

        if (!ViolationFormats.NAMES.contains(violationsFormat)) {
            throw new IllegalArgumentException("violationsFormat must be one of " + ViolationFormats.NAMES
                    + ", was '" + violationsFormat + "'");
        }
        violationFeeds = violationFeeds == null || violationFeeds.isEmpty()
                ? List.of(new ViolationFeedConfig(null, violationsFormat, null)) : List.copyOf(violationFeeds);
        ownerLabelKeys = ownerLabelKeys == null ? EvidenceTopologyConfig.DEFAULT_OWNER_LABEL_KEYS
                : List.copyOf(ownerLabelKeys);
        exceptionCheck = exceptionCheck == null ? EvidenceTopologyConfig.DEFAULT_EXCEPTION_CHECK : exceptionCheck;
        attributionWait = attributionWait == null ? EvidenceTopologyConfig.DEFAULT_ATTRIBUTION_WAIT : attributionWait;
        checkpointInterval = checkpointInterval == null ? EvidenceTopologyConfig.DEFAULT_CHECKPOINT_INTERVAL
                : checkpointInterval;
        // Validates the Kafka Streams settings, owner labels, partitions, prefix and the cluster id with the
        // messages of the settings' and the topology's own records.
        streamsSettings(kafka, applicationId, stateDir, standbyReplicas, replicationFactor, streamThreads);
        new EvidenceTopologyConfig(new TopicCatalog(topicPrefix), ownerLabelKeys, evaluationPartitions,
                Optional.ofNullable(clusterId), exceptionCheck, attributionWait, checkpointInterval,
                checkpointKey(checkpointSigningKey));
    }

    /**
     * One violation feed as configured.
     *
     * @param topic           the topic; default: the catalog's violations topic
     * @param format          ecs or ocsf
     * @param minimumSeverity the least severe control severity the feed carries; default info (everything)
     */
    public record ViolationFeedConfig(
            @JsonPropertyDescription("Topic of the feed. Default: the catalog's violations topic.")
            String topic,
            @JsonProperty(defaultValue = DEFAULT_VIOLATIONS_FORMAT)
            @JsonPropertyDescription("ecs or ocsf.")
            String format,
            @JsonProperty(defaultValue = "info")
            @JsonPropertyDescription("Least severe control severity carried: critical, high, medium, low or info.")
            String minimumSeverity) {
        public ViolationFeedConfig {
            format = format == null ? DEFAULT_VIOLATIONS_FORMAT : format.toLowerCase(Locale.ROOT);
            if (!ViolationFormats.NAMES.contains(format)) {
                throw new IllegalArgumentException("violationFeeds[].format must be one of " + ViolationFormats.NAMES
                        + ", was '" + format + "'");
            }
            try {
                ViolationOutput.of(format, minimumSeverity, ControlCatalog.empty());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("violationFeeds[].minimumSeverity: " + e.getMessage(), e);
            }
        }
    }

    /** The violation feeds, with the catalog for their documents. */
    public List<ViolationFeed> feeds(ControlCatalog catalog) {
        TopicCatalog topics = new TopicCatalog(topicPrefix);
        return violationFeeds.stream().map(feed -> new ViolationFeed(
                feed.topic() == null || feed.topic().isBlank() ? topics.violations().name() : feed.topic(),
                ViolationOutput.of(feed.format(), feed.minimumSeverity(), catalog))).toList();
    }

    /** A config with every default, for the given servers. */
    public static EvidenceServiceConfig of(String bootstrapServers, String schemaRegistryUrl) {
        return new EvidenceServiceConfig(KafkaConfig.of(bootstrapServers, schemaRegistryUrl, null), null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** How it runs on Kafka Streams. */
    public StreamsSettings streams() {
        return streamsSettings(kafka, applicationId, stateDir, standbyReplicas, replicationFactor, streamThreads);
    }

    /** The registry's base URL. */
    public URI schemaRegistryUrl() {
        return URI.create(kafka.schemaRegistryUrl());
    }

    /** The topology's part of the configuration. */
    public EvidenceTopologyConfig topology() {
        return new EvidenceTopologyConfig(new TopicCatalog(topicPrefix), ownerLabelKeys, evaluationPartitions,
                Optional.ofNullable(clusterId), exceptionCheck, attributionWait, checkpointInterval,
                checkpointKey(checkpointSigningKey));
    }

    private static Optional<PrivateKey> checkpointKey(Path file) {
        if (file == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Signing.privateKey(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpointSigningKey: " + e.getMessage(), e);
        }
    }

    private static StreamsSettings streamsSettings(KafkaConfig kafka, String applicationId, Path stateDir,
                                                   int standbyReplicas, int replicationFactor, int streamThreads) {
        return new StreamsSettings(applicationId, kafka.bootstrapServers(), stateDir, standbyReplicas,
                replicationFactor, streamThreads, kafka.clientSettings());
    }
}
