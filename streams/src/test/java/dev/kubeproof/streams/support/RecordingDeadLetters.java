package dev.kubeproof.streams.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.runtime.DeadLetterSink;

/** Keeps what the exception handlers dead-letter, for assertions. */
public final class RecordingDeadLetters implements DeadLetterSink {
    private final List<DeadLetter> letters = new CopyOnWriteArrayList<>();

    @Override
    public void publish(List<DeadLetter> published) {
        letters.addAll(published);
    }

    public List<DeadLetter> letters() {
        return List.copyOf(letters);
    }
}
