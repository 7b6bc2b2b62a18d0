package dev.kubeproof.report.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.kubeproof.report.ReportConfig;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.bench.ExportBench;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.runtime.ServiceCommand;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.sink.elasticsearch.IndexTemplates;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kubeproof report bench}: how fast, and in how much heap, a month of evidence exports. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Loads --records hash-chained evidence records into a data stream of their own (deleted "
                + "afterwards), exports a month's package in every format from it and prints the export's records/s and "
                + "peak heap next to the targets (60 s and 512 MB for 1,000,000 records). Run with "
                + "KUBEPROOF_JAVA_OPTS=-Xmx512m to hold the export to the target's heap."})
public final class ReportBenchCommand extends ServiceCommand<ReportConfig> {

    @Mixin
    ElasticsearchTarget target;

    @Option(names = "--records", defaultValue = "1000000", description = "Evidence records to load (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the package (default: a temporary directory, "
            + "deleted afterwards).")
    Path out;

    @Override
    protected Class<ReportConfig> configType() {
        return ReportConfig.class;
    }

    @Override
    protected int run(ReportConfig config) throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        ControlScope scope = ControlScope.builtIn(ReportFilter.ALL);
        Path dir = out != null ? out : Files.createTempDirectory("kubeproof-report-bench");
        try (ElasticsearchTarget.Connection connection = target.connect(config)) {
            String prefix = "kpbench-" + System.currentTimeMillis();
            ElasticsearchConfig bench = connection.config().withNames(prefix, 0);
            try {
                ExportBench.Result result = ExportBench.run(connection.client(), bench, scope, records,
                        config.pageSize(), out != null ? dir : dir.resolve("package"), line -> {
                            stderr.println(line);
                            stderr.flush();
                        });
                stdout.printf(Locale.ROOT, "loaded %,d records on %,d keys in %.1f s (raw _bulk)%n", records, result.keys(),
                        result.load().toMillis() / 1000.0);
                stdout.printf(Locale.ROOT, "exported %,d records (period and state at its start) in %.1f s: %,.0f records/s "
                                + "(target: 1,000,000 in under 60 s)%n", result.records(), result.export().toMillis() / 1000.0,
                        result.recordsPerSecond());
                stdout.printf(Locale.ROOT, "  of which reading Elasticsearch %.1f s, analysis and streamed files %.1f s, summary, "
                                + "HTML, PDF and manifest %.1f s%n", result.reading().toMillis() / 1000.0,
                        result.processing().toMillis() / 1000.0, (result.export().toMillis() - result.reading().toMillis()
                                - result.processing().toMillis()) / 1000.0);
                stdout.printf(Locale.ROOT, "peak heap used during the export: %d MB (sum of the heap pools' peaks, an upper "
                                + "bound) of %d MB max (target: under 512 MB)%n", result.peakHeapBytes() >> 20,
                        result.maxHeapBytes() >> 20);
                stdout.printf(Locale.ROOT, "package: %d MB%n", result.packageBytes() >> 20);
            } finally {
                IndexNames names = IndexNames.of(bench);
                try {
                    connection.client().indices().deleteDataStream(d -> d.name(names.evidence()));
                } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
                    // Elasticsearch's test distribution (this machine's local servers) has no data stream API
                    stderr.println("left the bench's data stream " + names.evidence() + " (and its templates): it cannot be "
                            + "deleted here (" + e.getMessage() + ")");
                    return 0;
                }
                IndexTemplates templates = new IndexTemplates(connection.client(), bench);
                for (String template : templates.indexTemplates().keySet()) {
                    connection.client().indices().deleteIndexTemplate(d -> d.name(template));
                }
                for (String template : templates.componentTemplates().keySet()) {
                    connection.client().cluster().deleteComponentTemplate(d -> d.name(template));
                }
                if (out == null) {
                    try (var files = Files.walk(dir)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
        return 0;
    }
}
