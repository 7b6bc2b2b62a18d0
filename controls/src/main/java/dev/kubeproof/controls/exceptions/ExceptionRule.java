package dev.kubeproof.controls.exceptions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.ControlException;

/**
 * An approved, time-bounded exception to controls for a scope of objects. A FAIL it covers becomes EXEMPT, with
 * the reason and the approver on record; an expired or revoked exception covers nothing. The one model of an
 * exception for the offline {@code scan} (YAML documents) and the live pipeline (Avro on the exceptions topic).
 *
 * @param exceptionId stable id
 * @param controlIds  the controls it exempts from (at least one)
 * @param clusterId   the cluster it applies to; null for any
 * @param namespace   namespace it applies to; null for any
 * @param kind        kind it applies to; null for any
 * @param names       object names it applies to (exact, any of them); empty for any
 * @param labels      labels the object must carry (all of them)
 * @param reason      why the exception is justified
 * @param ticket      the approval record, e.g. a change request URL
 * @param requestedBy who asked for it; null when not said
 * @param approvedBy  who approved it
 * @param createdBy   who recorded it; null when not said
 * @param createdAt   when it was recorded; null when not said
 * @param expiresAt   when it stops applying; null for never (the live pipeline requires it)
 * @param revoked     true once withdrawn
 */
public record ExceptionRule(String exceptionId, Set<String> controlIds, String clusterId, String namespace, String kind,
                            Set<String> names, Map<String, String> labels, String reason, String ticket,
                            String requestedBy, String approvedBy, String createdBy, Instant createdAt,
                            Instant expiresAt, boolean revoked) {

    public ExceptionRule {
        requireText("exceptionId", exceptionId, exceptionId);
        controlIds = controlIds == null ? Set.of() : Set.copyOf(new LinkedHashSet<>(controlIds));
        if (controlIds.isEmpty() || controlIds.stream().anyMatch(id -> id == null || id.isBlank())) {
            throw new IllegalArgumentException("control exception " + exceptionId + " needs controlId (one or more)");
        }
        requireText("reason", reason, exceptionId);
        requireText("approvedBy", approvedBy, exceptionId);
        names = names == null ? Set.of() : Set.copyOf(names);
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
        Map<String, String> objectLabels = new LinkedHashMap<>();
        metadata.path("labels").properties().forEach(e -> objectLabels.put(e.getKey(), e.getValue().asText()));
        return covers(control, cluster, object.path("kind").asText(), metadata.path("namespace").asText(null),
                metadata.path("name").asText(null), objectLabels);
    }

    /** True when the exception covers this control on the object so described (ignoring time). */
    public boolean covers(String control, String cluster, String objectKind, String objectNamespace, String objectName,
                          Map<String, String> objectLabels) {
        return controlIds.contains(control)
                && (clusterId == null || Objects.equals(clusterId, cluster))
                && (kind == null || kind.equals(objectKind))
                && (namespace == null || namespace.equals(objectNamespace))
                && (names.isEmpty() || names.contains(objectName))
                && labels.entrySet().stream().allMatch(label -> label.getValue().equals(objectLabels.get(label.getKey())));
    }

    /** The rule of a record of the exceptions topic (records of the first schema have one control and one name). */
    public static ExceptionRule of(ControlException record) {
        Set<String> controls = new LinkedHashSet<>(record.getControlIds());
        if (controls.isEmpty()) {
            controls.add(record.getControlId());
        }
        Set<String> names = new LinkedHashSet<>(record.getNames());
        if (names.isEmpty() && record.getName() != null) {
            names.add(record.getName());
        }
        return new ExceptionRule(record.getExceptionId(), controls, record.getClusterId(), record.getNamespace(),
                record.getKind(), names, record.getLabelSelector(), record.getReason(), record.getTicket(),
                record.getRequestedBy() == null || record.getRequestedBy().isEmpty() ? null : record.getRequestedBy(),
                record.getApprovedBy(), record.getCreatedBy(), record.getCreatedAt(),
                record.getExpiresAt(), record.getRevoked());
    }

    /** The record for the exceptions topic; {@code controlId} and {@code name} keep the first schema's readers working. */
    public ControlException toRecord(Instant now) {
        List<String> controls = new ArrayList<>(controlIds.stream().sorted().toList());
        List<String> sortedNames = new ArrayList<>(names.stream().sorted().toList());
        return ControlException.newBuilder()
                .setExceptionId(exceptionId)
                .setControlId(controls.get(0))
                .setControlIds(controls)
                .setClusterId(clusterId)
                .setNamespace(namespace)
                .setKind(kind)
                .setName(sortedNames.size() == 1 ? sortedNames.get(0) : null)
                .setNames(sortedNames)
                .setLabelSelector(new LinkedHashMap<>(labels))
                .setReason(reason)
                .setTicket(ticket)
                .setRequestedBy(requestedBy == null ? "" : requestedBy) // required by the first schema; "" = not said
                .setApprovedBy(approvedBy)
                .setCreatedBy(createdBy)
                .setCreatedAt(createdAt == null ? now : createdAt)
                .setExpiresAt(expiresAt)
                .setRevoked(revoked)
                .build();
    }

    /** The same exception, withdrawn. */
    public ExceptionRule revoke() {
        return new ExceptionRule(exceptionId, controlIds, clusterId, namespace, kind, names, labels, reason, ticket,
                requestedBy, approvedBy, createdBy, createdAt, expiresAt, true);
    }
}
