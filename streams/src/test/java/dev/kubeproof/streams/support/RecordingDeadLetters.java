package dev.kubeproof.streams.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.streams.errors.DeadLetterPublisher;

/** Keeps what the exception handlers dead-letter, for assertions. */
public final class RecordingDeadLetters implements DeadLetterPublisher {
    private final List<DeadLetter> letters = new CopyOnWriteArrayList<>();

    @Override
    public void publish(DeadLetter letter) {
        letters.add(letter);
    }

    public List<DeadLetter> letters() {
        return List.copyOf(letters);
    }
}
