package dev.kubeproof.report.analysis;

import dev.kubeproof.report.model.ChainCheck;
import dev.kubeproof.report.model.KeyTimeline;

/**
 * Receives what the analysis finds while it reads, so that the files with one line per record, violation or key
 * are written as they come and never held in memory.
 */
public interface PeriodListener {

    /** A key's evidence and its chain check, in key order. */
    default void key(KeyTimeline timeline, ChainCheck chain, KeyOutcome outcome) {
    }

    default void violation(ViolationInterval violation) {
    }

    default void exemption(ExemptionInterval exemption) {
    }

    /**
     * What the period came to for one key.
     *
     * @param statusAtEnd the status at the period's end; null when the resource no longer existed
     * @param passMillis  time in PASS during the period
     * @param failMillis  time in FAIL or ERROR during the period
     */
    record KeyOutcome(String statusAtEnd, long passMillis, long failMillis, long observedMillis, boolean failedInPeriod) {
    }
}
