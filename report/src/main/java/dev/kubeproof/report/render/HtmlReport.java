package dev.kubeproof.report.render;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.catalog.Framework;
import dev.kubeproof.report.analysis.ControlResult;
import dev.kubeproof.report.analysis.ExemptionInterval;
import dev.kubeproof.report.analysis.PeriodSummary;
import dev.kubeproof.report.analysis.ViolationInterval;

/**
 * The human-readable report: one self-contained XHTML file (styles inline, charts as embedded PNG), which an auditor
 * opens offline and from which the PDF is rendered. Lists per control are capped at {@link ControlResult#LISTED}
 * entries; the CSV files of the package hold every one.
 */
public final class HtmlReport {

    private HtmlReport() {
    }

    /** @param header what the report is: period, filters, version, chain result (label → value) */
    public static String render(PeriodSummary summary, Map<String, String> header) throws IOException {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>")
                .append("<title>").append(esc("kubeproof compliance report " + summary.period().from() + " to " + summary.period().to()))
                .append("</title><style>").append(STYLE).append("</style></head><body>");
        html.append("<h1>Compliance evidence report</h1>");
        html.append("<p class=\"lead\">").append(esc(summary.period().from() + " to " + summary.period().to()
                + " (UTC, end excluded)")).append("</p>");
        html.append("<table class=\"meta\">");
        header.forEach((label, value) -> html.append("<tr><th>").append(esc(label)).append("</th><td>").append(esc(value))
                .append("</td></tr>"));
        html.append("</table>");

        html.append("<h2>Frameworks</h2><table><tr><th>Framework</th><th>Compliance over the period</th>"
                + "<th>Compliance at the period's end</th></tr>");
        for (Framework framework : summary.scope().frameworks()) {
            html.append("<tr><td>").append(esc(framework.name() + (framework.version() == null ? "" : " " + framework.version())))
                    .append("</td><td>").append(percent(summary.frameworkCompliance(framework.key())))
                    .append("</td><td>").append(percent(summary.frameworkComplianceAtEnd(framework.key()))).append("</td></tr>");
        }
        html.append("</table><p class=\"note\">Compliance is the share of resource-time in PASS among the time assessed "
                + "PASS, FAIL or ERROR; exempt and not-applicable time is shown apart, per control.</p>");

        html.append("<h2>Charts</h2>");
        image(html, "Compliance per day", Charts.compliancePerDay(summary));
        image(html, "Open violations by severity", Charts.openViolations(summary));
        image(html, "Time to remediate", Charts.remediationDistribution(summary));

        html.append("<h2>Controls</h2><table class=\"small\"><tr><th>Control</th><th>Severity</th><th>Resources</th>"
                + "<th>Compliance (period)</th><th>At end</th><th>Exempt</th><th>Not applicable</th>"
                + "<th>Violations opened</th><th>Closed</th><th>Mean time to remediate</th><th>Worst</th></tr>");
        for (ControlResult control : summary.controls()) {
            if (control.resources() == 0) {
                continue;
            }
            ControlDefinition definition = control.control();
            boolean detailed = control.violations() > 0 || control.exemptions() > 0;
            html.append("<tr><td>").append(detailed ? "<a href=\"#" + esc(definition.id()) + "\">" + esc(definition.id()) + "</a>"
                    : esc(definition.id())).append(' ').append(esc(definition.title())).append("</td><td>").append(esc(definition.severity().name()))
                    .append("</td><td>").append(control.resources())
                    .append("</td><td>").append(percent(control.compliancePercent()))
                    .append("</td><td>").append(percent(control.compliancePercentAtEnd()))
                    .append("</td><td>").append(percent(control.sharePercent("EXEMPT")))
                    .append("</td><td>").append(percent(control.sharePercent("NOT_APPLICABLE")))
                    .append("</td><td>").append(control.opened()).append("</td><td>").append(control.closed())
                    .append("</td><td>").append(duration(control.meanRemediationMillis()))
                    .append("</td><td>").append(duration(control.worstRemediationMillis())).append("</td></tr>");
        }
        html.append("</table>");
        int silent = (int) summary.controls().stream().filter(c -> c.resources() == 0).count();
        if (silent > 0) {
            html.append("<p class=\"note\">").append(silent).append(" control(s) in scope had no evidence in the period.</p>");
        }

        html.append("<h2>Exceptions</h2>");
        if (summary.exceptions().isEmpty()) {
            html.append("<p>No exception was in force during the period.</p>");
        } else {
            header(html, "Exception", "Approved by", "Expires", "State at end", "Controls", "Resources", "Reason", "Ticket");
            for (PeriodSummary.ExceptionSummary exception : summary.exceptions()) {
                row(html, esc(exception.exceptionId()), esc(exception.approvedBy()), time(exception.expiresAt()),
                        exception.expired() ? "expired" : "in force", esc(String.join(", ", exception.controls())),
                        Integer.toString(exception.resources()), esc(exception.reason()), esc(exception.ticket()));
            }
            html.append("</table>");
        }
        html.append("<h2>Attestations</h2>");
        if (summary.attestations().isEmpty()) {
            html.append("<p>No attestation changed a status during the period.</p>");
        } else {
            header(html, "Attestation", "Controls", "Records");
            for (PeriodSummary.AttestationSummary attestation : summary.attestations()) {
                row(html, esc(attestation.attestationId()), esc(String.join(", ", attestation.controls())),
                        Integer.toString(attestation.records()));
            }
            html.append("</table>");
        }
        html.append("<h2>Runtime detections</h2>");
        if (summary.runtimeDetections().isEmpty()) {
            html.append("<p>No runtime detection in the period.</p>");
        } else {
            header(html, "Control", "Actor", "Detections");
            summary.runtimeDetections().forEach((control, actors) -> actors.forEach((actor, count) ->
                    row(html, esc(control), esc(actor), Integer.toString(count))));
            html.append("</table>");
        }

        html.append("<h2>Per control</h2>");
        for (ControlResult control : summary.controls()) {
            if (control.violations() == 0 && control.exemptions() == 0) {
                continue;
            }
            ControlDefinition definition = control.control();
            html.append("<h3 id=\"").append(esc(definition.id())).append("\">").append(esc(definition.id() + " " + definition.title()))
                    .append("</h3><p class=\"note\">Frameworks: ").append(esc(frameworks(definition))).append(". Remediation: ")
                    .append(esc(definition.remediation())).append("</p>");
            if (control.violations() > 0) {
                header(html, "Resource", "Failing since", "Until", "Closed by", "Actor", "Finding");
                for (ViolationInterval v : control.listedViolations()) {
                    row(html, esc(v.clusterId() + ": " + v.resource()), time(v.since()), v.until() == null ? "open" : time(v.until()),
                            esc(v.closedBy()), esc(v.actor()), esc(v.message()));
                }
                html.append("</table>");
                more(html, control.violations(), "violations", "violations.csv");
            }
            if (control.exemptions() > 0) {
                header(html, "Resource", "Exempt from", "Until", "Exception", "Approved by", "Expires");
                for (ExemptionInterval e : control.listedExemptions()) {
                    row(html, esc(e.clusterId() + ": " + e.resource()), time(e.since()),
                            e.until() == null ? "end of period" : time(e.until()), esc(e.exceptionId()), esc(e.approvedBy()),
                            time(e.expiresAt()));
                }
                html.append("</table>");
                more(html, control.exemptions(), "exemptions", "exemptions.csv");
            }
        }
        html.append("<p class=\"note\">Every transition of the period is in evidence.csv and evidence.jsonl; manifest.json "
                + "lists every file's SHA-256. Check the package with: kubeproof report verify DIR --public-key KEY.</p>");
        html.append("</body></html>\n");
        return html.toString();
    }

