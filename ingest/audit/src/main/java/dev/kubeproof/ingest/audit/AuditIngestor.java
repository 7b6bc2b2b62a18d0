package dev.kubeproof.ingest.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;
import dev.kubeproof.runtime.RecordPublisher;

import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The one path every audit input takes, from the webhook and from files: parse, redact, key, de-duplicate,
 * publish; anything bad is cleaned and dead-lettered. Nothing here throws for bad input, and every returned
 * future completes only when everything it stands for (records and dead letters) is acknowledged by Kafka, or
 * fails when something could not be written.
 */
public final class AuditIngestor {
    /** What an input became. */
    public record Outcome(int published, int duplicates, int deadLettered, String rejection) {
        static final Outcome NOTHING = new Outcome(0, 0, 0, null);

        /** Whether the input as a whole was refused (e.g. a webhook body that is not an EventList). */
        public boolean rejected() {
            return rejection != null;
        }

        Outcome plus(Outcome other) {
            return new Outcome(published + other.published, duplicates + other.duplicates,
                    deadLettered + other.deadLettered, rejection != null ? rejection : other.rejection);
        }
    }

    /**
     * Names of an input source.
     *
     * @param recordSource     what {@code AuditEvent.source} says, e.g. {@code webhook} or {@code file:/var/log/audit.log}
     * @param deadLetterSource the dead letter's source and the metrics tag, e.g. {@code ingest.audit-webhook}
     */
    public record Source(String recordSource, String deadLetterSource) {
        public static final Source WEBHOOK = new Source("webhook", "ingest.audit-webhook");

        public static Source file(String path) {
            return new Source("file:" + path, "ingest.audit-file");
        }
    }

    private final AuditEventParser parser;
    private final AuditRedactor redactor;
    private final RecordPublisher publisher;
    private final DeadLetterPublisher deadLetters;
    private final TopicCatalog topics;
    private final EventDeduplicator deduplicator;
    private final ObjectMapper mapper;
    private final AuditFormats formats;
    private final int maxEventBytes;

