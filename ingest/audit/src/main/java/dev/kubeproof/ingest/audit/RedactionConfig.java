package dev.kubeproof.ingest.audit;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;

/**
 * Which request and response bodies the audit collector drops besides the ones it always drops (Secrets,
 * TokenReviews, TokenRequests: they carry credentials).
 *
 * @param kinds extra kinds or resources, e.g. {@code ConfigMap} or {@code configmaps}; matched case-insensitively
 *              against the body's {@code kind} and the event's {@code objectRef.resource}
 */
public record RedactionConfig(
        @JsonPropertyDescription("Extra kinds or resources, e.g. ConfigMap or configmaps; matched case-insensitively against the body's kind and the event's objectRef.resource.")
        List<String> kinds) {

    public RedactionConfig {
        kinds = kinds == null ? List.of() : List.copyOf(kinds);
        for (String kind : kinds) {
            if (kind == null || kind.isBlank() || !kind.matches("[A-Za-z0-9.-]+")) {
                throw new IllegalArgumentException("redaction.kinds entries must be kind or resource names, was '" + kind + "'");
            }
        }
    }

    public static RedactionConfig none() {
        return new RedactionConfig(List.of());
    }
}
