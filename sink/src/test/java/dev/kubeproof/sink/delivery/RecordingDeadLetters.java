package dev.kubeproof.sink.delivery;

import java.util.ArrayList;
import java.util.List;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.runtime.DeadLetterSink;

/** Collects dead letters; can be made to fail like an unreachable broker. */
public final class RecordingDeadLetters implements DeadLetterSink {
    public final List<DeadLetter> letters = new ArrayList<>();
    public boolean failing;

    @Override
    public void publish(List<DeadLetter> batch) {
        if (failing) {
            throw new IllegalStateException("broker unreachable");
        }
        letters.addAll(batch);
    }

    @Override
    public void close() {
    }
}
