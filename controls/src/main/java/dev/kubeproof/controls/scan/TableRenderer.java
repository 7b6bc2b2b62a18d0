package dev.kubeproof.controls.scan;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.Severity;
import dev.kubeproof.controls.Status;

/** Plain-text table: one line per failing (or, with showPassed, every) result, its findings, then a summary. */
public final class TableRenderer implements ReportRenderer {

    private final boolean showPassed;

    public TableRenderer(boolean showPassed) {
        this.showPassed = showPassed;
    }

    @Override
    public void render(ScanReport report, Writer out) throws IOException {
        List<ScanReport.Entry> shown = report.entries()
                .filter(e -> showPassed || e.result().status() == Status.FAIL || e.result().status() == Status.ERROR
                        || e.result().status() == Status.EXEMPT || e.result().status() == Status.NEEDS_CONFIGURATION)
                .toList();
        String format = "%-14s %-8s %-11s %-40s %s%n";
        if (!shown.isEmpty()) {
            out.write(String.format(format, "STATUS", "SEVERITY", "CONTROL", "RESOURCE", "MESSAGE"));
        }
        for (ScanReport.Entry entry : shown) {
            ControlResult result = entry.result();
            out.write(String.format(format, result.status(), result.control().severity().name().toLowerCase(Locale.ROOT),
                    result.control().id(), entry.manifest().displayName(), result.message()));
            for (Finding finding : result.findings()) {
                out.write("    - " + finding.path() + (finding.container() == null ? "" : " (container " + finding.container() + ")")
                        + ": " + finding.message() + "    [" + entry.manifest().source() + ":" + entry.manifest().line() + "]\n");
            }
        }
        for (String warning : report.warnings()) {
            out.write("warning: " + warning + "\n");
        }
        Map<Severity, Long> bySeverity = report.failuresBySeverity();
        StringBuilder severities = new StringBuilder();
        for (Severity severity : Severity.values()) {
            if (bySeverity.get(severity) > 0) {
                severities.append(severities.isEmpty() ? " (" : ", ").append(bySeverity.get(severity)).append(' ')
                        .append(severity.name().toLowerCase(Locale.ROOT));
            }
        }
        if (!severities.isEmpty()) {
            severities.append(')');
        }
        out.write(String.format("%n%d resources scanned: %d passed, %d failed%s, %d exempt, %d errors, %d not applicable%n",
                report.resources().size(), report.count(Status.PASS), report.count(Status.FAIL), severities,
                report.count(Status.EXEMPT), report.count(Status.ERROR), report.count(Status.NOT_APPLICABLE)));
        List<String> toSet = report.settingsToSet();
        if (!toSet.isEmpty()) {
            out.write(String.format("%d results need configuration: set %s in a settings file (--settings FILE) so that %s "
                    + "can judge%n", report.count(Status.NEEDS_CONFIGURATION), String.join(", ", toSet),
                    report.entries().filter(e -> e.result().status() == Status.NEEDS_CONFIGURATION)
                            .map(e -> e.result().control().id()).distinct().sorted().collect(java.util.stream.Collectors.joining(", "))));
        }
        out.flush();
    }
}
