package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackConfig;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * The whole pipeline (collectors on the sample cluster, the exactly-once evidence topology, the sink) on a Kafka
 * broker of its own, which is stopped part-way through the run and started again on its data: afterwards every
 * evidence key's hash chain is whole (sequences 1..n, no gap, no repeat, hashes linked), no evidence id appears
 * twice, every record is one history document in Elasticsearch, every key's current state one posture document,
 * nothing was dead-lettered, and the posture is the sample's 2,235 results, as without a restart.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class BrokerRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The sample's posture (README): every run of it ends with these current results. */
    private static final int SAMPLE_RESULTS = 2_235;
    private static final Duration WAIT = Duration.ofMinutes(4);

    @Test
    @SuppressWarnings("unchecked")
    void shouldLoseAndDuplicateNothingWhenTheBrokerRestartsMidRun(RealServers servers, @TempDir Path dir) throws Exception {
        // Given a broker of its own (the shared one keeps serving the registry) and the sample's pipeline on it
        StackConfig brokerConfig = StackConfig.ephemeral(dir.resolve("broker"), false);
        LocalStack broker = LocalStack.start(brokerConfig, Set.of(ServerKind.KAFKA));
        String prefix = servers.uniqueName("restart");
        StackEndpoints endpoints = new StackEndpoints(broker.endpoints().kafkaBootstrapServers(), servers.schemaRegistryUrl(),
                servers.elasticsearchUrl(), servers.endpoints().elasticsearchCredentials());
        LocalPipeline pipeline = new LocalPipeline(new LocalPipeline.Settings(endpoints, dir.resolve("pipeline"), "sample",
                prefix + ".", prefix, Optional.empty(), Optional.empty(), Optional.empty(), List.of()));
        try {
            pipeline.start();

            // When the broker stops while evidence is being written, stays down 10 s and starts again on its data
            await("evidence under way").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> pipeline.progress().topicRecords().getOrDefault("evidence", 0L) > 0);
            LocalPipeline.Progress atStop = pipeline.progress();
            broker.close();
            System.out.printf("BrokerRestartIT: broker stopped at %s (streams lag %d, sink lag %d)%n",
                    atStop.topicRecords(), atStop.streamsLag(), atStop.sinkLag());
            Thread.sleep(10_000); // the outage itself: clients must ride it out
            broker = LocalStack.start(brokerConfig.withFreshData(false), Set.of(ServerKind.KAFKA));

            // Then the pipeline settles
            LocalPipeline.Progress[] previous = {null};
            int[] stable = {0};
            await("settled after the restart").atMost(WAIT).pollInterval(Duration.ofSeconds(3)).until(() -> {
                LocalPipeline.Progress progress = pipeline.progress();
                assertThat(progress.streamsFailed()).as("the evidence topology failed").isFalse();
                stable[0] = progress.settled(previous[0]) ? stable[0] + 1 : 0;
                previous[0] = progress;
                return stable[0] >= 2;
            });

            // and the evidence in Kafka is whole — one chain per key, no repeat, no gap — the posture is the sample's, and Elasticsearch holds
            // each record once and each current state once
            List<EvidenceRecord>[] evidence = new List[1];
            long[] current = new long[1];
            await("Kafka and Elasticsearch agree on the sample's posture").atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
                        evidence[0] = readAll(endpoints, pipeline.topics().evidence().name());
                        Map<String, List<EvidenceRecord>> byKey = evidence[0].stream().collect(Collectors.groupingBy(
                                dev.kubeproof.contract.evidence.EvidenceKey::of, LinkedHashMap::new, Collectors.toList()));
                        Set<String> ids = new HashSet<>();
                        evidence[0].forEach(r -> assertThat(ids.add(r.getEvidenceId()))
                                .as("evidence id %s once", r.getEvidenceId()).isTrue());
                        byKey.forEach((key, records) -> {
                            assertThat(records).extracting(r -> r.getChain().getSequence()).as(key).containsExactlyElementsOf(
                                    java.util.stream.LongStream.rangeClosed(1, records.size()).boxed().toList());
                            assertThat(EvidenceChain.verify(records).valid()).as(key).isTrue();
                        });
                        current[0] = byKey.values().stream()
                                .filter(records -> records.get(records.size() - 1).getStatus() != EvidenceStatus.CLOSED).count();
                        assertThat(current[0]).as("the sample's results, as without a restart").isEqualTo(SAMPLE_RESULTS);
                        assertThat(count(servers, prefix + "-evidence")).as("history documents").isEqualTo(evidence[0].size());
                        assertThat(count(servers, prefix + "-posture")).as("posture documents").isEqualTo(current[0]);
                    });
            assertThat(pipeline.progress().topicRecords().get("dead-letters")).isZero();
            System.out.printf("BrokerRestartIT: %d evidence records, chains whole, none twice; %d history and %d posture"
                    + " documents%n", evidence[0].size(), evidence[0].size(), current[0]);
        } finally {
            pipeline.close();
            broker.close();
        }
    }

    private static List<EvidenceRecord> readAll(StackEndpoints endpoints, String topic) {
        Map<String, Object> properties = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<EvidenceRecord> records = new ArrayList<>();
        try (KafkaConsumer<String, EvidenceRecord> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new AvroDeserializer<>(new ConfluentRestSchemaRegistryClient(RegistryClientConfig.of(endpoints.schemaRegistryUrl())),
                        EvidenceRecord.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, EvidenceRecord> record : consumer.poll(Duration.ofMillis(500))) {
                    records.add(record.value());
                }
            }
        }
        return records;
    }

    private static long count(RealServers servers, String index) throws Exception {
        StackEndpoints.Credentials credentials = servers.endpoints().elasticsearchCredentials().orElseThrow();
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Basic " + Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
        http.send(HttpRequest.newBuilder(URI.create(servers.elasticsearchUrl() + "/" + index + "/_refresh"))
                .header("Authorization", auth).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(servers.elasticsearchUrl() + "/" + index + "/_count"))
                .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).path("count").asLong(-1);
    }
}
