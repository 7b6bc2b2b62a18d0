package dev.kubeproof.report.source;

import java.io.IOException;
import java.util.Set;
import java.util.function.Consumer;

import dev.kubeproof.report.model.KeyTimeline;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;

/** Where a report reads evidence from: one key at a time, in key order, never the whole store at once. */
public interface EvidenceSource {

    /**
     * Hands every key of the given controls that had a status during the period to {@code consumer}, in key order:
     * its last record before the period (if any) and its records in the period.
     *
     * @param onProgress told the number of keys read so far, now and then
     */
    void read(Period period, Set<String> controlIds, ReportFilter filter, Consumer<KeyTimeline> consumer,
              Consumer<Long> onProgress) throws IOException;
}
