package dev.kubeproof.report.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.evidence.Violations;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.report.ReportRequest;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.report.pkg.PackageWriter;
import dev.kubeproof.report.source.ElasticsearchEvidenceSource;
import dev.kubeproof.report.source.EvidenceSource;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.bench.RawBulk;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.sink.elasticsearch.IndexTemplates;

/**
 * Measures exporting a month of evidence: loads {@code records} hash-chained records (four transitions per key, as
 * the sink renders them, with plain {@code _bulk}) into their own data stream, then writes the full package (every
 * format) from it and reports the export's rate and the heap it needed.
 */
public final class ExportBench {
    static final int TRANSITIONS_PER_KEY = 4;
    static final int BULK = 2_000;

    /** What one run measured. */
    public record Result(long records, long keys, Duration load, Duration export, Duration reading, Duration processing,
                         long peakHeapBytes, long maxHeapBytes, long packageBytes) {
        public double recordsPerSecond() {
            return records / Math.max(0.001, export.toMillis() / 1000.0);
        }
    }

    private ExportBench() {
    }

    /** @param pageSize records per search request, as the report's {@code pageSize} */
    public static Result run(ElasticsearchClient client, ElasticsearchConfig config, ControlScope scope, long records,
                             int pageSize, Path out, Consumer<String> progress) throws IOException {
        IndexNames names = IndexNames.of(config);
        new IndexTemplates(client, config).install();
        Instant end = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        Period period = new Period(end.minus(Duration.ofDays(30)), end);
        List<ControlDefinition> controls = scope.ordered();
        EvidenceDocuments documents = new EvidenceDocuments(names, ControlCatalog.empty());
        long keys = (records + TRANSITIONS_PER_KEY - 1) / TRANSITIONS_PER_KEY;
        long loadStart = System.nanoTime();
        List<EvidenceRecord> batch = new ArrayList<>(BULK);
        long written = 0;
        for (long key = 0; key < keys && written < records; key++) {
            EvidenceRecord previous = null;
            for (int step = 0; step < TRANSITIONS_PER_KEY && written < records; step++) {
                previous = transition(controls.get((int) (key % controls.size())), key, step, previous, period);
                batch.add(previous);
                written++;
                if (batch.size() == BULK) {
                    RawBulk.send(client, RawBulk.body(documents, batch));
                    batch.clear();
                    if (written % 100_000 == 0) {
                        progress.accept("loaded " + written + " records");
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            RawBulk.send(client, RawBulk.body(documents, batch));
        }
        client.indices().refresh(r -> r.index(names.evidence()));
        Duration load = Duration.ofNanos(System.nanoTime() - loadStart);
        progress.accept("loaded " + written + " records in " + load.toSeconds() + " s; exporting");
        return export(client, config, scope, period, pageSize, out, progress, load);
    }

    /**
     * Exports what the evidence data stream of {@code config} holds for {@code period} as a full package (every
     * format), measuring the rate and the heap: {@code kubeproof bench} does this with its own run's evidence.
     */
    public static Result export(ElasticsearchClient client, ElasticsearchConfig config, ControlScope scope, Period period,
                                int pageSize, Path out, Consumer<String> progress) throws IOException {
        return export(client, config, scope, period, pageSize, out, progress, Duration.ZERO);
    }

    private static Result export(ElasticsearchClient client, ElasticsearchConfig config, ControlScope scope, Period period,
                                 int pageSize, Path out, Consumer<String> progress, Duration load) throws IOException {
        IndexNames names = IndexNames.of(config);
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long exportStart = System.nanoTime();
        // time spent downstream of the source (analysis and the line-per-record files) vs reading Elasticsearch
        long[] downstream = new long[1];
        long[] readEnd = new long[1];
        EvidenceSource elasticsearch = new ElasticsearchEvidenceSource(client, names.evidence(), pageSize);
        EvidenceSource timed = (p, ids, filter, consumer, onProgress) -> {
            elasticsearch.read(p, ids, filter, timeline -> {
                long start = System.nanoTime();
                consumer.accept(timeline);
                downstream[0] += System.nanoTime() - start;
            }, onProgress);
            readEnd[0] = System.nanoTime();
        };
        PackageWriter.Result result = new PackageWriter(scope, Clock.systemUTC()).write(timed,
                new ReportRequest(period, ReportFilter.ALL, Set.of(), out, null, null), progress);
        Duration export = Duration.ofNanos(System.nanoTime() - exportStart);
        Duration processing = Duration.ofNanos(downstream[0]);
        Duration reading = Duration.ofNanos(readEnd[0] - exportStart - downstream[0]);
        // the pools peak at different moments: their sum bounds the heap's peak from above
        long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        long bytes = 0;
        for (String file : result.files()) {
            bytes += java.nio.file.Files.size(out.resolve(file));
        }
        return new Result(result.summary().records() + result.summary().anchors(), result.summary().keys(), load, export,
                reading, processing, peak,
                Runtime.getRuntime().maxMemory(), bytes);
    }

    /** Key {@code key}'s {@code step}th record: PASS, FAIL, PASS, FAIL over the month, a week apart. */
    private static EvidenceRecord transition(ControlDefinition control, long key, int step, EvidenceRecord previous,
                                             Period period) {
        String uid = String.format("00000000-0000-4000-8000-%012d", key);
        EvidenceStatus status = step % 2 == 0 ? EvidenceStatus.PASS : EvidenceStatus.FAIL;
        Instant since = period.from().plus(Duration.ofDays(1 + 7L * step)).plusSeconds(key % 86_400);
        ResourceRef resource = ResourceRef.newBuilder().setClusterId("bench").setApiGroup("apps").setApiVersion("apps/v1")
                .setKind("Deployment").setNamespace("ns-" + key % 50).setName("app-" + key).setUid(uid)
                .setOwnerLabels(Map.of("team", "team-" + key % 7)).build();
        EvidenceRecord.Builder builder = EvidenceRecord.newBuilder()
                .setControlId(control.id()).setControlVersion(control.version()).setControlTitle(control.title())
                .setSeverity(ControlSeverity.valueOf(control.severity().name())).setStatus(status)
                .setPreviousStatus(previous == null ? null : previous.getStatus())
                .setPreviousSince(previous == null ? null : previous.getSince())
                .setOpenViolationSince(previous == null ? null : Violations.startAfter(previous))
                .setSince(since).setObservedAt(since.plusMillis(40)).setResource(resource)
                .setMessage(status == EvidenceStatus.FAIL ? "container app breaks " + control.id() : control.id() + " holds")
                .setDetails(List.of()).setRemediation(control.remediation())
                .setCause(EvidenceCause.newBuilder().setChangeType(previous == null ? "ADDED" : "MODIFIED").build())
                .setActor("ci@example.com").setAttribution(null).setException(null);
        return EvidenceChain.link(builder, EvidenceKey.of("bench", control.id(), uid), previous);
    }
}
