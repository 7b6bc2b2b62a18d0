package dev.kubeproof.report.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;


import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.report.kafka.KafkaEvidenceCheck;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.report.ReportConfig;
import dev.kubeproof.report.checkpoint.CheckpointSource;
import dev.kubeproof.report.checkpoint.CheckpointVerification;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.model.ChainCheck;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.runtime.ServiceCommand;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kubeproof evidence verify}: checks the hash chains of the evidence as Elasticsearch stores it, key by key,
 * before a package is handed over: every record against its hash, and each key's records for gaps, duplicates,
 * reordering and broken links, and the checkpoints of the period. With {@code --from}, a key's chain is checked from
 * its last record before that time.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks the hash chains of the stored evidence (Elasticsearch, or the Kafka topic) and reports gaps, breaks and "
                + "duplicates by key and sequence, and the pipeline's checkpoints of the period (ids, signatures, links, "
                + "and each partition's last root recomputed from the store). Exit 0 when everything holds, 1 otherwise "
                + "(also when no evidence record matched: nothing verified is not a pass)."})
public final class EvidenceVerifyCommand extends ServiceCommand<ReportConfig> {
    static final int SHOWN = 20;

    @Option(names = "--from", paramLabel = "TIME", converter = ReportCommand.InstantConverter.class,
            description = "Check records from this time on (each key from its last record before it). Default: all.")
    Instant from = Instant.EPOCH;

    @Option(names = "--to", paramLabel = "TIME", converter = ReportCommand.InstantConverter.class,
            description = "Check records before this time. Default: now.")
    Instant to;

    @Mixin
    ElasticsearchTarget target;

    @Option(names = "--cluster", split = ",", paramLabel = "ID", description = "Only these clusters.")
    List<String> clusters = new ArrayList<>();

    @Option(names = "--source", paramLabel = "STORE", defaultValue = "elasticsearch",
            description = "Where to read the evidence: elasticsearch (the sink's data streams) or kafka (the evidence and "
                    + "checkpoints topics, whole: every checkpoint of the period is recomputed). Default: elasticsearch.")
    String source;

    @Option(names = "--checkpoint-key", paramLabel = "FILE", description = "The pipeline's Ed25519 public key (PEM) that "
            + "its checkpoints must be signed with; without it their signatures are not checked.")
    Path checkpointKey;

    @Override
    protected Class<ReportConfig> configType() {
        return ReportConfig.class;
    }

