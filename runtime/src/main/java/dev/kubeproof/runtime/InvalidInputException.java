package dev.kubeproof.runtime;

import java.util.Objects;

/**
 * An input that cannot become a record: the message says why in words, {@link #errorType()} classifies it for
 * the dead letter (see {@link ErrorTypes}). Messages must never quote secret values.
 */
public class InvalidInputException extends RuntimeException {
    private final String errorType;

    public InvalidInputException(String errorType, String message) {
        super(message);
        this.errorType = Objects.requireNonNull(errorType, "errorType");
    }

    public InvalidInputException(String errorType, String message, Throwable cause) {
        super(message, cause);
        this.errorType = Objects.requireNonNull(errorType, "errorType");
    }

    public String errorType() {
        return errorType;
    }
}
