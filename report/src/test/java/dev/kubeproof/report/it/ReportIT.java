package dev.kubeproof.report.it;

import static dev.kubeproof.avro.EvidenceStatus.CLOSED;
import static dev.kubeproof.avro.EvidenceStatus.EXEMPT;
import static dev.kubeproof.avro.EvidenceStatus.FAIL;
import static dev.kubeproof.avro.EvidenceStatus.NOT_APPLICABLE;
import static dev.kubeproof.avro.EvidenceStatus.PASS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;

import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicSpec;
import dev.kubeproof.report.cli.EvidenceVerifyCommand;
import dev.kubeproof.report.cli.ReportCommand;
import dev.kubeproof.report.cli.ReportKeygenCommand;
import dev.kubeproof.report.cli.ReportVerifyCommand;
import dev.kubeproof.report.pkg.PackageFiles;
import dev.kubeproof.report.support.Chains;
import dev.kubeproof.runtime.Secret;
import dev.kubeproof.sink.ControlCatalogs;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.streams.EvidenceSerdes;
import dev.kubeproof.streams.EvidenceTopology;
import dev.kubeproof.streams.EvidenceTopologyConfig;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

import picocli.CommandLine;

/**
 * Evidence indexed by the real sink into the real Elasticsearch, exported by {@code kubeproof report} as a user runs
 * it (paged two records at a time, so that every paging path is taken), verified offline, tampered with; and
 * {@code kubeproof evidence verify} on the stored chains before and after a record is deleted from the store.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class ReportIT {
    static final Instant FROM = Instant.parse("2026-10-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-10-05T00:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ElasticsearchConfig elasticsearch;
    private Path passwordFile;
    private IndexNames names;
    private ElasticsearchClient client;
    private Chains web;
    private Chains exec;
    private Path checkpointKey;
    private Path checkpointPublicKey;
    private String[] kafkaSettings;

    @BeforeEach
    void indexEvidenceThroughTheSink(RealServers servers, @TempDir Path tmp) throws Exception {
        // Given the sink running on its own topics and indices
        String name = servers.uniqueName("report");
        TopicCatalog topics = new TopicCatalog(name + ".");
        kafkaSettings = new String[] {"--set", "kafka.bootstrapServers=" + servers.kafkaBootstrapServers(),
                "--set", "kafka.schemaRegistryUrl=" + servers.schemaRegistryUrl(), "--set", "topicPrefix=" + topics.prefix()};
        servers.createTopics(1, topics.all().stream().map(TopicSpec::name).toArray(String[]::new));
        StackEndpoints.Credentials credentials = servers.endpoints().elasticsearchCredentials().orElseThrow();
        passwordFile = Files.writeString(tmp.resolve("password"), credentials.password() + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        elasticsearch = ElasticsearchConfig.of(URI.create(servers.elasticsearchUrl()))
                .withNames(name, 0)
                .withBasicAuth(credentials.username(), Secret.fromFile("elasticsearch.password", passwordFile));
        names = IndexNames.of(elasticsearch);
        client = ElasticsearchClients.create(elasticsearch);
        toClose.add(client);
        SinkService sink = SinkService.create(SinkConfig.of(servers.kafkaBootstrapServers(), servers.schemaRegistryUrl(),
                topics, elasticsearch).withGroupId(name), ControlCatalogs.builtIn(), new SimpleMeterRegistry());
        Thread thread = new Thread(sink, "report-it-sink");
        thread.start();
        toClose.add(() -> {
            sink.close();
            thread.join(30_000);
        });
        assertThat(sink.awaitConsuming(Duration.ofSeconds(60))).isTrue();

        // and four days of evidence: web fails 2 October for a day (75 %), legacy is exempt from 3 October, tmp is
        // created failing and deleted inside the period, a runtime detection, and records before and after the period
        web = Chains.of("KP-POD-001", "shop", "web").then(PASS, Instant.parse("2026-09-20T10:00:00Z"))
                .then(FAIL, Instant.parse("2026-10-02T00:00:00Z")).then(PASS, Instant.parse("2026-10-03T00:00:00Z"))
                .then(FAIL, Instant.parse("2026-10-06T00:00:00Z"));
        Chains legacy = Chains.of("KP-POD-001", "shop", "legacy").then(FAIL, Instant.parse("2026-09-01T00:00:00Z"))
                .then(EXEMPT, Instant.parse("2026-10-03T00:00:00Z"), "bob@example.com",
                        Chains.exception("EXC-9", "ciso@example.com", Instant.parse("2027-01-01T00:00:00Z")));
        Chains tmpDeployment = Chains.of("KP-POD-001", "shop", "tmp").then(FAIL, Instant.parse("2026-10-02T06:00:00Z"))
                .then(CLOSED, Instant.parse("2026-10-02T18:00:00Z"));
        Chains notApplicable = Chains.of("KP-POD-002", "shop", "web").then(NOT_APPLICABLE, Instant.parse("2026-09-01T00:00:00Z"));
        exec = Chains.of("KP-RUN-001", "shop", "web").then(FAIL, Instant.parse("2026-10-04T09:00:00Z"),
                "mallory@example.com", null);
        Chains otherCluster = Chains.of("staging", "KP-POD-001", "shop", "web").then(FAIL, Instant.parse("2026-10-02T00:00:00Z"));
        // and a chain recorded before the topology kept since from going back (a scan dated before the change)
        Chains scanned = Chains.of("KP-POD-002", "shop", "scanned").then(PASS, Instant.parse("2026-10-02T00:00:00Z"))
                .then(FAIL, Instant.parse("2026-09-15T00:00:00Z"));
        List<EvidenceRecord> all = new ArrayList<>();
        Stream.of(web, legacy, tmpDeployment, notApplicable, exec, otherCluster, scanned).forEach(c -> all.addAll(c.records()));
        try (KafkaProducer<String, EvidenceRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new AvroSerializer<>(new ConfluentRestSchemaRegistryClient(
                        RegistryClientConfig.of(servers.schemaRegistryUrl())), false, true))) {
            for (EvidenceRecord record : all) {
                producer.send(new ProducerRecord<>(topics.evidence().name(), EvidenceKey.of(record), record)).get();
            }
        }
        await("evidence indexed").atMost(WAIT).ignoreExceptionsInstanceOf(ElasticsearchException.class).until(() -> {
            client.indices().refresh(r -> r.index(names.evidence()));
            return client.count(c -> c.index(names.evidence())).count() == all.size();
        });

        // and the pipeline's checkpoints of the evidence topic, signed, every second, indexed by the sink
        checkpointKey = tmp.resolve("pipeline.key");
        checkpointPublicKey = tmp.resolve("pipeline.pub.pem");
        Signing.keygen(checkpointKey, checkpointPublicKey);
        EvidenceTopologyConfig checkpointing = new EvidenceTopologyConfig(topics, List.of(), 1, java.util.Optional.empty(),
                Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(1),
                java.util.Optional.of(Signing.privateKey(checkpointKey)));
        java.util.Properties properties = new java.util.Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, name + "-checkpoints");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrapServers());
        properties.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("streams").toString());
        properties.put(StreamsConfig.consumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG),
                "earliest");
        KafkaStreams streams = new KafkaStreams(EvidenceTopology.buildCheckpoints(checkpointing, EvidenceSerdes.avro(
                new ConfluentRestSchemaRegistryClient(RegistryClientConfig.of(servers.schemaRegistryUrl())))), properties);
        streams.start();
        toClose.add(() -> streams.close(Duration.ofSeconds(30)));
        await("a checkpoint of every record indexed").atMost(WAIT).ignoreExceptionsInstanceOf(ElasticsearchException.class)
                .until(() -> {
                    client.indices().refresh(r -> r.index(names.checkpoints()));
                    return client.count(c -> c.index(names.checkpoints())).count() > 0;
                });
        var first = client.search(s -> s.index(names.checkpoints()).size(1).sort(o -> o.field(f -> f
                .field("kubeproof.checkpoint.created_at"))), JsonNode.class).hits().hits().get(0).source();
        assertThat(first.at("/kubeproof/checkpoint/through_offset").asLong()).as("the first checkpoint covers every record")
                .isEqualTo(all.size() - 1);
        assertThat(first.at("/kubeproof/checkpoint/heads").asLong()).isEqualTo(7);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void shouldExportAVerifiableSignedPackageOfThePeriodAndNameEveryTampering(@TempDir Path tmp) throws Exception {
        // Given a signing key
        Path key = tmp.resolve("signer.key");
        Path publicKey = tmp.resolve("signer.pub.pem");
        assertThat(run(new ReportKeygenCommand(), "--private-key", key.toString(), "--public-key", publicKey.toString()).code)
                .isZero();

        // When the period is exported for cluster prod
        Path out = tmp.resolve("october");
        Run report = run(new ReportCommand(), connection("--from", "2026-10-01T00:00Z", "--to", "2026-10-05T00:00Z",
                "--cluster", "prod", "--sign-key", key.toString(), "--checkpoint-key", checkpointPublicKey.toString(),
                "--out", out.toString()));

        // Then it says what it wrote, and the figures are the known answers
        assertThat(report.code).as(report.output).isZero();
        assertThat(report.output).contains("hash chains verified")
                .contains("checkpoint(s) verified with their signatures; the last root of 1 partition(s) recomputed from the "
                        + "store matches");
        JsonNode checkpoints = JSON.readTree(out.resolve(PackageFiles.MANIFEST).toFile()).path("checkpoints");
        assertThat(checkpoints.path("verified").asBoolean()).isTrue();
        assertThat(checkpoints.path("count").asInt()).as("the first checkpoint after the period").isEqualTo(1);
        assertThat(checkpoints.path("rootsRecomputed").get(0).path("storeHeads").asLong()).isEqualTo(7);
        JsonNode summary = JSON.readTree(out.resolve(PackageFiles.SUMMARY_JSON).toFile());
        JsonNode privileged = control(summary, "KP-POD-001");
        // web: 3 of 4 days PASS; legacy: 2 days FAIL then exempt; tmp: 12 h FAIL
        double pass = Duration.ofDays(3).toMillis();
        double assessed = pass + Duration.ofDays(1).toMillis() + Duration.ofDays(2).toMillis() + Duration.ofHours(12).toMillis();
        assertThat(privileged.path("compliancePercent").asDouble()).isCloseTo(100 * pass / assessed, within(0.001));
        assertThat(privileged.path("resources").asInt()).isEqualTo(3);
        assertThat(privileged.path("violationsClosedByDeletion").asInt()).isEqualTo(1);
        assertThat(summary.path("exceptions").get(0).path("approvedBy").asText()).isEqualTo("ciso@example.com");
        assertThat(summary.path("runtimeDetections").path("KP-RUN-001").path("mallory@example.com").asInt()).isEqualTo(1);
        // 2 web + 1 legacy + 2 tmp + 1 exec + 2 scanned (its FAIL dated September takes effect after its PASS of
        // 2 October) in the period; web's FAIL of 6 October and the staging cluster left out
        assertThat(summary.path("evidence").path("records").asLong()).isEqualTo(8);
        assertThat(control(summary, "KP-POD-002").path("resourcesAtEnd").path("FAIL").asInt()).isEqualTo(1);
        assertThat(summary.path("evidence").path("stateAtStart").asLong()).isEqualTo(3);
        assertThat(Files.readString(out.resolve(PackageFiles.EVIDENCE_CSV))).doesNotContain("2026-10-06").doesNotContain("staging");
        assertThat(out.resolve(PackageFiles.PDF)).isNotEmptyFile();
        assertThat(out.resolve(PackageFiles.OSCAL)).isNotEmptyFile();

        // And the package verifies offline with the signer's public key
        Run verify = run(new ReportVerifyCommand(), out.toString(), "--public-key", publicKey.toString(),
                "--checkpoint-key", checkpointPublicKey.toString());
        assertThat(verify.code).as(verify.output).isZero();
        assertThat(verify.output).doesNotContain("note:");
        assertThat(verify.output).contains("OK").contains("8 evidence records on 6 keys").contains("signature valid");

        // But each tampering with a copy of it fails, naming what was done: one byte of any file changed ...
        try (Stream<Path> files = Files.list(out)) {
            for (String file : files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("manifest")).toList()) {
                Path copy = copy(out, tmp.resolve("byte-" + file));
                byte[] bytes = Files.readAllBytes(copy.resolve(file));
                bytes[bytes.length / 3] ^= 0x01;
                Files.write(copy.resolve(file), bytes);
                assertThat(verifyFails(copy, publicKey)).contains(file + ": SHA-256");
            }
        }
        // ... one evidence line removed (web's remediation) ...
        Path removed = copy(out, tmp.resolve("removed"));
        List<String> lines = new ArrayList<>(Files.readAllLines(removed.resolve(PackageFiles.EVIDENCE)));
        lines.remove(lines.stream().filter(l -> l.contains(web.key()) && l.contains("\"sequence\":3")).findFirst().orElseThrow());
        Files.write(removed.resolve(PackageFiles.EVIDENCE), lines);
        assertThat(verifyFails(removed, publicKey)).contains("key " + web.key());
        // ... two lines swapped (web's two records of the period) ...
        Path reordered = copy(out, tmp.resolve("reordered"));
        List<String> swapped = new ArrayList<>(Files.readAllLines(reordered.resolve(PackageFiles.EVIDENCE)));
        int first = java.util.stream.IntStream.range(0, swapped.size()).filter(i -> swapped.get(i).contains(web.key()))
                .findFirst().orElseThrow();
        java.util.Collections.swap(swapped, first, first + 1);
        Files.write(reordered.resolve(PackageFiles.EVIDENCE), swapped);
        assertThat(verifyFails(reordered, publicKey)).contains("key " + web.key() + " sequence 3")
                .contains("(records out of order)");
        // ... and the manifest re-signed with another key
        Path resigned = copy(out, tmp.resolve("resigned"));
        Path otherKey = tmp.resolve("other.key");
        assertThat(run(new ReportKeygenCommand(), "--private-key", otherKey.toString(), "--public-key",
                tmp.resolve("other.pub.pem").toString()).code).isZero();
        Files.writeString(resigned.resolve(PackageFiles.SIGNATURE), Signing.sign(
                Files.readAllBytes(resigned.resolve(PackageFiles.MANIFEST)), otherKey));
        assertThat(verifyFails(resigned, publicKey)).contains(PackageFiles.SIGNATURE + " does not verify");
    }

    @Test
    void shouldFindTheGapWhenARecordIsDeletedFromTheStore() throws Exception {
        // Given the stored chains hold
        Run before = run(new EvidenceVerifyCommand(), connection());
        assertThat(before.code).as(before.output).isZero();
        assertThat(before.output).contains("OK: 13 evidence records on 7 keys");
        // (and a cluster that holds none, a mistyped --cluster say, is not a pass)
        Run none = run(new EvidenceVerifyCommand(), connection("--cluster", "no-such-cluster"));
        assertThat(none.code).as(none.output).isEqualTo(1);
        assertThat(none.output).contains("FAILED: nothing to verify: no evidence record of cluster(s) no-such-cluster");

        // When web's second record is deleted from Elasticsearch
        String second = web.records().get(1).getEvidenceId();
        // (by id from its backing index: delete-by-query is not in Elasticsearch's integ-test distribution)
        var hit = client.search(s -> s.index(names.evidence()).query(q -> q.term(t -> t.field("kubeproof.evidence_id")
                .value(second))), Void.class).hits().hits().get(0);
        client.delete(d -> d.index(hit.index()).id(hit.id()).refresh(co.elastic.clients.elasticsearch._types.Refresh.True));

        // Then evidence verify names the key and the missing sequence
        Run after = run(new EvidenceVerifyCommand(), connection());
        assertThat(after.code).as(after.output).isEqualTo(1);
        assertThat(after.output).contains("FAILED: 1 of 7 keys").contains("gaps")
                .contains("key " + web.key() + " sequence 2 missing before sequence 3");
    }

    @Test
    void shouldDetectThatAChainsLastRecordWasRemovedByTheCheckpointThatCoveredIt(@TempDir Path tmp) throws Exception {
        // Given the store and its checkpoints agree
        Run before = run(new EvidenceVerifyCommand(), connection("--checkpoint-key", checkpointPublicKey.toString()));
        assertThat(before.code).as(before.output).isZero();
        assertThat(before.output).contains("checkpoints: ").contains("verified with their signatures");

        // and the evidence topic itself, with its checkpoints, holds too
        List<String> kafka = new ArrayList<>(List.of("--source", "kafka", "--checkpoint-key", checkpointPublicKey.toString()));
        kafka.addAll(List.of(kafkaSettings));
        Run topic = run(new EvidenceVerifyCommand(), kafka.toArray(String[]::new));
        assertThat(topic.code).as(topic.output).isZero();
        assertThat(topic.output).contains("OK: 13 evidence records on 7 keys in 1 partition(s) of ")
                .containsPattern("checkpoints: \\d+ verified, signatures checked; \\d+ root\\(s\\) of the period "
                        + "recomputed from the topic");

        // When the only record of the exec detection (so the last of its chain) is deleted from Elasticsearch
        String only = exec.records().get(0).getEvidenceId();
        var hit = client.search(s -> s.index(names.evidence()).query(q -> q.term(t -> t.field("kubeproof.evidence_id")
                .value(only))), Void.class).hits().hits().get(0);
        client.delete(d -> d.index(hit.index()).id(hit.id()).refresh(co.elastic.clients.elasticsearch._types.Refresh.True));

        // Then every remaining chain still holds, but evidence verify finds the root that no longer adds up
        Run after = run(new EvidenceVerifyCommand(), connection("--checkpoint-key", checkpointPublicKey.toString()));
        assertThat(after.code).as(after.output).isEqualTo(1);
        assertThat(after.output).contains("every chain of 6 keys holds, but the checkpoints do not")
                .contains("the store's 6 chain heads give root").contains("vouches for 7 heads")
                .contains("evidence at or before this offset was removed or altered after the checkpoint");

        // And a report of the period says so, and its package does not verify
        Path out = tmp.resolve("after-deletion");
        Run report = run(new ReportCommand(), connection("--from", "2026-10-01T00:00Z", "--to", "2026-10-05T00:00Z",
                "--out", out.toString()));
        assertThat(report.code).as(report.output).isEqualTo(3);
        assertThat(report.output).contains("WARNING: 1 checkpoint problem(s)").contains("vouches for 7 heads");
        Run verify = run(new ReportVerifyCommand(), out.toString());
        assertThat(verify.code).as(verify.output).isEqualTo(1);
        assertThat(verify.output).contains(PackageFiles.CHECKPOINTS + ": failed verification when the package was made");
    }

    @Test
    void shouldMeasureTheExportOfLoadedEvidence() {
        // When the export bench runs on 400 records (its data in a data stream of its own)
        Run bench = run(new dev.kubeproof.report.cli.ReportBenchCommand(), connection("--records", "400"));

        // Then it reports the figures of a full package of exactly those records (100 keys of four transitions)
        assertThat(bench.code).as(bench.output).isZero();
        assertThat(bench.output).contains("loaded 400 records on 100 keys").contains("exported 400 records")
                .contains("records/s").contains("peak heap used during the export").containsPattern("package: \\d+ MB");
    }

    /** Runs report verify on a package expected to fail; its output. */
    private String verifyFails(Path dir, Path publicKey) {
        Run verify = run(new ReportVerifyCommand(), dir.toString(), "--public-key", publicKey.toString(),
                "--checkpoint-key", checkpointPublicKey.toString());
        assertThat(verify.code).as(verify.output).isEqualTo(1);
        assertThat(verify.output).startsWith("FAILED");
        return verify.output;
    }

    private static Path copy(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        return to;
    }

    private String[] connection(String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("--set", "elasticsearch.urls=" + elasticsearch.urls().get(0),
                "--set", "elasticsearch.username=" + elasticsearch.username(),
                "--set", "elasticsearch.password.file=" + passwordFile,
                "--set", "elasticsearch.indexPrefix=" + elasticsearch.indexPrefix(),
                "--set", "pageSize=2"));
        return args.toArray(String[]::new);
    }

    private static JsonNode control(JsonNode summary, String id) {
        for (JsonNode control : summary.path("controls")) {
            if (control.path("id").asText().equals(id)) {
                return control;
            }
        }
        throw new AssertionError("no control " + id);
    }

    record Run(int code, String output) {
    }

    private static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(out, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString());
    }
}
