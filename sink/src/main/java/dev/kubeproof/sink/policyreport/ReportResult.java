package dev.kubeproof.sink.policyreport;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ControlInfo;

/**
 * The little kubeproof keeps of one evidence record to write its wg-policy result: the latest status of one
 * control on one resource. Kept instead of the whole record so that the state of a large cluster stays small.
 *
 * @param namespace    the resource's namespace, null for a cluster-scoped resource
 * @param policy       the control id
 * @param category     the control's category from the catalog, or null
 * @param severity     critical, high, medium, low or info
 * @param result       pass, fail, error or skip
 * @param message      the one-line result, bounded
 * @param timestamp    when kubeproof evaluated it
 * @param resource     the resource as an ObjectReference
 * @param properties   evidence id, and for an exempt result the exception applied
 */
record ReportResult(String namespace, String policy, String category, String severity, String result, String message,
                    Instant timestamp, Map<String, String> resource, Map<String, String> properties) {

    static final int MAX_MESSAGE_LENGTH = 1024;

    /** Failures first (most severe first), then errors, passes and skips; then a stable order, so a rewrite without change is byte-identical. */
    static final Comparator<ReportResult> PRIORITY = Comparator.comparingInt((ReportResult r) -> rank(r.result))
            .thenComparingInt(r -> severityRank(r.severity))
            .thenComparing(ReportResult::policy)
            .thenComparing(r -> r.resource.getOrDefault("namespace", ""))
            .thenComparing(r -> r.resource.get("name"))
            .thenComparing(r -> r.resource.get("uid"));

    /** The result of a record whose status is not CLOSED. */
    static ReportResult of(EvidenceRecord record, ControlCatalog catalog) {
        ResourceRef ref = record.getResource();
        String namespace = ref.getNamespace() == null || ref.getNamespace().isBlank() ? null : ref.getNamespace();
        Map<String, String> resource = new LinkedHashMap<>();
        resource.put("apiVersion", ref.getApiVersion());
        resource.put("kind", ref.getKind());
        if (namespace != null) {
            resource.put("namespace", namespace);
        }
        resource.put("name", ref.getName());
        resource.put("uid", ref.getUid());
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("evidenceId", record.getEvidenceId());
        properties.put("controlVersion", Integer.toString(record.getControlVersion()));
        if (record.getStatus() == EvidenceStatus.EXEMPT) {
            // wg-policy has no "exempt": it is a skip, and the properties say why
            properties.put("status", "exempt");
            if (record.getException() != null) {
                properties.put("exceptionId", record.getException().getExceptionId());
                properties.put("exceptionApprovedBy", record.getException().getApprovedBy());
                if (record.getException().getExpiresAt() != null) {
                    properties.put("exceptionExpiresAt", record.getException().getExpiresAt().toString());
                }
                if (record.getException().getReason() != null) {
                    properties.put("exceptionReason", record.getException().getReason());
                }
            }
        }
        String message = record.getMessage();
        if (message.length() > MAX_MESSAGE_LENGTH) {
            message = message.substring(0, MAX_MESSAGE_LENGTH - 1) + "…";
        }
        return new ReportResult(namespace, record.getControlId(),
                catalog.find(record.getControlId()).map(ControlInfo::category).orElse(null),
                record.getSeverity().name().toLowerCase(Locale.ROOT), result(record.getStatus()), message,
                record.getObservedAt(), Map.copyOf(resource), Map.copyOf(properties));
    }

    static String result(EvidenceStatus status) {
        return switch (status) {
            case PASS -> "pass";
            case FAIL -> "fail";
            case ERROR -> "error";
            case NOT_APPLICABLE, EXEMPT, NEEDS_CONFIGURATION -> "skip";
            case CLOSED -> throw new IllegalArgumentException("a CLOSED record has no result: it removes one");
        };
    }

    /** The wg-policy {@code results[]} entry. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("source", PolicyReportWriter.SOURCE);
        json.put("policy", policy);
        json.put("rule", policy);
        if (category != null) {
            json.put("category", category);
        }
        json.put("severity", severity);
        json.put("result", result);
        json.put("message", message);
        json.put("timestamp", Map.of("seconds", timestamp.getEpochSecond(), "nanos", timestamp.getNano()));
        Map<String, String> orderedResource = new LinkedHashMap<>();
        for (String field : List.of("apiVersion", "kind", "namespace", "name", "uid")) {
            if (resource.containsKey(field)) {
                orderedResource.put(field, resource.get(field));
            }
        }
        json.put("resources", List.of(orderedResource));
        json.put("properties", new java.util.TreeMap<>(properties));
        return json;
    }

    private static int rank(String result) {
        return switch (result) {
            case "fail" -> 0;
            case "error" -> 1;
            case "warn" -> 2;
            case "pass" -> 3;
            default -> 4;
        };
    }

    private static int severityRank(String severity) {
        return switch (severity) {
            case "critical" -> 0;
            case "high" -> 1;
            case "medium" -> 2;
            case "low" -> 3;
            default -> 4;
        };
    }
}
