package dev.kubeproof.streams.evaluation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.Finding;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.contract.evidence.Violations;
import dev.kubeproof.controls.ControlDefinition;

/** The one way an evidence transition is built, whichever processor records it (objects or audit events). */
final class EvidenceRecords {
    private EvidenceRecords() {
    }

    /** A transition of {@code control} on {@code resource} after {@code previous} (null for the key's first), unlinked. */
    static EvidenceRecord.Builder transition(ControlDefinition control, EvidenceStatus status, EvidenceRecord previous,
                                             Instant since, Instant observedAt, ResourceRef resource, String message,
                                             List<Finding> details, EvidenceCause cause) {
        return EvidenceRecord.newBuilder()
                .setControlId(control.id())
                .setControlVersion(control.version())
                .setControlTitle(control.title() == null ? "" : control.title())
                .setSeverity(ControlSeverity.valueOf(control.severity().name()))
                .setStatus(status)
                .setPreviousStatus(previous == null ? null : previous.getStatus())
                .setPreviousSince(previous == null ? null : previous.getSince())
                .setOpenViolationSince(previous == null ? null : Violations.startAfter(previous))
                .setSince(millis(notBefore(since, previous)))
                .setObservedAt(millis(observedAt))
                .setResource(resource)
                .setMessage(message == null ? status.name() : message)
                .setDetails(details)
                .setRemediation(control.remediation())
                .setCause(cause);
    }

    /**
     * A status cannot begin before the one it replaces: a cause dated earlier (an image scan made before the
     * resource's last change, a late audit event) takes effect when the previous status began. So {@code since}
     * never decreases along a chain, time to remediate is never negative, and a report's period cuts each chain in
     * two, the records before it and the records in it.
     */
    static Instant notBefore(Instant since, EvidenceRecord previous) {
        return previous != null && since.isBefore(previous.getSince()) ? previous.getSince() : since;
    }

    static Finding toAvro(dev.kubeproof.controls.Finding finding) {
        return Finding.newBuilder()
                .setPath(finding.path() == null ? "" : finding.path())
                .setContainer(finding.container())
                .setValue(finding.value())
                .setMessage(finding.message() == null ? "" : finding.message())
                .build();
    }

    /** Avro keeps milliseconds: hash what will be read back. */
    static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }
}
