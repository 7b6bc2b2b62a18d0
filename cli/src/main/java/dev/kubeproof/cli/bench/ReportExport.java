package dev.kubeproof.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

import dev.kubeproof.report.ReportConfig;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.bench.ExportBench;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;

/**
 * The auditor's export of the bench's own evidence, as {@code kubeproof report} writes it (every format, from
 * Elasticsearch with the report's page size), for the last 30 days up to the end of the run: its rate against the
 * report's target (1,000,000 records in 60 s) and the heap it needed. {@code report bench} measures the same on a
 * million synthetic records.
 */
final class ReportExport {
    /** 1,000,000 records in under 60 s (issue 11). */
    static final double TARGET_RECORDS_PER_SECOND = 1_000_000 / 60.0;

    private ReportExport() {
    }

    record Result(ExportBench.Result export, int pageSize) {
        double recordsPerSecond() {
            return export.recordsPerSecond();
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("measured", true);
            map.put("what", "this run's evidence in Elasticsearch exported as an auditor's package (every format), "
                    + "the last 30 days");
            map.put("records", export.records());
            map.put("keys", export.keys());
            map.put("seconds", BenchCommand.round(export.export().toMillis() / 1000.0, 2));
            map.put("recordsPerSecond", BenchCommand.round(export.recordsPerSecond(), 0));
            map.put("readingSeconds", BenchCommand.round(export.reading().toMillis() / 1000.0, 2));
            map.put("processingSeconds", BenchCommand.round(export.processing().toMillis() / 1000.0, 2));
            map.put("pageSize", pageSize);
            map.put("peakHeapBytesAtMost", export.peakHeapBytes());
            map.put("maxHeapBytes", export.maxHeapBytes());
            map.put("packageBytes", export.packageBytes());
            return map;
        }
    }

    static Result measure(ElasticsearchConfig elasticsearch, Path out, PrintStream console) throws IOException {
        Instant end = Instant.now().plus(Duration.ofMinutes(1));
        Period period = new Period(end.minus(Duration.ofDays(30)), end);
        try (ElasticsearchClient client = ElasticsearchClients.create(elasticsearch)) {
            ExportBench.Result export = ExportBench.export(client, elasticsearch, ControlScope.builtIn(ReportFilter.ALL),
                    period, ReportConfig.DEFAULT_PAGE_SIZE, out, line -> { });
            console.printf("  exported %,d records on %,d keys in %.1f s: %,.0f records/s%n", export.records(),
                    export.keys(), export.export().toMillis() / 1000.0, export.recordsPerSecond());
            return new Result(export, ReportConfig.DEFAULT_PAGE_SIZE);
        }
    }
}
