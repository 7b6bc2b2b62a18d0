package dev.kubeproof.contract.evidence;

import java.time.Instant;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;

/**
 * The violation lifecycle of a key, read from one record: a violation opens with FAIL, stays open through further
 * FAILs and through ERROR (an evaluation error says nothing about whether the failure was fixed), and ends with
 * PASS, NOT_APPLICABLE, EXEMPT or CLOSED. The record carries whether a violation was open before it
 * ({@code openViolationSince}), so every consumer (violation feeds, SIEM formats, time to remediate) decides the same
 * way without reading history. Records written before that field existed fall back to {@code previousStatus}.
 */
public final class Violations {
    private Violations() {
    }

    /** True when a violation was open before this transition. */
    public static boolean openBefore(EvidenceRecord record) {
        return record.getOpenViolationSince() != null || record.getPreviousStatus() == EvidenceStatus.FAIL;
    }

    /** True when a violation is open after this transition. */
    public static boolean openAfter(EvidenceRecord record) {
        return record.getStatus() == EvidenceStatus.FAIL
                || record.getStatus() == EvidenceStatus.ERROR && openBefore(record);
    }

    /** True for a transition that opens, continues or ends a violation: what a violations feed carries. */
    public static boolean concernsViolation(EvidenceRecord record) {
        return openBefore(record) || openAfter(record);
    }

    /** True when this transition opens a violation (a SIEM creates a finding). */
    public static boolean opens(EvidenceRecord record) {
        return openAfter(record) && !openBefore(record);
    }

    /** True when this transition ends a violation (a SIEM closes the finding). */
    public static boolean closes(EvidenceRecord record) {
        return openBefore(record) && !openAfter(record);
    }

    /** When the violation open before this record began, or null when none was. */
    public static Instant startBefore(EvidenceRecord record) {
        if (record.getOpenViolationSince() != null) {
            return record.getOpenViolationSince();
        }
        return record.getPreviousStatus() == EvidenceStatus.FAIL ? record.getPreviousSince() : null;
    }

    /** When the violation open after {@code record} began (its own since when it opens one), or null when none is. */
    public static Instant startAfter(EvidenceRecord record) {
        if (!openAfter(record)) {
            return null;
        }
        Instant before = startBefore(record);
        return before != null ? before : record.getSince();
    }
}
