package dev.kubeproof.runtime;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.deadletter.DeadLetters;
import dev.kubeproof.contract.topics.TopicCatalog;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends inputs a collector cannot use to the dead-letter topic, keyed by source, with the reason and the raw
 * bytes (truncated), and counts them in {@code kubeproof_ingest_dead_letters_total{source,error_type}}. The raw
 * bytes are never logged: they may hold what redaction would have removed.
 */
public final class DeadLetterPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);

    private final RecordPublisher publisher;
    private final TopicCatalog topics;
    private final Clock clock;
    private final int payloadLimit;

    public DeadLetterPublisher(RecordPublisher publisher, TopicCatalog topics, Clock clock) {
        this(publisher, topics, clock, DeadLetters.DEFAULT_PAYLOAD_LIMIT);
    }

    public DeadLetterPublisher(RecordPublisher publisher, TopicCatalog topics, Clock clock, int payloadLimit) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (payloadLimit < 0) {
            throw new IllegalArgumentException("payloadLimit must not be negative, was " + payloadLimit);
        }
        this.payloadLimit = payloadLimit;
    }

    /**
     * Dead-letters one input. The future completes when Kafka has the dead letter; callers that promise "nothing
     * lost" (the file tailer's position, the webhook's 200) wait for it like for any other record.
     *
     * @param source    the collector input, e.g. {@code ingest.audit-webhook}
     * @param errorType machine-readable class, see {@link ErrorTypes}
     * @param reason    why, in words (must not contain secret values)
     * @param raw       the raw input
     */
    public CompletableFuture<RecordMetadata> deadLetter(String source, String errorType, String reason, byte[] raw) {
        DeadLetter letter = DeadLetters.of(source, errorType, reason, raw, clock.instant(), payloadLimit);
        publisher.metrics().deadLettered(source, errorType);
        LOG.warn("dead-lettering input from {} ({} bytes): {}: {}", source, raw == null ? 0 : raw.length, errorType,
                reason);
        return publisher.publish(topics.deadLetters(), source, letter, source)
                .whenComplete((metadata, error) -> {
                    if (error != null) {
                        LOG.error("could not dead-letter input from {} ({}): {}", source, errorType, error.toString());
                    }
                });
    }

    /** Dead-letters an {@link InvalidInputException}'s error type and reason. */
    public CompletableFuture<RecordMetadata> deadLetter(String source, InvalidInputException error, byte[] raw) {
        return deadLetter(source, error.errorType(), error.getMessage(), raw);
    }
}
