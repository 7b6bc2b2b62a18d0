package dev.kubeproof.contract.evidence;

import dev.kubeproof.avro.EvidenceRecord;

/**
 * The key of a control's evidence on one resource, {@code cluster/control/resource uid}: the Kafka key of the
 * evidence and evidence-state topics, the identity of a hash chain, and the posture document's key. Built here only.
 */
public final class EvidenceKey {
    private EvidenceKey() {
    }

    public static String of(String clusterId, String controlId, String uid) {
        return clusterId + "/" + controlId + "/" + uid;
    }

    /** The key a record belongs to, from its own fields. */
    public static String of(EvidenceRecord record) {
        return of(record.getResource().getClusterId(), record.getControlId(), record.getResource().getUid());
    }
}
