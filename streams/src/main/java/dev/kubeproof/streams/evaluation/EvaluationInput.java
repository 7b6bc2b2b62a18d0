package dev.kubeproof.streams.evaluation;

import java.util.Objects;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;

/**
 * What the evaluation processor reads, merged into one stream: a resource change, an image scan, an update of
 * a control exception or of an attestation (its new state, or null when it was deleted from the topic), or a write
 * from the audit stream.
 */
public record EvaluationInput(ResourceChange change, ImageScan scan, ExceptionUpdate exception,
                              AttestationUpdate attestation, AuditEvent write) {
    public EvaluationInput {
        int set = (change == null ? 0 : 1) + (scan == null ? 0 : 1) + (exception == null ? 0 : 1)
                + (attestation == null ? 0 : 1) + (write == null ? 0 : 1);
        if (set != 1) {
            throw new IllegalArgumentException("exactly one of change, scan, exception, attestation and write must be set");
        }
    }

    public static EvaluationInput of(ResourceChange change) {
        return new EvaluationInput(change, null, null, null, null);
    }

    public static EvaluationInput of(ImageScan scan) {
        return new EvaluationInput(null, scan, null, null, null);
    }

    public static EvaluationInput of(String exceptionId, ControlException exception) {
        return new EvaluationInput(null, null, new ExceptionUpdate(exceptionId, exception), null, null);
    }

    public static EvaluationInput of(String attestationId, Attestation attestation) {
        return new EvaluationInput(null, null, null, new AttestationUpdate(attestationId, attestation), null);
    }

    /** A successful write from the audit stream (bodies dropped): who made a change. */
    public static EvaluationInput of(AuditEvent write) {
        return new EvaluationInput(null, null, null, null, write);
    }

    /** An attestation's new state; {@code value} null when a tombstone deleted it. */
    public record AttestationUpdate(String attestationId, Attestation value) {
        public AttestationUpdate {
            Objects.requireNonNull(attestationId, "attestationId");
        }
    }

    /** An exception's new state; {@code value} null when a tombstone deleted it. */
    public record ExceptionUpdate(String exceptionId, ControlException value) {
        public ExceptionUpdate {
            Objects.requireNonNull(exceptionId, "exceptionId");
        }
    }
}
