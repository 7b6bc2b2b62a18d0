package dev.kubeproof.controls.scan;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.Severity;
import dev.kubeproof.controls.Status;

/**
 * SARIF 2.1.0: one rule per observable control, one result per finding of a FAIL (located at the manifest's file
 * and document line, with the resource and field as logical location), and ERROR results as tool execution
 * notifications, since they are problems of the scan rather than of the code.
 */
public final class SarifRenderer implements ReportRenderer {

    static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void render(ScanReport report, Writer out) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("$schema", SCHEMA);
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "kubeproof");
        String version = SarifRenderer.class.getPackage().getImplementationVersion();
        if (version != null) {
            driver.put("version", version);
        }
        ArrayNode rules = driver.putArray("rules");
        Map<String, Integer> ruleIndex = new HashMap<>();
        for (ControlDefinition control : report.controls()) {
            if (control.observable() && !control.auditEvaluated()) {
                ruleIndex.put(control.id(), rules.size());
                rule(rules.addObject(), control);
            }
        }
        ObjectNode invocation = run.putArray("invocations").addObject();
        invocation.put("executionSuccessful", report.count(Status.ERROR) == 0);
        ArrayNode notifications = invocation.putArray("toolExecutionNotifications");
        ArrayNode results = run.putArray("results");
        report.entries().forEach(entry -> {
            ControlDefinition control = entry.result().control();
            if (entry.result().status() == Status.FAIL) {
                for (Finding finding : entry.result().findings()) {
                    result(results.addObject(), entry.manifest(), control, ruleIndex.get(control.id()), finding);
                }
            } else if (entry.result().status() == Status.ERROR) {
                ObjectNode notification = notifications.addObject();
                notification.put("level", "error");
                notification.putObject("message").put("text", control.id() + " on " + entry.manifest().displayName() + ": " + entry.result().message());
                notification.putObject("associatedRule").put("id", control.id());
                location(notification.putArray("locations").addObject(), entry.manifest(), null);
            }
        });
        for (String warning : report.warnings()) {
            ObjectNode notification = notifications.addObject();
            notification.put("level", "warning");
            notification.putObject("message").put("text", warning);
        }
        MAPPER.writeValue(new NonClosingWriter(out), root);
        out.write(System.lineSeparator());
        out.flush();
    }

    private static void rule(ObjectNode rule, ControlDefinition control) {
        rule.put("id", control.id());
        rule.put("name", control.title());
        rule.putObject("shortDescription").put("text", control.title());
        rule.putObject("fullDescription").put("text", control.description());
        rule.putObject("help").put("text", control.remediation());
        if (!control.references().isEmpty()) {
            rule.put("helpUri", control.references().get(0));
        }
        rule.putObject("defaultConfiguration").put("level", level(control.severity()));
        ObjectNode properties = rule.putObject("properties");
        properties.put("security-severity", securitySeverity(control.severity()));
        properties.put("precision", "high");
        ArrayNode tags = properties.putArray("tags");
        tags.add("security");
        tags.add(control.category());
        tags.add(control.phase());
        control.frameworks().forEach((framework, ids) -> ids.forEach(id -> tags.add(framework + ":" + id)));
    }

    private static void result(ObjectNode result, Manifest manifest, ControlDefinition control, int index, Finding finding) {
        result.put("ruleId", control.id());
        result.put("ruleIndex", index);
        result.put("level", level(control.severity()));
        result.putObject("message").put("text", finding.message() + " (" + manifest.displayName() + ", " + finding.path() + ")");
        location(result.putArray("locations").addObject(), manifest, finding);
        result.putObject("partialFingerprints").put("kubeproofFinding/v1", fingerprint(control.id(), manifest, finding));
        ObjectNode properties = result.putObject("properties");
        properties.put("resource", manifest.displayName());
        properties.put("path", finding.path());
        if (finding.container() != null) {
            properties.put("container", finding.container());
        }
        if (finding.value() != null) {
            properties.put("value", finding.value());
        }
    }

    private static void location(ObjectNode location, Manifest manifest, Finding finding) {
        ObjectNode physical = location.putObject("physicalLocation");
        physical.putObject("artifactLocation").put("uri", uri(manifest.source()));
        physical.putObject("region").put("startLine", Math.max(1, manifest.line()));
        ObjectNode logical = location.putArray("logicalLocations").addObject();
        logical.put("fullyQualifiedName", manifest.displayName().replace(' ', '/') + (finding == null ? "" : "/" + finding.path()));
        logical.put("kind", "object");
    }

    /** A URI reference for the file as given: relative paths stay relative (forward slashes), absolute become file:. */
    static String uri(String source) {
        if (source.equals("<stdin>")) {
            return "stdin";
        }
        Path path = Path.of(source);
        if (path.isAbsolute()) {
            return path.toUri().toString();
        }
        try {
            return new URI(null, null, source.replace('\\', '/'), null).toASCIIString();
        } catch (URISyntaxException e) {
            return source.replace('\\', '/');
        }
    }

    /** Stable across runs, so code-scanning tools track the same finding over time. */
    private static String fingerprint(String controlId, Manifest manifest, Finding finding) {
        String key = String.join("|", List.of(controlId, manifest.displayName(), finding.path(),
                finding.container() == null ? "" : finding.container()));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    static String level(Severity severity) {
        return switch (severity) {
            case CRITICAL, HIGH -> "error";
            case MEDIUM -> "warning";
            case LOW, INFO -> "note";
        };
    }

    /** GitHub code scanning's scale: >= 9 critical, >= 7 high, >= 4 medium, > 0 low. */
    static String securitySeverity(Severity severity) {
        return String.format(Locale.ROOT, "%.1f", switch (severity) {
            case CRITICAL -> 9.5;
            case HIGH -> 8.0;
            case MEDIUM -> 5.5;
            case LOW -> 3.0;
            case INFO -> 0.0;
        });
    }
}
