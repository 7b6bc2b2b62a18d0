package dev.kubeproof.contract.registry;

/** The schema registry refused a request or could not be reached; the message says which subject or id, and why. */
public class SchemaRegistryException extends RuntimeException {
    private final int httpStatus;
    private final int errorCode;
    private final boolean unreachable;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.unreachable = false;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param unreachable true when the registry did not answer at all (worth another attempt) */
    public SchemaRegistryException(String message, Throwable cause, boolean unreachable) {
        super(message, cause);
        this.httpStatus = -1;
        this.errorCode = -1;
        this.unreachable = unreachable;
    }

    /** Worth another attempt: the registry was unreachable, overloaded (429) or failed (5xx). */
    public boolean retryable() {
        return unreachable || httpStatus == 429 || httpStatus >= 500;
    }

    /** HTTP status of the registry's answer; -1 when it did not answer. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code} (e.g. 40403 schema not found); -1 when absent. */
    public int errorCode() {
        return errorCode;
    }
}