    /** Opens a small table with its header row. */
    private static void header(StringBuilder html, String... columns) {
        html.append("<table class=\"small\"><tr>");
        for (String column : columns) {
            html.append("<th>").append(esc(column)).append("</th>");
        }
        html.append("</tr>");
    }

    /** One row of cells, each already escaped. */
    private static void row(StringBuilder html, String... cells) {
        html.append("<tr>");
        for (String cell : cells) {
            html.append("<td>").append(cell).append("</td>");
        }
        html.append("</tr>");
    }

    private static void more(StringBuilder html, int total, String what, String file) {
        if (total > ControlResult.LISTED) {
            html.append("<p class=\"note\">").append(ControlResult.LISTED).append(" of ").append(total).append(' ').append(what)
                    .append(" shown; all in ").append(file).append(".</p>");
        }
    }

    private static String frameworks(ControlDefinition control) {
        StringBuilder text = new StringBuilder();
        control.frameworks().forEach((key, clauses) -> {
            if (!text.isEmpty()) {
                text.append("; ");
            }
            text.append(key).append(' ').append(String.join(", ", clauses));
        });
        return text.isEmpty() ? "none" : text.toString();
    }

    private static void image(StringBuilder html, String alt, byte[] png) {
        html.append("<p><img class=\"chart\" alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\"/></p>");
    }

    static String percent(Double value) {
        // a no-break space: a narrow column must not wrap the sign onto a line of its own
        return value == null ? "–" : String.format(Locale.ROOT, "%.1f\u00a0%%", value);
    }

    static String duration(Long millis) {
        if (millis == null) {
            return "–";
        }
        Duration duration = Duration.ofMillis(millis);
        if (duration.toDays() > 0) {
            return duration.toDays() + "\u00a0d " + duration.toHoursPart() + "\u00a0h";
        }
        if (duration.toHours() > 0) {
            return duration.toHours() + "\u00a0h " + duration.toMinutesPart() + "\u00a0min";
        }
        if (duration.toMinutes() > 0) {
            return duration.toMinutes() + "\u00a0min " + duration.toSecondsPart() + "\u00a0s";
        }
        return duration.toSeconds() + "\u00a0s";
    }

    private static String time(Instant instant) {
        return instant == null ? "–" : esc(instant.toString());
    }

    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static final String STYLE = "@page{size:A4 landscape;margin:14mm}"
            + "body{font-family:sans-serif;font-size:10pt;color:#222}"
            + "h1{font-size:18pt;margin-bottom:2pt}h2{font-size:13pt;border-bottom:1px solid #999;margin-top:16pt}"
            + "h3{font-size:11pt;margin-top:12pt}.lead{font-size:12pt;margin-top:0}"
            + "table{border-collapse:collapse;margin:4pt 0;width:100%}th,td{border:1px solid #bbb;padding:2pt 4pt;"
            + "text-align:left;vertical-align:top}th{background:#eee}table.meta{width:auto}table.meta th{width:14em}"
            + "table.small{font-size:8pt}.note{color:#555;font-size:8.5pt}"
            + "img.chart{width:100%;max-width:900px;page-break-inside:avoid}";
}
