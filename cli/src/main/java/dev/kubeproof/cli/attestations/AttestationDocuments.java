package dev.kubeproof.cli.attestations;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.Attestation;

/** Attestations written as kubeproof documents ({@code kubeproof.dev/v1alpha1}, kind Attestation), e.g. the sample's. */
public final class AttestationDocuments {
    public static final String KIND = "Attestation";
    private static final Set<String> SPEC_KEYS = Set.of("controlId", "clusterId", "attestedBy", "evidenceUrl", "note",
            "attestedAt", "validUntil", "revoked");

    private AttestationDocuments() {
    }

    /** @throws IllegalArgumentException naming the attestation and the field that is missing, unknown or malformed */
    public static Attestation parse(JsonNode document) {
        String id = document.path("metadata").path("name").asText("");
        if (id.isBlank()) {
            throw new IllegalArgumentException("attestation document without metadata.name");
        }
        JsonNode spec = document.path("spec");
        spec.fieldNames().forEachRemaining(key -> {
            if (!SPEC_KEYS.contains(key)) {
                throw new IllegalArgumentException("attestation " + id + ": unknown key spec." + key);
            }
        });
        return Attestation.newBuilder()
                .setAttestationId(id)
                .setControlId(required(spec, "controlId", id))
                .setClusterId(spec.hasNonNull("clusterId") ? spec.get("clusterId").asText() : null)
                .setAttestedBy(required(spec, "attestedBy", id))
                .setEvidenceUrl(required(spec, "evidenceUrl", id))
                .setNote(spec.hasNonNull("note") ? spec.get("note").asText() : null)
                .setAttestedAt(instant(spec, "attestedAt", id))
                .setValidUntil(instant(spec, "validUntil", id))
                .setRevoked(spec.path("revoked").asBoolean(false))
                .build();
    }

    private static String required(JsonNode spec, String field, String id) {
        String value = spec.path(field).asText("");
        if (value.isBlank()) {
            throw new IllegalArgumentException("attestation " + id + " needs spec." + field);
        }
        return value;
    }

    private static Instant instant(JsonNode spec, String field, String id) {
        try {
            return Instant.parse(required(spec, field, id));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("attestation " + id + ": spec." + field + " must be an ISO-8601 instant");
        }
    }
}