    @Override
    protected int run(ReportConfig config) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if ("kafka".equalsIgnoreCase(source)) {
            return kafka(config, out);
        }
        if (!"elasticsearch".equalsIgnoreCase(source)) {
            throw new IllegalArgumentException("--source must be elasticsearch or kafka, not " + source);
        }
        ReportFilter filter = new ReportFilter(List.of(), List.of(), clusters, List.of());
        ControlScope scope = ControlScope.builtIn(filter);
        Period period = new Period(from, to == null ? Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) : to);
        Map<String, Long> byKind = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        long[] totals = new long[2];
        CheckpointVerification checkpoints;
        try (ElasticsearchTarget.Connection connection = target.connect(config)) {
            connection.evidence(config.pageSize()).read(period, scope.controls().keySet(), filter, timeline -> {
                        totals[0]++;
                        totals[1] += timeline.records().size();
                        ChainCheck check = ChainCheck.of(timeline.key(), timeline.anchor(), timeline.records());
                        if (!check.ok()) {
                            byKind.merge(kind(check.problem()), 1L, Long::sum);
                            if (problems.size() < SHOWN) {
                                problems.add(check.problem());
                            }
                        }
                    }, keys -> { });
            CheckpointSource source = connection.checkpoints(config.pageSize());
            checkpoints = CheckpointVerification.of(source.covering(period),
                    checkpointKey == null ? null : Signing.publicKey(checkpointKey), source);
        }
        String checkpointLine = checkpointLine(checkpoints);
        if (totals[0] == 0) {
            // "OK" over nothing would pass a mistyped --cluster, a period before the pipeline ran, or an empty store
            out.printf("FAILED: nothing to verify: no evidence record%s, %s to %s%n", clusters.isEmpty() ? ""
                    : " of cluster(s) " + String.join(", ", clusters), period.from(), period.to());
            out.println(checkpointLine);
            return 1;
        }
        if (byKind.isEmpty() && checkpoints.ok()) {
            out.printf("OK: %d evidence records on %d keys, %s to %s: every chain holds%n", totals[1], totals[0], period.from(),
                    period.to());
            out.println(checkpointLine);
            return 0;
        }
        if (!byKind.isEmpty()) {
            out.printf("FAILED: %d of %d keys have broken chains (%s)%n", byKind.values().stream().mapToLong(Long::longValue).sum(),
                    totals[0], byKind);
            problems.forEach(problem -> out.println("  " + problem));
        } else {
            out.printf("every chain of %d keys holds, but the checkpoints do not%n", totals[0]);
        }
        out.println(checkpointLine);
        checkpoints.problems().stream().limit(SHOWN).forEach(problem -> out.println("  " + problem));
        return 1;
    }

    private int kafka(ReportConfig config, PrintWriter out) throws Exception {
        if (!clusters.isEmpty()) {
            throw new IllegalArgumentException("--cluster filters Elasticsearch only: the topic is checked whole");
        }
        Period period = new Period(from, to == null ? Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) : to);
        KafkaConfig kafka = target.kafka(config);
        TopicCatalog topics = new TopicCatalog(config.topicPrefix());
        SchemaRegistryClient registry = new ConfluentRestSchemaRegistryClient(kafka.registryClientConfig());
        Map<String, Object> properties = new java.util.HashMap<>(kafka.clientProperties());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        KafkaEvidenceCheck.Result result;
        try (KafkaConsumer<String, EvidenceRecord> evidence = new KafkaConsumer<>(properties, new StringDeserializer(),
                new AvroDeserializer<>(registry, EvidenceRecord.class));
             KafkaConsumer<String, Checkpoint> checkpoints = new KafkaConsumer<>(properties, new StringDeserializer(),
                     new AvroDeserializer<>(registry, Checkpoint.class))) {
            result = KafkaEvidenceCheck.run(evidence, topics.evidence().name(), checkpoints, topics.checkpoints().name(),
                    period, checkpointKey == null ? null : Signing.publicKey(checkpointKey));
        }
        String where = result.records() + " evidence records on " + result.keys() + " keys in " + result.partitions()
                + " partition(s) of " + topics.evidence().name();
        String checkpointLine = result.checkpoints().checkpoints().isEmpty()
                ? "checkpoints: none (removing a chain's last record would not be detectable)"
                : "checkpoints: " + result.checkpoints().checkpoints().size() + (result.checkpoints().ok() ? " verified" : " checked")
                + (checkpointKey == null ? " (signatures not checked: give --checkpoint-key)" : ", signatures checked")
                + "; " + result.checkpoints().recomputed().size() + " root(s) of the period recomputed from the topic"
                + (result.checkpoints().ok() ? "" : ": FAILED, " + result.checkpoints().problems().size() + " problem(s)");
        if (result.records() == 0) {
            out.println("FAILED: nothing to verify: " + topics.evidence().name() + " holds no evidence record");
            out.println(checkpointLine);
            return 1;
        }
        if (result.ok()) {
            out.println("OK: " + where + ": every chain holds");
            out.println(checkpointLine);
            return 0;
        }
        if (!result.problemCounts().isEmpty()) {
            out.println("FAILED: " + where + ": broken chains " + result.problemCounts());
            result.problems().forEach(problem -> out.println("  " + problem));
        } else {
            out.println("every chain of " + where + " holds, but the checkpoints do not");
        }
        out.println(checkpointLine);
        result.checkpoints().problems().stream().limit(SHOWN).forEach(problem -> out.println("  " + problem));
        return 1;
    }

    private String checkpointLine(CheckpointVerification checkpoints) {
        if (checkpoints.checkpoints().isEmpty()) {
            return "checkpoints: none in the period (removing a chain's last record would not be detectable)";
        }
        if (!checkpoints.ok()) {
            return "checkpoints: FAILED, " + checkpoints.problems().size() + " problem(s) in " + checkpoints.checkpoints().size()
                    + " checkpoint(s)";
        }
        return "checkpoints: " + checkpoints.checkpoints().size() + " verified" + (checkpointKey == null
                ? " (signatures not checked: give --checkpoint-key)" : " with their signatures") + "; the store's chain "
                + "heads give the last root of each of " + checkpoints.recomputed().size() + " partition(s)";
    }

    private static String kind(String problem) {
        if (problem.contains("missing")) {
            return "gaps";
        }
        if (problem.contains("twice")) {
            return "duplicates";
        }
        if (problem.contains("out of order")) {
            return "reordered";
        }
        if (problem.contains("altered") || problem.contains("does not match")) {
            return "altered";
        }
        return "broken links";
    }
}
