package dev.kubeproof.cli.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.cli.Kubeproof;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.runtime.Secret;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.streams.EvidenceMetrics;
import dev.kubeproof.streams.EvidenceService;
import dev.kubeproof.streams.EvidenceServiceConfig;
import dev.kubeproof.testkit.RealServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The evidence application and the sink on topics and indices of their own, on the real servers, for the ITs
 * that drive the pipeline as a whole (the CLI's exception and attestation workflow, bad input).
 */
public final class PipelineHarness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final RealServers servers;
    public final String name;
    public final TopicCatalog topics;
    public final SchemaRegistryClient registry;
    public final ElasticsearchConfig elasticsearch;
    private final Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    public PipelineHarness(RealServers servers, String name, Path dir) throws Exception {
        this.servers = servers;
        this.name = servers.uniqueName(name);
        this.dir = dir;
        this.topics = new TopicCatalog(this.name + ".");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers()))) {
            TopicProvisioner.createTopics(admin, topics, (short) 1);
        }
        this.registry = new ConfluentRestSchemaRegistryClient(RegistryClientConfig.of(servers.schemaRegistryUrl()));
        StackEndpoints.Credentials credentials = servers.endpoints().elasticsearchCredentials().orElseThrow();
        Path password = Files.writeString(dir.resolve(this.name + "-es-password"), credentials.password());
        this.elasticsearch = ElasticsearchConfig.of(URI.create(servers.elasticsearchUrl()))
                .withNames(this.name, 0)
                .withBasicAuth(credentials.username(), Secret.fromFile("elasticsearch.password.file", password));
    }

    /** Starts the evidence application (1 s exception checks, two evaluation partitions). */
    public EvidenceService startEvidence() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrapServers", servers.kafkaBootstrapServers());
        settings.put("kafka.schemaRegistryUrl", servers.schemaRegistryUrl());
        settings.put("topicPrefix", topics.prefix());
        settings.put("applicationId", name + "-evidence");
        settings.put("stateDir", dir.resolve(name + "-streams").toString());
        settings.put("standbyReplicas", "0");
        settings.put("evaluationPartitions", "2");
        settings.put("exceptionCheck", "1s");
        settings.put("health.port", "0");
        EvidenceService service = EvidenceService.create(
                ConfigLoader.load(null, EvidenceServiceConfig.class, settings, Map.of()), EvidenceMetrics.inMemory());
        toClose.add(service);
        service.start();
        return service;
    }

    /** Starts the sink, and waits until it consumes. */
    public SinkService startSink() throws Exception {
        SinkService sink = SinkService.create(SinkConfig.of(servers.kafkaBootstrapServers(), servers.schemaRegistryUrl(),
                topics, elasticsearch).withGroupId(topics.prefix() + "sink"), ControlCatalog.empty(), new SimpleMeterRegistry());
        Thread thread = new Thread(sink, "sink");
        thread.start();
        toClose.add(() -> {
            sink.close();
            thread.join(30_000);
        });
        assertThat(sink.awaitConsuming(Duration.ofSeconds(60))).as("sink consuming").isTrue();
        return sink;
    }

    /** Closes this with the harness. */
    public <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    /** The Kafka options of the CLI for these topics. */
    public List<String> cliKafkaOptions() {
        return List.of("--bootstrap-servers", servers.kafkaBootstrapServers(), "--registry-url", servers.schemaRegistryUrl(),
                "--topic-prefix", topics.prefix());
    }

    /** A CLI run: exit code and everything it printed. */
    public record Run(int exitCode, String output) {
    }

    /** Runs {@code kubeproof ARGS...} against these topics. */
    public Run cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine command = Kubeproof.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(out, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(cliKafkaOptions());
        int code = command.execute(all.toArray(String[]::new));
        return new Run(code, out.toString());
    }

    // ---------------------------------------------------------------- objects as the resource collector publishes them

    public static ObjectNode object(String apiVersion, String kind, String namespace, String name, String uid) {
        ObjectNode object = JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode metadata = object.putObject("metadata");
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        metadata.put("name", name).put("uid", uid).put("resourceVersion", "1");
        return object;
    }

    public static ObjectNode pod(String namespace, String name, boolean privileged, String image) {
        ObjectNode object = object("v1", "Pod", namespace, name, "uid-" + namespace + "-" + name);
        ObjectNode container = object.putObject("spec").putArray("containers").addObject();
        container.put("name", "main").put("image", image).putObject("securityContext").put("privileged", privileged);
        return object;
    }

    public static ResourceChange change(String cluster, ObjectNode object) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        Map<String, String> labels = new HashMap<>();
        metadata.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return ResourceChange.newBuilder().setClusterId(cluster).setApiVersion(object.get("apiVersion").asText())
                .setKind(object.get("kind").asText()).setNamespace(metadata.path("namespace").asText(null))
                .setName(metadata.get("name").asText()).setUid(metadata.get("uid").asText()).setResourceVersion("1")
                .setChangeType(ChangeType.ADDED).setObservedAt(Instant.now()).setLabels(labels).setOwnerReferences(List.of())
                .setObject(object.toString()).build();
    }

    /** A topic read from the beginning as it grows (committed records only). */
    public static final class Tail<V> implements AutoCloseable {
        private final KafkaConsumer<String, V> consumer;
        private final List<ConsumerRecord<String, V>> records = new ArrayList<>();

        public Tail(RealServers servers, String topic, Deserializer<V> values) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000), new StringDeserializer(), values);
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Everything read so far, after reading what is there now. */
        public synchronized List<ConsumerRecord<String, V>> records() {
            consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            return List.copyOf(records);
        }

        @Override
        public synchronized void close() {
            consumer.close();
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }
}
