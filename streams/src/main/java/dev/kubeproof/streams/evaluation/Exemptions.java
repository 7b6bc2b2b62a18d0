package dev.kubeproof.streams.evaluation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ExceptionRef;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.controls.exceptions.ExceptionRule;

/**
 * The control exceptions a partition knows and the evidence they exempt. Exceptions live in a store (restored with
 * the task) and, for the lookup on every FAIL, in memory too: there are tens or hundreds, not millions. An index
 * {@code exceptionId|evidenceKey} finds what an exception exempts when it expires, is revoked or changes scope,
 * without scanning the evidence.
 */
final class Exemptions {
    private final KeyValueStore<String, ControlException> store;
    private final KeyValueStore<String, String> index;
    /** The rules by id, in id order (so the exception applied to a FAIL covered by several is stable). */
    private final Map<String, ExceptionRule> rules = new TreeMap<>();

    Exemptions(KeyValueStore<String, ControlException> store, KeyValueStore<String, String> index) {
        this.store = store;
        this.index = index;
        try (KeyValueIterator<String, ControlException> all = store.all()) {
            all.forEachRemaining(entry -> rules.put(entry.key, ExceptionRule.of(entry.value)));
        }
    }

    /**
     * Records an exception's new state ({@code null}: deleted) and returns the rule before it, if any.
     *
     * @throws IllegalArgumentException when the record is not a valid exception (nothing is changed)
     */
    Optional<ExceptionRule> update(String exceptionId, ControlException value) {
        if (value != null) {
            ExceptionRule rule = ExceptionRule.of(value);
            if (!rule.exceptionId().equals(exceptionId)) {
                throw new IllegalArgumentException("exception record keyed " + exceptionId + " has exceptionId "
                        + rule.exceptionId());
            }
            store.put(exceptionId, value);
            return Optional.ofNullable(rules.put(exceptionId, rule));
        }
        store.delete(exceptionId);
        return Optional.ofNullable(rules.remove(exceptionId));
    }

    Optional<ExceptionRule> rule(String exceptionId) {
        return Optional.ofNullable(rules.get(exceptionId));
    }

    /** The exception in force at {@code now} that covers the control on the object, if any. */
    Optional<ExceptionRule> covering(String controlId, ResourceChange object, Instant now) {
        for (ExceptionRule rule : rules.values()) {
            if (rule.activeAt(now) && rule.covers(controlId, object.getClusterId(), object.getKind(),
                    object.getNamespace(), object.getName(), object.getLabels())) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /** Keeps the index in step with a key's new head record. */
    void recorded(String evidenceKey, EvidenceRecord previous, EvidenceRecord next) {
        String before = exemptedBy(previous);
        String after = exemptedBy(next);
        if (before != null && !before.equals(after)) {
            index.delete(indexKey(before, evidenceKey));
        }
        if (after != null) {
            index.put(indexKey(after, evidenceKey), evidenceKey);
        }
    }

    /** The evidence keys the exception exempts now. */
    Set<String> exemptedBy(String exceptionId) {
        Set<String> keys = new LinkedHashSet<>();
        try (KeyValueIterator<String, String> entries = index.prefixScan(exceptionId + "|", new StringSerializer())) {
            entries.forEachRemaining(entry -> keys.add(entry.value));
        }
        return keys;
    }

    /** Exceptions no longer in force at {@code now} that still exempt something (expired since the last look). */
    List<ExceptionRule> lapsedWithExemptions(Instant now) {
        List<ExceptionRule> lapsed = new ArrayList<>();
        for (ExceptionRule rule : rules.values()) {
            if (!rule.activeAt(now) && !exemptedBy(rule.exceptionId()).isEmpty()) {
                lapsed.add(rule);
            }
        }
        return lapsed;
    }

    /**
     * Keys of FAIL evidence of the rule's controls that it may cover, from the partition's evidence: a prefix scan
     * per control when the rule names a cluster, else every key (exception changes are rare; a partition's
     * evidence is scanned once per change).
     */
    static Set<String> failingUnder(ExceptionRule rule, KeyValueStore<String, EvidenceRecord> evidence) {
        Set<String> keys = new LinkedHashSet<>();
        if (rule.clusterId() != null) {
            for (String control : rule.controlIds()) {
                try (KeyValueIterator<String, EvidenceRecord> entries = evidence.prefixScan(
                        rule.clusterId() + "/" + control + "/", new StringSerializer())) {
                    collectFailing(entries, rule, keys);
                }
            }
        } else {
            try (KeyValueIterator<String, EvidenceRecord> entries = evidence.all()) {
                collectFailing(entries, rule, keys);
            }
        }
        return keys;
    }

    private static void collectFailing(KeyValueIterator<String, EvidenceRecord> entries, ExceptionRule rule,
                                       Set<String> keys) {
        while (entries.hasNext()) {
            KeyValue<String, EvidenceRecord> entry = entries.next();
            if (entry.value.getStatus() == EvidenceStatus.FAIL && rule.controlIds().contains(entry.value.getControlId())) {
                keys.add(entry.key);
            }
        }
    }

    /** The exception reference a record carries. */
    static ExceptionRef reference(ExceptionRule rule) {
        return ExceptionRef.newBuilder()
                .setExceptionId(rule.exceptionId())
                .setApprovedBy(rule.approvedBy())
                .setExpiresAt(rule.expiresAt())
                .setReason(rule.reason())
                .setTicket(rule.ticket())
                .build();
    }

    private static String exemptedBy(EvidenceRecord record) {
        return record != null && record.getStatus() == EvidenceStatus.EXEMPT && record.getException() != null
                ? record.getException().getExceptionId() : null;
    }

    private static String indexKey(String exceptionId, String evidenceKey) {
        return exceptionId + "|" + evidenceKey;
    }
}
