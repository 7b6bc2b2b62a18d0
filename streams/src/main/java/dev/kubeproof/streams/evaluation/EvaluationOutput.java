package dev.kubeproof.streams.evaluation;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;

/** What the evaluation processor emits: an evidence transition, or a dead letter for input it could not use. */
public record EvaluationOutput(EvidenceRecord evidence, DeadLetter deadLetter) {
    public EvaluationOutput {
        if ((evidence == null) == (deadLetter == null)) {
            throw new IllegalArgumentException("exactly one of evidence and deadLetter must be set");
        }
    }

    public static EvaluationOutput of(EvidenceRecord evidence) {
        return new EvaluationOutput(evidence, null);
    }

    public static EvaluationOutput of(DeadLetter deadLetter) {
        return new EvaluationOutput(null, deadLetter);
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }
}
