package dev.kubeproof.controls.exceptions;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.Status;

/**
 * The exceptions in force, and how they turn a FAIL into EXEMPT. Exceptions are written as kubeproof documents
 * next to the manifests they concern ({@value #API_VERSION}, kind {@value #KIND}), so that a repository's
 * accepted risks are reviewed with its manifests.
 */
public final class ControlExceptions {
    public static final String API_VERSION = "kubeproof.dev/v1alpha1";
    public static final String KIND = "ControlException";
    private static final Set<String> SPEC_KEYS = Set.of("controlId", "clusterId", "match", "reason", "ticket",
            "requestedBy", "approvedBy", "expiresAt", "revoked");
    private static final Set<String> MATCH_KEYS = Set.of("namespace", "kind", "name", "labels");

    private final List<ExceptionRule> rules;

    public ControlExceptions(List<ExceptionRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static ControlExceptions none() {
        return new ControlExceptions(List.of());
    }

    public List<ExceptionRule> rules() {
        return rules;
    }

    /** True for a kubeproof ControlException document. */
    public static boolean isExceptionDocument(JsonNode object) {
        return API_VERSION.equals(object.path("apiVersion").asText()) && KIND.equals(object.path("kind").asText());
    }

    /** Reads one ControlException document; unknown keys are rejected, naming the key and the exception. */
    public static ExceptionRule parse(JsonNode document) {
        String id = document.path("metadata").path("name").asText(null);
        JsonNode spec = document.path("spec");
        spec.fieldNames().forEachRemaining(key -> {
            if (!SPEC_KEYS.contains(key)) {
                throw new IllegalArgumentException("control exception " + id + ": unknown key spec." + key);
            }
        });
        JsonNode match = spec.path("match");
        match.fieldNames().forEachRemaining(key -> {
            if (!MATCH_KEYS.contains(key)) {
                throw new IllegalArgumentException("control exception " + id + ": unknown key spec.match." + key);
            }
        });
        Map<String, String> labels = new LinkedHashMap<>();
        match.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        Instant expiresAt = null;
        if (spec.hasNonNull("expiresAt")) {
            try {
                expiresAt = Instant.parse(spec.get("expiresAt").asText());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("control exception " + id + ": spec.expiresAt must be an ISO-8601 "
                        + "instant such as 2027-01-31T00:00:00Z, was " + spec.get("expiresAt").asText());
            }
        }
        return new ExceptionRule(id, text(spec, "controlId"), text(spec, "clusterId"), text(match, "namespace"),
                text(match, "kind"), text(match, "name"), labels, text(spec, "reason"), text(spec, "ticket"),
                text(spec, "approvedBy"), expiresAt, spec.path("revoked").asBoolean(false));
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    /** The exception in force that covers this control on this object, if any. */
    public Optional<ExceptionRule> find(String controlId, JsonNode object, String clusterId, Instant now) {
        return rules.stream().filter(rule -> rule.activeAt(now) && rule.covers(controlId, object, clusterId)).findFirst();
    }

    /** The results with every covered FAIL turned EXEMPT (other statuses are left alone). */
    public List<ControlResult> apply(List<ControlResult> results, JsonNode object, String clusterId, Instant now) {
        List<ControlResult> applied = new ArrayList<>(results.size());
        for (ControlResult result : results) {
            Optional<ExceptionRule> rule = result.status() == Status.FAIL
                    ? find(result.control().id(), object, clusterId, now) : Optional.empty();
            applied.add(rule.map(r -> new ControlResult(result.control(), Status.EXEMPT, result.message()
                    + " — exempt: " + r.reason() + " (exception " + r.exceptionId() + ", approved by " + r.approvedBy()
                    + (r.expiresAt() == null ? "" : ", expires " + r.expiresAt()) + ")", result.findings())).orElse(result));
        }
        return applied;
    }
}
