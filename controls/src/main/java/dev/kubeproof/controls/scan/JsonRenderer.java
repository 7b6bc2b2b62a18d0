package dev.kubeproof.controls.scan;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.Severity;
import dev.kubeproof.controls.Status;

/** Every result of every resource as JSON, with a summary; findings' values are JSON text as the engine gives them. */
public final class JsonRenderer implements ReportRenderer {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void render(ScanReport report, Writer out) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("tool", "kubeproof");
        ObjectNode summary = root.putObject("summary");
        summary.put("resources", report.resources().size());
        for (Status status : Status.values()) {
            summary.put(status.name().toLowerCase(Locale.ROOT), report.count(status));
        }
        ObjectNode failures = summary.putObject("failuresBySeverity");
        report.failuresBySeverity().forEach((severity, count) -> failures.put(severity.name().toLowerCase(Locale.ROOT), count));
        ArrayNode warnings = root.putArray("warnings");
        report.warnings().forEach(warnings::add);
        ArrayNode resources = root.putArray("resources");
        for (ScanReport.ResourceResults resource : report.resources()) {
            ObjectNode node = resources.addObject();
            node.put("source", resource.manifest().source());
            node.put("line", resource.manifest().line());
            node.put("apiVersion", resource.manifest().object().path("apiVersion").asText());
            node.put("kind", resource.manifest().kind());
            node.put("namespace", resource.manifest().namespace());
            node.put("name", resource.manifest().name());
            ArrayNode results = node.putArray("results");
            for (ControlResult result : resource.results()) {
                ObjectNode r = results.addObject();
                r.put("controlId", result.control().id());
                r.put("controlVersion", result.control().version());
                r.put("title", result.control().title());
                r.put("severity", lower(result.control().severity()));
                r.put("status", result.status().name());
                r.put("message", result.message());
                ArrayNode findings = r.putArray("findings");
                for (Finding finding : result.findings()) {
                    ObjectNode f = findings.addObject();
                    f.put("path", finding.path());
                    f.put("container", finding.container());
                    f.put("value", finding.value());
                    f.put("message", finding.message());
                }
            }
        }
        MAPPER.writeValue(new NonClosingWriter(out), root);
        out.write(System.lineSeparator());
        out.flush();
    }

    private static String lower(Severity severity) {
        return severity.name().toLowerCase(Locale.ROOT);
    }
}
