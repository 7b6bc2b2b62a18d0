package dev.kubeproof.sink.documents;

/** A record that cannot become a document; its error type and reason go to the dead-letter topic. */
public final class DocumentException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String errorType;

    public DocumentException(String errorType, String reason) {
        super(reason);
        this.errorType = errorType;
    }

    public String errorType() {
        return errorType;
    }
}
