package dev.kubeproof.ingest.audit;

import java.util.List;

import dev.kubeproof.avro.AuditEvent;

/**
 * The audit events published last, read once when a collector with file sources starts. The collector remembers
 * them as already published: after a kill between Kafka's acknowledgement and the position write, the tailer
 * re-reads that batch from the stale position, and its events are recognised instead of published twice.
 */
@FunctionalInterface
public interface RecentAuditEvents {

    /** The most recent events, oldest first; events that cannot be read are left out. */
    List<AuditEvent> read();

    /** For collectors that need no priming (tests, or a webhook-only setup). */
    static RecentAuditEvents none() {
        return List::of;
    }
}
