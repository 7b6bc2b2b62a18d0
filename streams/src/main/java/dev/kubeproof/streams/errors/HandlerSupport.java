package dev.kubeproof.streams.errors;

import java.time.Clock;
import java.util.Map;

import org.apache.kafka.common.errors.RetriableException;

import dev.kubeproof.contract.registry.SchemaRegistryException;
import dev.kubeproof.runtime.DeadLetterSink;
import dev.kubeproof.streams.config.StreamsConfigFactory;

/** What the dead-lettering handlers share: how they find their publisher, and which failures are transient. */
final class HandlerSupport {
    private HandlerSupport() {
    }

    static DeadLetterSink publisher(Map<String, ?> configs, String handler) {
        Object publisher = configs.get(StreamsConfigFactory.DEAD_LETTER_PUBLISHER);
        if (publisher instanceof DeadLetterSink deadLetters) {
            return deadLetters;
        }
        throw new IllegalStateException(handler + " needs a " + DeadLetterSink.class.getSimpleName()
                + " instance in the Streams config under " + StreamsConfigFactory.DEAD_LETTER_PUBLISHER
                + " (StreamsConfigFactory sets it)");
    }

    static Clock clock(Map<String, ?> configs) {
        return configs.get(StreamsConfigFactory.CLOCK) instanceof Clock clock ? clock : Clock.systemUTC();
    }

    /**
     * True when the failure is the infrastructure's, not the record's: the registry did not answer (or answered
     * 5xx/429), or Kafka reported a retriable error. Such records must not be dead-lettered as bad input.
     */
    static boolean isTransient(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetriableException) {
                return true;
            }
            if (cause instanceof SchemaRegistryException registry) {
                return registry.retryable() || registry.httpStatus() < 0;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * The registry failure behind an error, if any. On the write path a registry failure is never the record's
     * fault (the schemas are the application's own), so handlers fail rather than dead-letter the record.
     */
    static SchemaRegistryException registryFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryException registry) {
                return registry;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    /** The exception's message with its causes, for a dead letter's reason. */
    static String reason(String what, Throwable error) {
        StringBuilder reason = new StringBuilder(what).append(": ");
        String separator = "";
        for (Throwable cause = error; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            reason.append(separator).append(cause.getClass().getSimpleName());
            if (cause.getMessage() != null) {
                reason.append(": ").append(cause.getMessage());
            }
            separator = " <- ";
            if (reason.length() > 2_000) {
                break;
            }
        }
        return reason.toString();
    }
}
