package dev.kubeproof.controls.exceptions;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
    private static final Set<String> SPEC_KEYS = Set.of("controlId", "controlIds", "clusterId", "match", "reason",
            "ticket", "requestedBy", "approvedBy", "createdBy", "createdAt", "expiresAt", "revoked");
    private static final Set<String> MATCH_KEYS = Set.of("namespace", "kind", "name", "names", "labels");

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
        match.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return new ExceptionRule(id, oneOrMany(spec, "controlId", "controlIds", id), text(spec, "clusterId"),
                text(match, "namespace"), text(match, "kind"), oneOrMany(match, "name", "names", id), labels,
                text(spec, "reason"), text(spec, "ticket"), text(spec, "requestedBy"), text(spec, "approvedBy"),
                text(spec, "createdBy"), instant(spec, "createdAt", id), instant(spec, "expiresAt", id),
                spec.path("revoked").asBoolean(false));
    }

    private static Set<String> oneOrMany(JsonNode node, String one, String many, String id) {
        Set<String> values = new LinkedHashSet<>();
        if (node.hasNonNull(one)) {
            values.add(node.get(one).asText());
        }
        JsonNode list = node.path(many);
        if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
            throw new IllegalArgumentException("control exception " + id + ": " + many + " must be a list");
        }
        list.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static Instant instant(JsonNode spec, String field, String id) {
        if (!spec.hasNonNull(field)) {
            return null;
        }
        try {
            return Instant.parse(spec.get(field).asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("control exception " + id + ": spec." + field + " must be an ISO-8601 "
                    + "instant such as 2027-01-31T00:00:00Z, was " + spec.get(field).asText());
        }
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
