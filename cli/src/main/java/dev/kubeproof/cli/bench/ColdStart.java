package dev.kubeproof.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.Counter;

import dev.kubeproof.cli.LocalPipeline;
import dev.kubeproof.demo.synthetic.SyntheticCluster;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * Cold start: the pipeline starts on an empty Kafka and Elasticsearch and a cluster it has never seen; timed from
 * the pipeline's start to the informers' sync, to the evidence complete in Kafka (every object, scan and audit
 * event published, nothing left to evaluate or held) and to the evidence complete in Elasticsearch (the sink caught
 * up too). Each "complete" is the first of two consecutive polls, a second apart, that agree.
 */
final class ColdStart {
    private static final Duration POLL = Duration.ofSeconds(1);

    /** The figures of one cold start; seconds are from the pipeline's start. */
    record Result(int objects, long changeRecords, double informersSyncedSeconds, double evidenceInKafkaSeconds,
                  double firstEvidenceSeconds, double evidenceInElasticsearchSeconds, long evidenceRecords,
                  long sinkWrites, Map<String, Object> cpu) {

        double objectsPerSecond() {
            return objects / evidenceInKafkaSeconds;
        }

        /** The sink's writes per second while it had work: from the first evidence to the evidence complete in Elasticsearch. */
        double sinkWritesPerSecond() {
            return sinkWrites / Math.max(0.001, evidenceInElasticsearchSeconds - firstEvidenceSeconds);
        }

        Map<String, Object> toMap(RawRates.Kafka kafka, RawRates.Bulk bulk) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("objects", objects);
            map.put("informersSyncedSeconds", informersSyncedSeconds);
            map.put("evidenceInKafkaSeconds", evidenceInKafkaSeconds);
            map.put("evidenceInElasticsearchSeconds", evidenceInElasticsearchSeconds);
            map.put("evidenceRecords", evidenceRecords);
            map.put("evidenceRecordsPerObject", BenchCommand.round(evidenceRecords / (double) objects, 2));
            map.put("objectsPerSecond", BenchCommand.round(objectsPerSecond(), 1));
            map.put("objectsPerSecondToRawKafka", BenchCommand.round(objectsPerSecond() / kafka.recordsPerSecond(), 4));
            map.put("sinkWrites", sinkWrites);
            map.put("sinkWritesPerSecond", BenchCommand.round(sinkWritesPerSecond(), 1));
            map.put("sinkWritesPerSecondToRawBulk", BenchCommand.round(sinkWritesPerSecond() / bulk.documentsPerSecond(), 4));
            map.put("cpu", cpu);
            return map;
        }
    }

    private final LocalPipeline pipeline;
    private final SyntheticCluster cluster;
    private final Duration timeout;
    private final PrintStream console;
    private final Supplier<Map<String, Double>> cpuSeconds;

    /** @param cpuSeconds CPU seconds used so far per process ({@link Measure#cpuSeconds}) */
    ColdStart(LocalPipeline pipeline, SyntheticCluster cluster, Duration timeout, PrintStream console,
              Supplier<Map<String, Double>> cpuSeconds) {
        this.cpuSeconds = cpuSeconds;
        this.pipeline = pipeline;
        this.cluster = cluster;
        this.timeout = timeout;
        this.console = console;
    }

    Result run() throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, Double> cpuBefore = cpuSeconds.get();
        pipeline.start();
        long synced = -1;
        long firstEvidence = -1;
        long kafkaCandidate = -1;
        long kafka = -1;
        long elasticsearchCandidate = -1;
        long elasticsearch = -1;
        LocalPipeline.Progress previous = null;
        long lastPrint = 0;
        while (elasticsearch < 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cold start did not complete within " + timeout
                        + " (last progress: " + previous + ")");
            }
            Thread.sleep(POLL.toMillis()); // progress is polled: there is no single event that means "complete"
            long now = System.nanoTime() - start;
            LocalPipeline.Progress progress = pipeline.progress();
            if (progress.streamsFailed()) {
                throw new IllegalStateException("the evidence topology failed; see the log above");
            }
            if (synced < 0 && progress.collectorsReady()) {
                synced = now;
            }
            long evidence = progress.topicRecords().getOrDefault("evidence", 0L);
            if (firstEvidence < 0 && evidence > 0) {
                firstEvidence = now;
            }
            boolean inKafka = inKafka(progress) && previous != null
                    && progress.topicRecords().equals(previous.topicRecords());
            if (kafka < 0) {
                if (inKafka && kafkaCandidate >= 0) {
                    kafka = kafkaCandidate;
                } else {
                    kafkaCandidate = inKafka ? now - POLL.toNanos() : -1;
                }
            }
            boolean inElasticsearch = kafka >= 0 && inKafka && progress.sinkLag() == 0;
            if (inElasticsearch && elasticsearchCandidate >= 0) {
                elasticsearch = elasticsearchCandidate;
            } else {
                elasticsearchCandidate = inElasticsearch ? now - POLL.toNanos() : -1;
            }
            if (now - lastPrint >= Duration.ofSeconds(10).toNanos()) {
                lastPrint = now;
                console.printf("  %4.0f s: %,d changes, %,d scans, %,d evidence records | streams lag %,d | sink lag %,d%s%n",
                        now / 1e9, progress.topicRecords().getOrDefault("resource-changes", 0L),
                        progress.topicRecords().getOrDefault("image-scans", 0L), evidence, progress.streamsLag(),
                        progress.sinkLag(), progress.heldChanges() > 0 ? " | " + progress.heldChanges()
                                + " held for their audit event" : "");
            }
            previous = progress;
        }
        // Up to the moment the completion was seen: within a poll of it, the processes then mostly idle.
        Map<String, Object> cpu = Measure.cpuUse(cpuBefore, cpuSeconds.get(), (System.nanoTime() - start) / 1e9);
        long changeRecords = previous.topicRecords().getOrDefault("resource-changes", 0L);
        Result result = new Result(cluster.objectCount(), changeRecords, Measure.seconds(synced),
                Measure.seconds(kafka), Measure.seconds(firstEvidence), Measure.seconds(elasticsearch),
                evidenceInElasticsearch(pipeline.elasticsearch()), sinkWrites(), cpu);
        console.printf("  informers synced %.1f s, evidence complete in Kafka %.1f s, in Elasticsearch %.1f s: "
                        + "%,d evidence records (%.1f per object)%n", result.informersSyncedSeconds(),
                result.evidenceInKafkaSeconds(), result.evidenceInElasticsearchSeconds(), result.evidenceRecords(),
                result.evidenceRecords() / (double) result.objects());
        console.println("  CPU used meanwhile: " + describe(cpu));
        return result;
    }

    /** "pipeline 95 s (22 %), kafka 120 s (28 %), ... of 430 s (2 cores)". */
    private static String describe(Map<String, Object> cpu) {
        StringBuilder text = new StringBuilder();
        cpu.forEach((process, use) -> {
            if (use instanceof Map<?, ?> figures) {
                text.append(text.isEmpty() ? "" : ", ").append(String.format("%s %.0f s (%.0f %%)", process,
                        ((Number) figures.get("seconds")).doubleValue(), ((Number) figures.get("share")).doubleValue() * 100));
            }
        });
        return text + String.format(" of %.0f s (%d cores); idle or other processes %.0f %%",
                ((Number) cpu.get("availableSeconds")).doubleValue(), Runtime.getRuntime().availableProcessors(),
                ((Number) cpu.get("idleOrOtherShare")).doubleValue() * 100);
    }

    /** Everything published, and nothing left for the evidence topology to read, evaluate or hold. */
    private boolean inKafka(LocalPipeline.Progress progress) {
        return progress.collectorsReady() && progress.streamsLag() == 0 && progress.heldChanges() == 0
                && progress.topicRecords().getOrDefault("resource-changes", 0L) >= cluster.objectCount()
                && progress.topicRecords().getOrDefault("image-scans", 0L) >= cluster.shape().images()
                && progress.topicRecords().getOrDefault("audit-events", 0L) >= cluster.auditEventCount();
    }

    private long sinkWrites() {
        return Math.round(pipeline.metrics().find("kubeproof.sink.writes").tag("outcome", "written").counters()
                .stream().mapToDouble(Counter::count).sum());
    }

    /** The history documents in the evidence index, after a refresh. */
    static long evidenceInElasticsearch(ElasticsearchConfig config) throws IOException {
        try (ElasticsearchClient client = ElasticsearchClients.create(config)) {
            String index = IndexNames.of(config).evidence();
            client.indices().refresh(r -> r.index(index));
            return client.count(c -> c.index(index)).count();
        }
    }
}
