package dev.kubeproof.streams.evaluation;

import java.util.Objects;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;

/**
 * What the evaluation processor reads, merged into one stream: a resource change, an image scan, or an update of
 * a control exception or of an attestation (its new state, or null when it was deleted from the topic).
 */
public record EvaluationInput(ResourceChange change, ImageScan scan, ExceptionUpdate exception,
                              AttestationUpdate attestation) {
    public EvaluationInput {
        int set = (change == null ? 0 : 1) + (scan == null ? 0 : 1) + (exception == null ? 0 : 1)
                + (attestation == null ? 0 : 1);
        if (set != 1) {
            throw new IllegalArgumentException("exactly one of change, scan, exception and attestation must be set");
        }
    }

    public static EvaluationInput of(ResourceChange change) {
        return new EvaluationInput(change, null, null, null);
    }

    public static EvaluationInput of(ImageScan scan) {
        return new EvaluationInput(null, scan, null, null);
    }

    public static EvaluationInput of(String exceptionId, ControlException exception) {
        return new EvaluationInput(null, null, new ExceptionUpdate(exceptionId, exception), null);
    }

    public static EvaluationInput of(String attestationId, Attestation attestation) {
        return new EvaluationInput(null, null, null, new AttestationUpdate(attestationId, attestation));
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
