package dev.kubeproof.report.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;


import dev.kubeproof.report.ReportConfig;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.model.ChainCheck;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.runtime.ServiceCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kubeproof evidence verify}: checks the hash chains of the evidence as Elasticsearch stores it, key by key,
 * before a package is handed over: every record against its hash, and each key's records for gaps, duplicates,
 * reordering and broken links. With {@code --from}, a key's chain is checked from its last record before that time.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks the hash chains of the stored evidence (Elasticsearch) and reports gaps, breaks and "
                + "duplicates by key and sequence. Exit 0 when every chain holds, 1 otherwise."})
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

    @Override
    protected Class<ReportConfig> configType() {
        return ReportConfig.class;
    }

    @Override
    protected int run(ReportConfig config) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ReportFilter filter = new ReportFilter(List.of(), List.of(), clusters, List.of());
        ControlScope scope = ControlScope.builtIn(filter);
        Period period = new Period(from, to == null ? Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) : to);
        Map<String, Long> byKind = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        long[] totals = new long[2];
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
        }
        if (byKind.isEmpty()) {
            out.printf("OK: %d evidence records on %d keys, %s to %s: every chain holds%n", totals[1], totals[0], period.from(),
                    period.to());
            return 0;
        }
        out.printf("FAILED: %d of %d keys have broken chains (%s)%n", byKind.values().stream().mapToLong(Long::longValue).sum(),
                totals[0], byKind);
        problems.forEach(problem -> out.println("  " + problem));
        return 1;
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
