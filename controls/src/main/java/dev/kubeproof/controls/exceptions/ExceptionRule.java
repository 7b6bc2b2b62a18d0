package dev.kubeproof.controls.exceptions;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An approved, time-bounded exception to one control for a scope of objects. A FAIL it covers becomes EXEMPT,
 * with the reason and the approver on record; an expired or revoked exception covers nothing.
 *
 * @param exceptionId stable id
 * @param controlId   the control it exempts from
 * @param clusterId   the cluster it applies to; null for any
 * @param namespace   namespace it applies to; null for any
 * @param kind        kind it applies to; null for any
 * @param name        object name it applies to (exact); null for any
 * @param labels      labels the object must carry (all of them)
 * @param reason      why the exception is justified
 * @param ticket      the approval record, e.g. a change request
 * @param approvedBy  who approved it
 * @param expiresAt   when it stops applying; null for never (discouraged)
 * @param revoked     true once withdrawn
 */
public record ExceptionRule(String exceptionId, String controlId, String clusterId, String namespace, String kind,
                            String name, Map<String, String> labels, String reason, String ticket, String approvedBy,
                            Instant expiresAt, boolean revoked) {

    public ExceptionRule {
        requireText("exceptionId", exceptionId, exceptionId);
        requireText("controlId", controlId, exceptionId);
        requireText("reason", reason, exceptionId);
        requireText("approvedBy", approvedBy, exceptionId);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    private static void requireText(String field, String value, String id) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("control exception " + (id == null ? "" : id + " ") + "needs " + field);
        }
    }

    /** True when the exception is in force at {@code now}. */
    public boolean activeAt(Instant now) {
        return !revoked && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** True when the exception covers this control on this object (ignoring time). */
    public boolean covers(String control, JsonNode object, String cluster) {
        JsonNode metadata = object.path("metadata");
        return controlId.equals(control)
                && (clusterId == null || Objects.equals(clusterId, cluster))
                && (kind == null || kind.equals(object.path("kind").asText()))
                && (namespace == null || namespace.equals(metadata.path("namespace").asText(null)))
                && (name == null || name.equals(metadata.path("name").asText(null)))
                && labels.entrySet().stream().allMatch(label ->
                        label.getValue().equals(metadata.path("labels").path(label.getKey()).asText(null)));
    }
}
