package dev.kubeproof.sink.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.ScannerFinding;
import dev.kubeproof.sink.documents.ScannerFindingDocuments;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.deadletter.DeadLetters;
import dev.kubeproof.contract.registry.SchemaRegistryException;
import dev.kubeproof.runtime.DeadLetterSink;
import dev.kubeproof.sink.SinkMetrics;
import dev.kubeproof.sink.config.SinkConfig.Input;
import dev.kubeproof.sink.documents.AuditDocuments;
import dev.kubeproof.sink.documents.DocumentException;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.documents.IndexAction;
import dev.kubeproof.sink.documents.ViolationDocuments;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * Takes a batch one attempt further: turns new records into writes (records that cannot be read or mapped are
 * marked for the dead-letter topic), sends every write not yet done, classifies each result, and publishes the
 * dead letters. Nothing here waits or retries; the caller (the sink's loop) decides when to attempt again, and
 * commits only a finished batch.
 */
public final class BatchProcessor {
    /** The {@code source} of the sink's dead letters. */
    public static final String DEAD_LETTER_SOURCE = "sink.elasticsearch";
    private static final Logger LOG = LoggerFactory.getLogger(BatchProcessor.class);

    /** The result of one attempt. */
    public record Attempt(boolean finished, String problem) {
    }

    /** Elasticsearch or the registry cannot be asked now: the batch waits. */
    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final IndexNames names;
    private final EvidenceDocuments evidence;
    private final ViolationDocuments violations;
    private final AuditDocuments audit;
    private final Deserializer<EvidenceRecord> evidenceDeserializer;
    private final Deserializer<AuditEvent> auditDeserializer;
    private final Deserializer<Checkpoint> checkpointDeserializer;
    private final ScannerFindingDocuments scannerFindings;
    private final Deserializer<ScannerFinding> scannerFindingDeserializer;
    private final DocumentWriter writer;
    private final DeadLetterSink deadLetters;
    private final Clock clock;
    private final SinkMetrics metrics;
    private final boolean indexHistory;
    private final boolean indexViolations;
    private final boolean indexPosture;
    private final boolean indexMisconfigurations;

    /** Indexes every input. */
    public BatchProcessor(IndexNames names, EvidenceDocuments evidence, ViolationDocuments violations, AuditDocuments audit,
                          Deserializer<EvidenceRecord> evidenceDeserializer, Deserializer<AuditEvent> auditDeserializer,
                          Deserializer<Checkpoint> checkpointDeserializer, ScannerFindingDocuments scannerFindings,
                          Deserializer<ScannerFinding> scannerFindingDeserializer, DocumentWriter writer,
                          DeadLetterSink deadLetters, Clock clock, SinkMetrics metrics) {
        this(EnumSet.allOf(Input.class), names, evidence, violations, audit, evidenceDeserializer, auditDeserializer,
                checkpointDeserializer, scannerFindings, scannerFindingDeserializer, writer, deadLetters, clock, metrics);
    }

    /**
     * @param inputs what to index: the evidence topic's records become history documents ({@code EVIDENCE}) and/or,
     *               for transitions into or out of FAIL, violation documents ({@code VIOLATIONS}); the evidence-state
     *               topic's become posture documents ({@code POSTURE}) and/or misconfiguration findings
     *               ({@code MISCONFIGURATIONS})
     */
    public BatchProcessor(Set<Input> inputs, IndexNames names, EvidenceDocuments evidence, ViolationDocuments violations,
                          AuditDocuments audit, Deserializer<EvidenceRecord> evidenceDeserializer,
                          Deserializer<AuditEvent> auditDeserializer, Deserializer<Checkpoint> checkpointDeserializer,
                          ScannerFindingDocuments scannerFindings, Deserializer<ScannerFinding> scannerFindingDeserializer,
                          DocumentWriter writer, DeadLetterSink deadLetters, Clock clock, SinkMetrics metrics) {
        this.indexHistory = inputs.contains(Input.EVIDENCE);
        this.indexViolations = inputs.contains(Input.VIOLATIONS);
        this.indexPosture = inputs.contains(Input.POSTURE);
        this.indexMisconfigurations = inputs.contains(Input.MISCONFIGURATIONS);
        this.names = names;
        this.evidence = evidence;
        this.violations = violations;
        this.audit = audit;
        this.evidenceDeserializer = evidenceDeserializer;
        this.auditDeserializer = auditDeserializer;
        this.checkpointDeserializer = checkpointDeserializer;
        this.scannerFindings = scannerFindings;
        this.scannerFindingDeserializer = scannerFindingDeserializer;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * A batch on its way to Elasticsearch: its records turned into writes (by {@link #start}), then {@link #send sent}
     * (in flight), then {@link #finish finished} (every answer in). The sink's loop starts and sends the next poll's
     * batch while this one's writes are in flight, so that Elasticsearch never waits for the sink to decode and
     * render; it commits the batches in order.
     */
    public static final class Sending {
        private final Batch batch;
        private final String unavailable;
        private final List<BatchItem.Write> writes = new ArrayList<>();
        private final List<BatchItem> owners = new ArrayList<>();
        private DocumentWriter.Pending pending;

        private Sending(Batch batch, String unavailable) {
            this.batch = batch;
            this.unavailable = unavailable;
            if (unavailable == null) {
                for (BatchItem item : batch.items()) {
                    if (item.state() == BatchItem.State.PREPARED) {
                        for (BatchItem.Write write : item.pendingWrites()) {
                            writes.add(write);
                            owners.add(item);
                        }
                    }
                }
            }
        }

        public Batch batch() {
            return batch;
        }

        public boolean isSent() {
            return pending != null;
        }

        /**
         * Whether this batch's writes must wait until {@code earlier}'s are answered. Creates, versioned upserts and
         * versioned deletes land right in any order (a replayed create conflicts, an older version loses); an
         * unversioned delete (a tombstone) does not, so it never overtakes, nor is overtaken by, a write of the same
         * document still in flight.
         */
        public boolean mustFollow(Sending earlier) {
            if (earlier.unavailable != null) {
                return true; // its records are not decoded yet: which documents it writes is unknown
            }
            Set<String> earlierDeletes = documents(earlier.writes, true);
            Set<String> deletes = documents(writes, true);
            if (earlierDeletes.isEmpty() && deletes.isEmpty()) {
                return false;
            }
            Set<String> earlierWrites = documents(earlier.writes, false);
            return documents(writes, false).stream().anyMatch(earlierDeletes::contains)
                    || deletes.stream().anyMatch(earlierWrites::contains);
        }

        /** The documents the writes touch besides creates: every one, or only the unversioned deletes. */
        private static Set<String> documents(List<BatchItem.Write> writes, boolean unversionedDeletesOnly) {
            Set<String> documents = new HashSet<>();
            for (BatchItem.Write write : writes) {
                IndexAction action = write.action();
                boolean unversionedDelete = action instanceof IndexAction.Delete delete && delete.version() == null;
                if (unversionedDelete || !unversionedDeletesOnly && !(action instanceof IndexAction.Create)) {
                    documents.add(action.index() + '/' + action.id());
                }
            }
            return documents;
        }
    }

    /** Takes the batch one attempt further and waits for the answers: {@link #start}, {@link #send}, {@link #finish}. */
    public Attempt attempt(Batch batch) {
        Sending sending = start(batch);
        send(sending);
        return finish(sending);
    }

    /**
     * Turns the batch's new records into writes and gathers every write not yet done. When the schema registry cannot
     * be reached now, nothing is prepared and {@link #finish} reports why.
     */
    public Sending start(Batch batch) {
        long start = System.nanoTime();
        try {
            prepare(batch);
            return new Sending(batch, null);
        } catch (Unavailable e) {
            return new Sending(batch, e.getMessage());
        } finally {
            metrics.phase("prepare", System.nanoTime() - start);
        }
    }

    /** Hands the writes to Elasticsearch without waiting for the answers (only for a free request slot). */
    public void send(Sending sending) {
        long start = System.nanoTime();
        sending.pending = sending.writes.isEmpty() ? List::of
                : writer.send(sending.writes.stream().map(BatchItem.Write::action).toList());
        metrics.phase("send", System.nanoTime() - start);
    }

    /** Waits for the sent writes' answers, classifies them and publishes the dead letters. */
    public Attempt finish(Sending sending) {
        if (!sending.isSent()) {
            throw new IllegalStateException("a batch is finished only after it was sent");
        }
        if (sending.unavailable != null) {
            return new Attempt(false, sending.unavailable);
        }
        Batch batch = sending.batch;
        long start = System.nanoTime();
        String problem = record(sending);
        metrics.phase("write", System.nanoTime() - start);
        start = System.nanoTime();
        String deadLetterProblem = publishDeadLetters(batch);
        metrics.phase("dead_letters", System.nanoTime() - start);
        if (deadLetterProblem != null) {
            problem = problem == null ? deadLetterProblem : problem + "; " + deadLetterProblem;
        }
        return new Attempt(batch.isFinished(), batch.isFinished() ? null : problem);
    }

    /**
     * New records become writes, all of them or none (when the schema registry cannot be reached now). Nothing is
     * looked up in Elasticsearch: everything a document needs is in its record.
     */
    private void prepare(Batch batch) throws Unavailable {
        List<BatchItem> fresh = batch.items().stream().filter(i -> i.state() == BatchItem.State.NEW).toList();
        if (fresh.isEmpty()) {
            return;
        }
        Map<BatchItem, EvidenceRecord> decoded = new LinkedHashMap<>();
        Map<BatchItem, List<IndexAction>> actions = new LinkedHashMap<>();
        for (BatchItem item : fresh) {
            try {
                switch (item.input()) {
                    // the evidence topic's records: history and violation documents alike (VIOLATIONS is no topic)
                    case EVIDENCE, VIOLATIONS -> decoded.put(item, decodeEvidence(item, false));
                    // the evidence-state topic's records: posture and misconfiguration documents alike
                    case POSTURE, MISCONFIGURATIONS -> actions.put(item, stateWrites(item.keyAsString(),
                            decodeEvidence(item, true)));
                    case AUDIT -> actions.put(item, List.of(audit.toAction(decodeAudit(item))));
                    case CHECKPOINTS -> actions.put(item, List.of(evidence.checkpoint(
                            decode(checkpointDeserializer, item, requireValue(item)))));
                    // a tombstone deletes the resource's finding: the scanner no longer reports it
                    case SCANNER_FINDINGS -> actions.put(item, List.of(scannerFindings.toAction(item.keyAsString(),
                            item.value() == null ? null : decode(scannerFindingDeserializer, item))));
                }
            } catch (DocumentException e) {
                item.dead(e.errorType(), e.getMessage());
            }
        }

        for (Map.Entry<BatchItem, EvidenceRecord> entry : decoded.entrySet()) {
            EvidenceRecord record = entry.getValue();
            List<IndexAction> writes = new ArrayList<>();
            if (indexHistory) {
                BatchItem item = entry.getKey();
                writes.add(evidence.history(record, item.topic(), item.partition(), item.offset()));
            }
            if (indexViolations) {
                writes.addAll(violations.toActions(record));
            }
            actions.put(entry.getKey(), writes);
        }

        // Current state: of several writes of one document in a batch, those before a tombstone of it need no writing
        // (it is deleted anyway; and since a batch's requests run concurrently, one could land after the delete), and
        // of the posture, whose chain sequence rises with the offset, only the last. Scanner reports are versioned by
        // their report time, which a late replay lowers: between those the versions decide, so all are written.
        Map<String, List<BatchItem>> stateWrites = new HashMap<>();
        for (BatchItem item : fresh) {
            if ((item.input() == Input.POSTURE || item.input() == Input.SCANNER_FINDINGS) && actions.containsKey(item)) {
                IndexAction action = actions.get(item).get(0);
                List<BatchItem> earlier = stateWrites.computeIfAbsent(action.index() + '/' + action.id(), d -> new ArrayList<>());
                boolean supersedes = item.input() == Input.POSTURE
                        || action instanceof IndexAction.Delete delete && delete.version() == null;
                if (supersedes) {
                    for (BatchItem superseded : earlier) {
                        actions.remove(superseded);
                        superseded.skip();
                    }
                    earlier.clear();
                }
                earlier.add(item);
            }
        }
        actions.forEach(BatchItem::prepared);
        for (BatchItem item : fresh) {
            metrics.records(item.input(), 1);
        }
    }

    /** An evidence-state record's writes: the posture document and its misconfiguration-finding copy, as chosen. */
    private List<IndexAction> stateWrites(String kafkaKey, EvidenceRecord state) {
        List<IndexAction> writes = new ArrayList<>(2);
        if (indexPosture) {
            writes.add(evidence.posture(kafkaKey, state));
        }
        if (indexMisconfigurations) {
            writes.add(evidence.misconfiguration(kafkaKey, state));
        }
        return writes;
    }

    private String record(Sending sending) {
        List<BatchItem.Write> pending = sending.writes;
        List<BatchItem> owners = sending.owners;
        if (pending.isEmpty()) {
            return null;
        }
        List<WriteResult> results = sending.pending.results();
        Map<WriteResult.Kind, Integer> counts = new java.util.EnumMap<>(WriteResult.Kind.class);
        String problem = null;
        for (int i = 0; i < pending.size(); i++) {
            WriteResult result = results.get(i);
            owners.get(i).record(pending.get(i), result);
            counts.merge(result.kind(), 1, Integer::sum);
            if (result.kind() == WriteResult.Kind.RETRY && problem == null) {
                problem = result.errorType() + ": " + result.reason();
            }
        }
        metrics.writes("written", counts.getOrDefault(WriteResult.Kind.WRITTEN, 0));
        metrics.writes("already_done", counts.getOrDefault(WriteResult.Kind.ALREADY_DONE, 0));
        metrics.writes("retry", counts.getOrDefault(WriteResult.Kind.RETRY, 0));
        metrics.writes("dead_letter", counts.getOrDefault(WriteResult.Kind.DEAD_LETTER, 0));
        return problem == null ? null : counts.getOrDefault(WriteResult.Kind.RETRY, 0) + " of " + pending.size()
                + " writes to retry, e.g. " + problem;
    }

    private String publishDeadLetters(Batch batch) {
        List<BatchItem> dead = batch.items().stream().filter(i -> i.state() == BatchItem.State.DEAD).toList();
        if (dead.isEmpty()) {
            return null;
        }
        List<DeadLetter> letters = new ArrayList<>();
        Instant now = clock.instant();
        for (BatchItem item : dead) {
            letters.add(DeadLetters.fromKafka(DEAD_LETTER_SOURCE, item.errorType(), item.reason(), item.topic(),
                    item.partition(), item.offset(), item.key(), item.value(), now));
        }
        try {
            deadLetters.publish(letters);
        } catch (RuntimeException e) {
            return "cannot write dead letters: " + e.getMessage();
        }
        for (BatchItem item : dead) {
            item.deadLettered();
            LOG.warn("dead-lettered {}-{}@{}: {} {}", item.topic(), item.partition(), item.offset(), item.errorType(),
                    item.reason());
        }
        return null;
    }

    private EvidenceRecord decodeEvidence(BatchItem item, boolean tombstoneAllowed) throws Unavailable {
        if (item.value() == null) {
            if (tombstoneAllowed) {
                return null;
            }
            throw new DocumentException("MISSING_VALUE", "an evidence record without a value");
        }
        return decode(evidenceDeserializer, item);
    }

    private AuditEvent decodeAudit(BatchItem item) throws Unavailable {
        requireValue(item);
        return decode(auditDeserializer, item);
    }

    private static byte[] requireValue(BatchItem item) {
        if (item.value() == null) {
            throw new DocumentException("MISSING_VALUE", "a record without a value on " + item.topic());
        }
        return item.value();
    }

    /** A registry that cannot answer now is passing; a payload that cannot be read never will be. */
    private static <T> T decode(Deserializer<T> deserializer, BatchItem item) throws Unavailable {
        return decode(deserializer, item, item.value());
    }

    private static <T> T decode(Deserializer<T> deserializer, BatchItem item, byte[] value) throws Unavailable {
        try {
            return deserializer.deserialize(item.topic(), value);
        } catch (SerializationException e) {
            if (e.getCause() instanceof SchemaRegistryException registry && isTransient(registry)) {
                throw new Unavailable("schema registry: " + registry.getMessage(), registry);
            }
            throw new DocumentException("DESERIALIZATION", e.getMessage());
        } catch (RuntimeException e) {
            throw new DocumentException("DESERIALIZATION", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static boolean isTransient(SchemaRegistryException e) {
        int status = e.httpStatus();
        return status == -1 || status >= 500 || status == 401 || status == 403 || status == 429;
    }
}
