package dev.kubeproof.cli.bench;

import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.cli.LocalPipeline;
import dev.kubeproof.demo.synthetic.SyntheticCluster;
import dev.kubeproof.ingest.resources.informer.ResourceChangeMapper;
import dev.kubeproof.ingest.resources.kinds.KindCatalog;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.Ports;
import dev.kubeproof.stack.StackEndpoints;

/**
 * Steady state: after the cold start, compliant Deployments are made privileged and compliant again, round after
 * round, at a fixed offered rate, each
 * as an API server would report it: the update's audit event appended to the audit log the pipeline tails, and the
 * informer's change published through the collectors' own publisher and record mapper. (The mock API server's store
 * is searched linearly per request, too slow to take thousands of writes a second; the collector's informer stage
 * is the only part left out.) Latencies run from each change's <em>intended</em> send time, so a stall of the
 * sender counts against the pipeline instead of hiding (no coordinated omission):
 * <ul>
 *   <li>change → violation: until KP-POD-001's record of that change (the violation opened or closed) is on the
 *       violations topic;</li>
 *   <li>change → document: until Elasticsearch counts that many KP-POD-001 violation documents of the phase
 *       (polled every 100 ms, so up to 100 ms coarser, and including the index refresh).</li>
 * </ul>
 */
final class SteadyState {
    static final String CONTROL = "KP-POD-001";
    /** How long the light-load phase offers changes. */
    static final int LIGHT_LOAD_SECONDS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param drainedPerSecond changes per second from the first send to the last violation seen: what the pipeline
     *                         sustained (below the offered rate when it cannot keep up, and then latency is queueing)
     */
    record Result(int changes, int offeredPerSecond, double achievedPerSecond, double drainedPerSecond,
                  Histogram toViolation, Histogram toDocument) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("changes", changes);
            map.put("offeredPerSecond", offeredPerSecond);
            map.put("achievedPerSecond", BenchCommand.round(achievedPerSecond, 1));
            map.put("drainedPerSecond", BenchCommand.round(drainedPerSecond, 1));
            map.put("changeToViolation", Measure.latency(toViolation, changes));
            map.put("changeToDocument", Measure.latency(toDocument, changes));
            return map;
        }
    }

    /**
     * The light-load phase's rate: a quarter of what the pipeline drained at the offered load (at least 1/s), so
     * that its latency is the pipeline's own (commits, hops, the sink) rather than the queue's.
     */
    static int lightRate(Result saturated) {
        return Math.max(1, (int) (saturated.drainedPerSecond() / 4));
    }

    private final LocalPipeline pipeline;
    private final StackEndpoints endpoints;
    private final Path auditLog;
    private final List<ObjectNode> deployments;
    private final int firstChange;
    private final int rate;
    private final int changes;
    private final Duration timeout;
    private final PrintStream console;

    /**
     * @param deployments the Deployments changed round after round (the same list for every phase of a run)
     * @param firstChange how many changes earlier phases made: this phase continues their rounds, so that each of
     *                    its changes flips a Deployment from the state the previous ones left
     */
    SteadyState(LocalPipeline pipeline, StackEndpoints endpoints, Path auditLog, List<ObjectNode> deployments,
                int firstChange, int rate, int changes, Duration timeout, PrintStream console) {
        this.pipeline = pipeline;
        this.endpoints = endpoints;
        this.auditLog = auditLog;
        this.deployments = deployments;
        this.firstChange = firstChange;
        this.rate = rate;
        this.changes = changes;
        this.timeout = timeout;
        this.console = console;
    }

    Result run() throws Exception {
        List<ResourceChange> prepared = prepare(changes);
        int n = prepared.size();
        long[] intended = new long[n];
        // per Deployment, its changes sent and not yet seen as violations, in order
        Map<String, Queue<Integer>> pending = new ConcurrentHashMap<>();
        Histogram toViolation = Measure.latencyHistogram();
        Histogram toDocument = Measure.latencyHistogram();
        AtomicBoolean stop = new AtomicBoolean();

        AtomicLong lastViolation = new AtomicLong();
        Thread violations = new Thread(() -> readViolations(pending, intended, toViolation, lastViolation, stop),
                "bench-violations");
        Instant phaseStart = Instant.now();
        ElasticsearchConfig elasticsearch = pipeline.elasticsearch();
        Thread documents = new Thread(() -> countDocuments(elasticsearch, phaseStart, intended, n, toDocument, stop),
                "bench-documents");
        try (IngestRuntime runtime = IngestRuntime.create(KafkaConfig.of(endpoints.kafkaBootstrapServers(),
                endpoints.schemaRegistryUrl(), "kubeproof-bench"), pipeline.topics(),
                new HealthConfig("127.0.0.1", Ports.freePort()));
             BufferedWriter audit = Files.newBufferedWriter(auditLog, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            violations.start();
            Thread.sleep(2000); // the consumer is assigned and at the end of the topic before anything is sent
            documents.start();
            long start = System.nanoTime() + Duration.ofMillis(100).toNanos();
            long interval = 1_000_000_000L / rate;
            for (int i = 0; i < n; i++) {
                intended[i] = start + i * interval;
                long wait = intended[i] - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                ResourceChange change = ResourceChange.newBuilder(prepared.get(i)).setObservedAt(Instant.now()).build();
                pending.computeIfAbsent(change.getUid(), uid -> new ConcurrentLinkedQueue<>()).add(i);
                // the apiserver's audit event of the update, then the informer's view of it
                audit.write(SyntheticCluster.updateAudit(deployments.get((firstChange + i) % deployments.size()),
                        "oncall@example.com", Instant.now()));
                audit.newLine();
                audit.flush();
                runtime.publisher().publish(pipeline.topics().resourceChanges(), ResourceChangeMapper.key(
                        change.getClusterId(), change.getKind(), change.getNamespace(), change.getName()), change, "bench");
            }
            long sent = System.nanoTime();
            double achieved = n / Math.max(1e-9, (sent - start) / 1e9);
            console.printf("  %,d changes sent in %.1f s (%.0f/s offered %d/s)%n", n, (sent - start) / 1e9, achieved, rate);
            long deadline = sent + Math.min(timeout.toNanos(), Duration.ofMinutes(5).toNanos());
            long lastPrint = System.nanoTime();
            while ((toViolation.getTotalCount() < n || toDocument.getTotalCount() < n) && System.nanoTime() < deadline) {
                Thread.sleep(200); // the two reader threads record; this one only waits for them
                if (System.nanoTime() - lastPrint >= Duration.ofSeconds(5).toNanos()) {
                    lastPrint = System.nanoTime();
                    LocalPipeline.Progress progress = pipeline.progress();
                    console.printf("  %4.0f s: %,d of %,d changes on the violations topic, %,d in Elasticsearch | streams lag %,d"
                                    + " | %,d held for their audit event | sink lag %,d%n", (lastPrint - start) / 1e9,
                            toViolation.getTotalCount(), n, toDocument.getTotalCount(), progress.streamsLag(),
                            progress.heldChanges(), progress.sinkLag());
                }
            }
            long drained = lastViolation.get();
            stop.set(true);
            violations.join(10_000);
            documents.join(10_000);
            double drainedPerSecond = toViolation.getTotalCount() / Math.max(1e-9, (drained - start) / 1e9);
            Result result = new Result(n, rate, achieved, drainedPerSecond, toViolation, toDocument);
            console.printf("  the pipeline drained %.0f changes/s (first send to last violation)%n", drainedPerSecond);
            print("change -> violation on the topic", toViolation, n);
            print("change -> document in Elasticsearch", toDocument, n);
            return result;
        } finally {
            stop.set(true);
        }
    }

    /**
     * The changes, as the informer would map each update (a new resourceVersion): round after round over the
     * Deployments, the pod template made privileged in even rounds (a violation opens) and compliant again in odd
     * ones (it closes): every change is one record on the violations topic.
     */
    private List<ResourceChange> prepare(int count) {
        KubernetesSerialization serialization = new KubernetesSerialization();
        ResourceChangeMapper mapper = new ResourceChangeMapper("synthetic", Clock.systemUTC(), 1 << 20, serialization);
        WatchedKind deploymentKind = KindCatalog.all().stream().filter(kind -> kind.kind().equals("Deployment"))
                .findFirst().orElseThrow();
        List<ResourceChange> prepared = new ArrayList<>();
        long resourceVersion = 900_000_000L + firstChange;
        for (int i = firstChange; i < firstChange + count; i++) {
            ObjectNode changed = deployments.get(i % deployments.size()).deepCopy();
            boolean privileged = (i / deployments.size()) % 2 == 0;
            ((ObjectNode) changed.at("/spec/template/spec/containers/0/securityContext"))
                    .put("privileged", privileged).put("allowPrivilegeEscalation", privileged);
            ((ObjectNode) changed.get("metadata")).put("resourceVersion", Long.toString(++resourceVersion));
            GenericKubernetesResource resource = serialization.unmarshal(changed.toString(),
                    GenericKubernetesResource.class);
            prepared.add(mapper.toChange(deploymentKind, resource, ChangeType.MODIFIED, false));
        }
        return prepared;
    }

    private void print(String what, Histogram latencies, int expected) {
        Map<String, Object> figures = Measure.latency(latencies, expected);
        console.printf("  %s: p50 %s ms, p99 %s ms, max %s ms (%d of %d)%n", what, figures.get("p50Ms"),
                figures.get("p99Ms"), figures.get("maxMs"), latencies.getTotalCount(), expected);
    }

    private void readViolations(Map<String, Queue<Integer>> pending, long[] intended, Histogram latencies,
                                AtomicLong lastViolation, AtomicBoolean stop) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            String topic = pipeline.topics().violations().name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!stop.get()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    long received = System.nanoTime();
                    JsonNode violation = JSON.readTree(record.value());
                    if (!CONTROL.equals(violation.at("/rule/id").asText())) {
                        continue;
                    }
                    Queue<Integer> sent = pending.get(violation.at("/orchestrator/resource/id").asText());
                    Integer index = sent == null ? null : sent.poll();
                    if (index != null) {
                        latencies.recordValue(Math.max(0, (received - intended[index]) / 1000));
                        lastViolation.set(received);
                    }
                }
            }
        } catch (Exception e) {
            console.println("  reading the violations failed: " + e);
        }
    }

    /**
     * Elasticsearch's count of the phase's KP-POD-001 violation documents (openings and closings), every 100 ms: when
     * it reaches k, the k-th change (in send order) is taken as indexed.
     */
    private void countDocuments(ElasticsearchConfig config, Instant phaseStart, long[] intended, int n,
                                Histogram latencies, AtomicBoolean stop) {
        try (ElasticsearchClient client = ElasticsearchClients.create(config)) {
            String index = IndexNames.of(config).violations();
            int seen = 0;
            while (!stop.get() && seen < n) {
                long count = client.count(c -> c.index(index).allowNoIndices(true).ignoreUnavailable(true)
                        .query(q -> q.bool(b -> b
                                .filter(f -> f.term(t -> t.field("rule.id").value(CONTROL)))
                                .filter(f -> f.range(r -> r.date(d -> d.field("@timestamp")
                                        .gte(phaseStart.toString()))))))).count();
                long now = System.nanoTime();
                while (seen < Math.min(n, count) && intended[seen] != 0 && intended[seen] <= now) {
                    latencies.recordValue(Math.max(0, (now - intended[seen]) / 1000));
                    seen++;
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            console.println("  counting the violation documents failed: " + e);
        }
    }
}
