package dev.kubeproof.ingest.scans;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.ScannerFinding;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

/**
 * Trivy's misconfiguration results, kept as the scanner said them ({@link ScannerFinding}): from a {@code trivy k8s}
 * report (each resource's {@code config} results) and from a Trivy Operator {@code ConfigAuditReport}. Only
 * configuration checks are read: a {@code secret} result quotes the secret it found, and must never reach a topic.
 * kubeproof does not judge by them; it links them to its controls where it reads them (the catalog's trivyChecks).
 */
public final class TrivyMisconfigurations {
    /** {@link ScannerFinding#getScanner()} of every finding read here. */
    public static final String SCANNER = "trivy";
    public static final String CONFIG_AUDIT_REPORT = "ConfigAuditReport";
    private static final String OPERATOR_LABEL = "trivy-operator.resource.";

    private TrivyMisconfigurations() {
    }

    /** The key of a finding: cluster/kind/namespace/name/check. */
    public static String keyOf(String clusterId, String kind, String namespace, String name, String checkId) {
        return clusterId + "/" + kind + "/" + (namespace == null ? "" : namespace) + "/" + name + "/" + checkId;
    }

    /**
     * Every misconfiguration result of a {@code trivy k8s} report ({@code Resources}, or the older
     * {@code Misconfigurations} list).
     *
     * @param clusterId the cluster to file them under; null takes the report's {@code ClusterName}
     */
    public static List<ScannerFinding> ofClusterReport(JsonNode report, String clusterId, String source, Instant readAt) {
        String cluster = clusterId != null ? clusterId : report.path("ClusterName").asText("-");
        List<ScannerFinding> findings = new ArrayList<>();
        for (String list : List.of("Resources", "Misconfigurations")) {
            JsonNode resources = report.path(list);
            for (int r = 0; r < resources.size(); r++) {
                JsonNode resource = resources.get(r);
                String kind = resource.path("Kind").asText("");
                String name = resource.path("Name").asText("");
                if (kind.isEmpty() || name.isEmpty()) {
                    continue; // a result not about one resource (e.g. an infra assessment)
                }
                String namespace = resource.path("Namespace").asText("");
                for (JsonNode result : resource.path("Results")) {
                    if (!"config".equals(result.path("Class").asText())) {
                        continue;
                    }
                    for (JsonNode misconfiguration : result.path("Misconfigurations")) {
                        findings.add(of(cluster, kind, namespace.isEmpty() ? null : namespace, name, misconfiguration,
                                null, readAt, source, list + "[" + r + "]"));
                    }
                }
            }
        }
        return findings;
    }

    /** True for a Trivy Operator ConfigAuditReport. */
    public static boolean isConfigAuditReport(JsonNode object) {
        return object != null && object.isObject() && CONFIG_AUDIT_REPORT.equals(object.path("kind").asText())
                && object.path("apiVersion").asText().startsWith("aquasecurity.github.io/");
    }

    /** Every check of a Trivy Operator ConfigAuditReport, on the resource its labels name. */
    public static List<ScannerFinding> ofConfigAuditReport(JsonNode report, String clusterId, String source, Instant readAt) {
        JsonNode labels = report.path("metadata").path("labels");
        String kind = labels.path(OPERATOR_LABEL + "kind").asText("");
        String name = labels.path(OPERATOR_LABEL + "name").asText("");
        if (kind.isEmpty() || name.isEmpty()) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "a ConfigAuditReport names its resource in the"
                    + " labels " + OPERATOR_LABEL + "kind and " + OPERATOR_LABEL + "name; they are missing");
        }
        String namespace = labels.path(OPERATOR_LABEL + "namespace").asText("");
        JsonNode body = report.path("report");
        Instant reported = instant(body.path("updateTimestamp").asText(null), readAt);
        String version = body.path("scanner").path("version").asText(null);
        List<ScannerFinding> findings = new ArrayList<>();
        JsonNode checks = body.path("checks");
        for (int c = 0; c < checks.size(); c++) {
            JsonNode check = checks.get(c);
            String checkId = required(check, "checkID", "report.checks[" + c + "]");
            List<String> messages = new ArrayList<>();
            check.path("messages").forEach(message -> messages.add(message.asText()));
            findings.add(ScannerFinding.newBuilder()
                    .setFindingId(keyOf(clusterId, kind, namespace.isEmpty() ? null : namespace, name, checkId))
                    .setScanner(SCANNER).setScannerVersion(version).setCheckId(checkId)
                    .setCheckUrl(avdUrl(checkId))
                    .setTitle(check.path("title").asText(checkId))
                    .setSeverity(severity(check.path("severity").asText(null)))
                    .setPassed(check.path("success").asBoolean(false))
                    .setMessages(messages)
                    .setResolution(check.path("remediation").asText(null))
                    .setClusterId(clusterId).setKind(kind).setNamespace(namespace.isEmpty() ? null : namespace)
                    .setName(name).setReportedAt(reported).setSource(source)
                    .build());
        }
        return findings;
    }

    private static ScannerFinding of(String cluster, String kind, String namespace, String name, JsonNode misconfiguration,
                                     String version, Instant readAt, String source, String path) {
        String checkId = required(misconfiguration, "ID", path + ".Misconfigurations[]");
        String message = misconfiguration.path("Message").asText("");
        String status = misconfiguration.path("Status").asText("FAIL");
        return ScannerFinding.newBuilder()
                .setFindingId(keyOf(cluster, kind, namespace, name, checkId))
                .setScanner(SCANNER).setScannerVersion(version).setCheckId(checkId)
                .setCheckUrl(misconfiguration.path("PrimaryURL").asText(avdUrl(checkId)))
                .setTitle(misconfiguration.path("Title").asText(checkId))
                .setSeverity(severity(misconfiguration.path("Severity").asText(null)))
                .setPassed("PASS".equalsIgnoreCase(status))
                .setMessages(message.isEmpty() ? List.of() : List.of(message))
                .setResolution(misconfiguration.path("Resolution").asText(null))
                .setClusterId(cluster).setKind(kind).setNamespace(namespace).setName(name)
                .setReportedAt(readAt).setSource(source)
                .build();
    }

    private static String required(JsonNode node, String field, String path) {
        String value = node.path(field).asText("");
        if (value.isEmpty()) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "required field '" + path + "." + field
                    + "' is missing");
        }
        return value;
    }

    private static String severity(String text) {
        String upper = text == null ? "UNKNOWN" : text.toUpperCase(Locale.ROOT);
        return List.of("CRITICAL", "HIGH", "MEDIUM", "LOW").contains(upper) ? upper : "UNKNOWN";
    }

    /** Trivy's documentation of a check: https://avd.aquasec.com/misconfig/ksv017. */
    private static String avdUrl(String checkId) {
        return checkId.matches("KSV\\d+") ? "https://avd.aquasec.com/misconfig/" + checkId.toLowerCase(Locale.ROOT) : null;
    }

    private static Instant instant(String text, Instant fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }
}