    public AuditIngestor(AuditEventParser parser, AuditRedactor redactor, RecordPublisher publisher,
                         DeadLetterPublisher deadLetters, TopicCatalog topics, EventDeduplicator deduplicator,
                         ObjectMapper mapper, int maxEventBytes) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.deduplicator = Objects.requireNonNull(deduplicator, "deduplicator");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.formats = new AuditFormats(mapper);
        this.maxEventBytes = maxEventBytes;
    }

    /** One event as raw JSON (a log line). Blank input is skipped. */
    public CompletableFuture<Outcome> ingestEvent(byte[] raw, Source source) {
        publisher.metrics().inputReceived(source.deadLetterSource());
        if (isBlank(raw)) {
            return CompletableFuture.completedFuture(Outcome.NOTHING);
        }
        if (raw.length > maxEventBytes) {
            return deadLetter(source, new InvalidInputException(ErrorTypes.OVERSIZED, "event of " + raw.length
                    + " bytes is larger than the limit of " + maxEventBytes + " bytes"), raw);
        }
        JsonNode node;
        try {
            node = mapper.readTree(raw);
        } catch (IOException e) {
            return deadLetter(source, malformed(e), raw);
        }
        List<AuditFormats.Item> items;
        try {
            items = formats.unwrap(node);
        } catch (InvalidInputException e) {
            return deadLetter(source, e, raw);
        }
        if (items.size() == 1) {
            return ingestNode(items.get(0), raw, source);
        }
        return combine(items.stream().map(item -> ingestNode(item, null, source)).toList());
    }

    /** A webhook body: one {@code EventList}. Bad items are dead-lettered; a bad body is dead-lettered and rejected. */
    public CompletableFuture<Outcome> ingestEventList(byte[] body, Source source) {
        publisher.metrics().inputReceived(source.deadLetterSource());
        JsonNode list;
        try {
            list = mapper.readTree(body);
        } catch (IOException e) {
            return rejectBody(source, malformed(e), body);
        }
        if (list == null || !list.isObject()) {
            return rejectBody(source, new InvalidInputException(ErrorTypes.WRONG_KIND, "body must be an EventList object"), body);
        }
        JsonNode kind = list.get("kind");
        if (kind == null || !"EventList".equals(kind.asText())) {
            // Not the API server's own webhook: a forwarder may post managed-cloud records (AKS, EKS, GKE, ECS).
            List<AuditFormats.Item> items;
            try {
                items = formats.unwrap(list);
            } catch (InvalidInputException e) {
                return rejectBody(source, new InvalidInputException(ErrorTypes.WRONG_KIND, "kind must be EventList, was "
                        + (kind == null ? "missing" : "'" + kind.asText() + "'") + ", and the body is no other known"
                        + " shape: " + e.getMessage()), body);
            }
            return combine(items.stream().map(item -> ingestNode(item, null, source)).toList());
        }
        JsonNode apiVersion = list.get("apiVersion");
        if (apiVersion != null && !AuditEventParser.API_VERSIONS.contains(apiVersion.asText())) {
            return rejectBody(source, new InvalidInputException(ErrorTypes.WRONG_API_VERSION, "apiVersion must be "
                    + AuditEventParser.V1 + " or " + AuditEventParser.V1BETA1 + ", was '" + apiVersion.asText() + "'"), body);
        }
        JsonNode items = list.get("items");
        if (items == null || items.isNull()) {
            return CompletableFuture.completedFuture(Outcome.NOTHING);
        }
        if (!items.isArray()) {
            return rejectBody(source, new InvalidInputException(ErrorTypes.INVALID_VALUE, "'items' must be an array"), body);
        }
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            outcomes.add(ingestNode(new AuditFormats.Item(item, AuditFormats.NATIVE), null, source));
        }
        return combine(outcomes);
    }

    private CompletableFuture<Outcome> ingestNode(AuditFormats.Item item, byte[] raw, Source source) {
        AuditEventParser.Parsed parsed;
        try {
            parsed = parser.parse(item.event(), source.recordSource(), item.format());
        } catch (InvalidInputException e) {
            return deadLetter(source, new InvalidInputException(e.errorType(), e.getMessage()
                    + (AuditFormats.NATIVE.equals(item.format()) ? "" : " (in a " + item.format() + " record)")),
                    raw != null ? raw : bytesOf(item.event()));
        }
        EventDeduplicator.Outcome sent = deduplicator.publishOnce(parsed.dedupKey(),
                () -> publisher.publish(topics.auditEvents(), parsed.key(), parsed.event(), source.deadLetterSource()));
        Outcome outcome = sent.duplicate() ? new Outcome(0, 1, 0, null) : new Outcome(1, 0, 0, null);
        return sent.future().thenApply(metadata -> outcome);
    }

    private CompletableFuture<Outcome> deadLetter(Source source, InvalidInputException error, byte[] raw) {
        AuditRedactor.CleanPayload clean = redactor.cleanForDeadLetter(raw);
        CompletableFuture<RecordMetadata> sent = deadLetters.deadLetter(source.deadLetterSource(), error.errorType(),
                error.getMessage() + clean.note(), clean.bytes());
        return sent.thenApply(metadata -> new Outcome(0, 0, 1, null));
    }

    private CompletableFuture<Outcome> rejectBody(Source source, InvalidInputException error, byte[] body) {
        return deadLetter(source, error, body)
                .thenApply(outcome -> new Outcome(0, 0, 1, error.errorType() + ": " + error.getMessage()));
    }

    /** Dead-letters an input that was refused before parsing (e.g. an oversized webhook body). */
    public CompletableFuture<Outcome> reject(Source source, String errorType, String reason, byte[] rawPrefix) {
        return rejectBody(source, new InvalidInputException(errorType, reason), rawPrefix);
    }

    private static CompletableFuture<Outcome> combine(List<CompletableFuture<Outcome>> outcomes) {
        return CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> outcomes.stream().map(CompletableFuture::join).reduce(Outcome.NOTHING, Outcome::plus));
    }

    private byte[] bytesOf(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            return String.valueOf(node).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static InvalidInputException malformed(IOException e) {
        // Jackson's messages quote the offending token, which may be a credential: say where, and what kind of error
        StringBuilder reason = new StringBuilder("not valid JSON");
        if (e instanceof JsonProcessingException json && json.getLocation() != null) {
            reason.append(" at line ").append(json.getLocation().getLineNr())
                    .append(", column ").append(json.getLocation().getColumnNr());
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.startsWith("Unexpected end-of-input")) {
            reason.append(" (the input ends early)");
        } else if (message.startsWith("Unrecognized token")) {
            reason.append(" (unrecognized token)");
        } else if (message.startsWith("Unexpected character")) {
            reason.append(" (unexpected character)");
        } else if (message.contains("Invalid UTF-8")) {
            reason.append(" (invalid UTF-8)");
        }
        return new InvalidInputException(ErrorTypes.MALFORMED_JSON, reason.toString());
    }

    private static boolean isBlank(byte[] raw) {
        for (byte b : raw) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }
}
