package dev.kubeproof.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.contract.deadletter.DeadLetters;
import dev.kubeproof.contract.topics.TopicCatalog;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one dead-letter producer of every kubeproof stage: sends what a collector, the evidence topology or the sink
 * cannot use to the dead-letter topic, keyed by source, with the reason and the raw bytes (truncated), durably
 * ({@code acks=all}, idempotent: it writes through a {@link RecordPublisher}), and counts them in
 * {@code kubeproof_dead_letters_total{source,error_type}}. The raw bytes are never logged: they may hold what
 * redaction would have removed.
 */
public final class DeadLetterPublisher implements DeadLetterSink {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);
    /** How long a synchronous {@link #publish(List)} waits for Kafka's acknowledgements. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final RecordPublisher publisher;
    private final boolean ownsPublisher;
    private final TopicCatalog topics;
    private final Clock clock;
    private final int payloadLimit;

    public DeadLetterPublisher(RecordPublisher publisher, TopicCatalog topics, Clock clock) {
        this(publisher, topics, clock, DeadLetters.DEFAULT_PAYLOAD_LIMIT);
    }

    public DeadLetterPublisher(RecordPublisher publisher, TopicCatalog topics, Clock clock, int payloadLimit) {
        this(publisher, topics, clock, payloadLimit, false);
    }

    private DeadLetterPublisher(RecordPublisher publisher, TopicCatalog topics, Clock clock, int payloadLimit,
                                boolean ownsPublisher) {
        this.ownsPublisher = ownsPublisher;
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
        return send(letter)
                .whenComplete((metadata, error) -> {
                    if (error != null) {
                        LOG.error("could not dead-letter input from {} ({}): {}", source, errorType, error.toString());
                    }
                });
    }

    /**
     * A publisher with a producer of its own, for a stage that publishes nothing else through kubeproof's producer
     * (the evidence topology, the sink); closing it closes that producer.
     */
    public static DeadLetterPublisher create(KafkaConfig kafka, TopicCatalog topics, IngestMetrics metrics, Clock clock) {
        return new DeadLetterPublisher(new RecordPublisher(kafka, metrics), topics, clock,
                DeadLetters.DEFAULT_PAYLOAD_LIMIT, true);
    }

    /** Sends a dead letter built elsewhere (e.g. with its Kafka coordinates), counted like the others. */
    public CompletableFuture<RecordMetadata> send(DeadLetter letter) {
        publisher.metrics().deadLettered(letter.getSource(), letter.getErrorType());
        LOG.warn("dead-lettering input from {} ({} bytes): {}: {}", letter.getSource(), letter.getPayloadSize(),
                letter.getErrorType(), letter.getReason());
        return publisher.publish(topics.deadLetters(), letter.getSource(), letter, letter.getSource());
    }

    @Override
    public void publish(List<DeadLetter> letters) {
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (DeadLetter letter : letters) {
            sent.add(send(letter));
        }
        publisher.flush();
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing dead letters to " + topics.deadLetters().name(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot write dead letters to " + topics.deadLetters().name() + ": "
                    + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        if (ownsPublisher) {
            publisher.close();
        }
    }

    /** Dead-letters an {@link InvalidInputException}'s error type and reason. */
    public CompletableFuture<RecordMetadata> deadLetter(String source, InvalidInputException error, byte[] raw) {
        return deadLetter(source, error.errorType(), error.getMessage(), raw);
    }
}
