package dev.kubeproof.streams.evaluation;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import dev.kubeproof.avro.Attestation;

/**
 * The attestations a partition knows (a store, restored with the task, and in memory for the lookups: a few per
 * attestation control and renewal, not per object). An attestation counts for its control while it is not revoked
 * and before its {@code validUntil}; of several, the one valid longest is the evidence.
 */
final class Attestations {
    private final KeyValueStore<String, Attestation> store;
    private final Map<String, Attestation> byId = new TreeMap<>();

    Attestations(KeyValueStore<String, Attestation> store) {
        this.store = store;
        try (KeyValueIterator<String, Attestation> all = store.all()) {
            all.forEachRemaining(entry -> byId.put(entry.key, entry.value));
        }
    }

    /**
     * Records an attestation's new state ({@code null}: deleted).
     *
     * @throws IllegalArgumentException when the record cannot count as an attestation (nothing is changed)
     */
    void update(String attestationId, Attestation value) {
        if (value == null) {
            store.delete(attestationId);
            byId.remove(attestationId);
            return;
        }
        if (!attestationId.equals(value.getAttestationId())) {
            throw new IllegalArgumentException("attestation record keyed " + attestationId + " has attestationId "
                    + value.getAttestationId());
        }
        if (value.getAttestedBy().isBlank() || value.getEvidenceUrl().isBlank()) {
            throw new IllegalArgumentException("attestation " + attestationId + " needs attestedBy and evidenceUrl");
        }
        if (!value.getValidUntil().isAfter(value.getAttestedAt())) {
            throw new IllegalArgumentException("attestation " + attestationId + ": validUntil must be after attestedAt");
        }
        store.put(attestationId, value);
        byId.put(attestationId, value);
    }

    Optional<Attestation> byId(String attestationId) {
        return Optional.ofNullable(byId.get(attestationId));
    }

    /** The attestation that makes the control pass on the cluster at {@code now}, if any. */
    Optional<Attestation> valid(String controlId, String clusterId, Instant now) {
        return byId.values().stream()
                .filter(a -> a.getControlId().equals(controlId))
                .filter(a -> a.getClusterId() == null || a.getClusterId().equals(clusterId))
                .filter(a -> !a.getRevoked() && !a.getAttestedAt().isAfter(now) && now.isBefore(a.getValidUntil()))
                .max(Comparator.comparing(Attestation::getValidUntil).thenComparing(Attestation::getAttestationId));
    }
}
