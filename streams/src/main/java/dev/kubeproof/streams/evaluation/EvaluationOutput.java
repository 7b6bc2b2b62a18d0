package dev.kubeproof.streams.evaluation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.deadletter.DeadLetters;
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

    /**
     * A dead letter for the input being processed: where it was read (topic, partition, offset) when the context
     * knows, its key and payload, the reason.
     */
    static EvaluationOutput deadLetter(ProcessorContext<?, ?> context, String source, String key, String errorType,
                                       String reason, String payload, Instant now) {
        Optional<RecordMetadata> read = context.recordMetadata();
        byte[] bytes = payload == null ? new byte[0] : payload.getBytes(StandardCharsets.UTF_8);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return of(read.isPresent()
                ? DeadLetters.fromKafka(source, errorType, reason, read.get().topic(), read.get().partition(),
                read.get().offset(), keyBytes, bytes, now)
                : DeadLetters.of(source, errorType, reason, bytes, now));
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }
}
