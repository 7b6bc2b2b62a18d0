package dev.kubeproof.sink.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.contract.topics.TopicSpec;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.runtime.Secret;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kubeproof sink bench}: the sink's throughput against raw {@code _bulk} of the same documents on the same
 * Elasticsearch. Writes N synthetic evidence records to a fresh topic, times the sink from subscription until every
 * record is committed, then times plain {@code _bulk} requests (same batch size, same documents, same create
 * operations) into a second, identically templated data stream, and prints both rates and their ratio.
 * Everything is created under a fresh {@code bench-*} prefix, so runs never disturb real data.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures the sink's indexing throughput against raw _bulk of the same documents (prints the ratio).")
public final class SinkBenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers")
    String bootstrapServers;

    @Option(names = "--schema-registry", required = true, description = "Confluent-compatible registry URL")
    String schemaRegistryUrl;

    @Option(names = "--elasticsearch", required = true, description = "Elasticsearch URL")
    String elasticsearchUrl;

    @Option(names = "--username", description = "Elasticsearch user")
    String username;

    @Option(names = "--password-file", description = "file holding the user's password")
    java.nio.file.Path passwordFile;

    @Option(names = "--password-env", description = "environment variable holding the user's password")
    String passwordEnv;

    @Option(names = "--records", defaultValue = "20000", description = "records to index (default ${DEFAULT-VALUE})")
    int records;

    @Option(names = "--batch", defaultValue = "1000", description = "records per poll and per _bulk (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--bulk-operations", description = "operations per _bulk request of the sink when less than a "
            + "poll's (default: --batch): a poll then spans several requests")
    Integer bulkOperations;

    @Option(names = "--concurrent-requests", defaultValue = "" + SinkConfig.DEFAULT_BULK_CONCURRENT_REQUESTS,
            description = "the sink's _bulk requests in flight at once (bulkConcurrentRequests; default ${DEFAULT-VALUE}, "
                    + "the sink's); raw _bulk keeps as many in flight")
    int concurrentRequests;

    /** The measured result. */
    public record Result(int records, Duration sink, Duration rawBulk, double prepareSeconds, double writeSeconds) {
        public double sinkPerSecond() {
            return records / seconds(sink);
        }

        public double rawPerSecond() {
            return records / seconds(rawBulk);
        }

        /** Sink throughput as a fraction of raw _bulk throughput. */
        public double ratio() {
            return sinkPerSecond() / rawPerSecond();
        }

        private static double seconds(Duration d) {
            return Math.max(1, d.toNanos()) / 1e9;
        }
    }

    @Override
    public Integer call() throws Exception {
        Result result = run();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("records: %d, batch: %d, sink bulk operations: %d, concurrent requests: %d%n", result.records(), batch,
                bulkOperations == null ? batch : bulkOperations, concurrentRequests);
        out.printf("sink:      %8.0f docs/s (%d ms)%n", result.sinkPerSecond(), result.sink().toMillis());
        out.printf("  the loop spent %d ms decoding and rendering (while the batch before was in flight), %d ms handing"
                + " writes to Elasticsearch and waiting for its answers (the rest: Kafka polls and commits)%n",
                Math.round(result.prepareSeconds() * 1000), Math.round(result.writeSeconds() * 1000));
        out.printf("raw _bulk: %8.0f docs/s (%d ms, mean of one run before and one after the sink)%n", result.rawPerSecond(),
                result.rawBulk().toMillis());
        out.printf("ratio sink/raw: %.2f%n", result.ratio());
        out.flush();
        return 0;
    }

    public Result run() throws Exception {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        TopicCatalog topics = new TopicCatalog(prefix + ".");
        ElasticsearchConfig sinkEs = elasticsearch(prefix + "-sink");
        ElasticsearchConfig rawBefore = elasticsearch(prefix + "-raw1");
        ElasticsearchConfig rawAfter = elasticsearch(prefix + "-raw2");
        createTopics(topics);

        Instant base = Instant.parse("2025-01-01T00:00:00Z");
        List<EvidenceRecord> evidence = new ArrayList<>(records);
        for (int i = 0; i < records; i++) {
            evidence.add(SyntheticEvidence.record(i, base));
        }
        produce(topics.evidence().name(), evidence);

        // raw _bulk before and after the sink, so that neither side alone gets a cold or a warm server
        Duration rawFirst = RawBulk.index(rawBefore, evidence, batch, concurrentRequests, RawBulk.Writes.HISTORY).took();

        // the sink, from subscription until every record is committed
        SinkConfig config = SinkConfig.of(bootstrapServers, schemaRegistryUrl, topics, sinkEs)
                .withGroupId(prefix + "-sink").withInputs(EnumSet.of(SinkConfig.Input.EVIDENCE))
                // one write per record (its history document): a whole poll in one bulk request, like the raw _bulk
                .withBatching(batch, bulkOperations == null ? batch : bulkOperations)
                .withConcurrentRequests(concurrentRequests);
        Duration sinkTime;
        double prepare;
        double write;
        try (SinkService sink = SinkService.create(config, ControlCatalog.empty(), new SimpleMeterRegistry())) {
            Thread thread = new Thread(sink, "bench-sink");
            thread.start();
            if (!sink.awaitConsuming(Duration.ofMinutes(2))) {
                throw new IllegalStateException("the sink did not start");
            }
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MINUTES.toNanos(10);
            while (sink.metrics().count("kubeproof.sink.committed") < records) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the sink did not index " + records + " records within 10 minutes");
                }
                Thread.sleep(5);
            }
            sinkTime = Duration.ofNanos(System.nanoTime() - start);
            prepare = sink.metrics().phaseSeconds("prepare");
            write = sink.metrics().phaseSeconds("send") + sink.metrics().phaseSeconds("write");
        }

        Duration rawSecond = RawBulk.index(rawAfter, evidence, batch, concurrentRequests, RawBulk.Writes.HISTORY).took();
        Duration rawTime = rawFirst.plus(rawSecond).dividedBy(2);
        try (ElasticsearchClient client = ElasticsearchClients.create(sinkEs)) {
            String index = IndexNames.of(sinkEs).evidence();
            client.indices().refresh(r -> r.index(index));
            long sinkCount = client.count(r -> r.index(index)).count();
            if (sinkCount != records) {
                throw new IllegalStateException("the sink indexed " + sinkCount + " of " + records);
            }
        }
        return new Result(records, sinkTime, rawTime, prepare, write);
    }

    private ElasticsearchConfig elasticsearch(String indexPrefix) {
        ElasticsearchConfig config = ElasticsearchConfig.of(java.net.URI.create(elasticsearchUrl))
                .withNames(indexPrefix, 0);
        if (username != null) {
            Secret secret = passwordFile != null ? Secret.fromFile("--password-file", passwordFile)
                    : Secret.fromEnvironment("--password-env", passwordEnv);
            config = config.withBasicAuth(username, secret);
        }
        return config;
    }

    private void createTopics(TopicCatalog topics) throws Exception {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(properties)) {
            List<NewTopic> created = new ArrayList<>();
            for (TopicSpec spec : List.of(topics.evidence(), topics.deadLetters())) {
                created.add(new NewTopic(spec.name(), Math.min(spec.partitions(), 3), (short) 1).configs(spec.configs()));
            }
            admin.createTopics(created).all().get(60, TimeUnit.SECONDS);
            TopicProvisioner.awaitLeaders(admin, created.stream().map(NewTopic::name).toList());
        }
    }

    private void produce(String topic, List<EvidenceRecord> evidence) throws Exception {
        Map<String, Object> properties = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<String, EvidenceRecord> producer = new KafkaProducer<>(properties, new StringSerializer(),
                new AvroSerializer<>(new ConfluentRestSchemaRegistryClient(RegistryClientConfig.of(schemaRegistryUrl)), false, true))) {
            for (EvidenceRecord record : evidence) {
                producer.send(new ProducerRecord<>(topic, EvidenceKey.of(record), record));
            }
            producer.flush();
        }
    }
}
