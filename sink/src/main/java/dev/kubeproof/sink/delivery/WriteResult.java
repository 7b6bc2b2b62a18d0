package dev.kubeproof.sink.delivery;

/**
 * What became of one write, classified by what the sink must do next.
 *
 * @param kind      the class
 * @param errorType machine-readable error (Elasticsearch's error type, or the transport's), null when written
 * @param reason    the error in words, null when written
 */
public record WriteResult(Kind kind, String errorType, String reason) {

    public enum Kind {
        /** Written now. */
        WRITTEN,
        /** Already there from an earlier attempt or a replay (version conflict, delete of a missing document). */
        ALREADY_DONE,
        /** Not written for a passing reason (overload, unavailability, transport failure): try again later. */
        RETRY,
        /** Never writable (mapping or parse error): dead-letter with the reason. */
        DEAD_LETTER
    }

    public static WriteResult written() {
        return new WriteResult(Kind.WRITTEN, null, null);
    }

    public static WriteResult alreadyDone(String errorType) {
        return new WriteResult(Kind.ALREADY_DONE, errorType, null);
    }

    public static WriteResult retry(String errorType, String reason) {
        return new WriteResult(Kind.RETRY, errorType, reason);
    }

    public static WriteResult deadLetter(String errorType, String reason) {
        return new WriteResult(Kind.DEAD_LETTER, errorType, reason);
    }

    public boolean isDone() {
        return kind == Kind.WRITTEN || kind == Kind.ALREADY_DONE;
    }
}
