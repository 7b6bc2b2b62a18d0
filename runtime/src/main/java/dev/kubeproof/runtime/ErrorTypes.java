package dev.kubeproof.runtime;

/** The machine-readable error types the collectors put on dead letters ({@code DeadLetter.errorType}). */
public final class ErrorTypes {
    /** Not parseable JSON (or YAML). */
    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    /** Larger than the configured limit. */
    public static final String OVERSIZED = "OVERSIZED";
    /** A {@code kind} the source does not accept. */
    public static final String WRONG_KIND = "WRONG_KIND";
    /** An {@code apiVersion} (or schema version) the source does not accept. */
    public static final String WRONG_API_VERSION = "WRONG_API_VERSION";
    /** A required field is absent or empty. */
    public static final String MISSING_FIELD = "MISSING_FIELD";
    /** A value outside an enumeration (e.g. an unknown audit stage). */
    public static final String UNKNOWN_ENUM = "UNKNOWN_ENUM";
    /** A field of the wrong type or format (e.g. an unparseable timestamp). */
    public static final String INVALID_VALUE = "INVALID_VALUE";
    /** Mapped fine but Kafka or the registry refused the record. */
    public static final String PUBLISH_FAILED = "PUBLISH_FAILED";

    private ErrorTypes() {
    }
}
