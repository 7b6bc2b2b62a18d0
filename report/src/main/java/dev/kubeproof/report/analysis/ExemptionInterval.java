package dev.kubeproof.report.analysis;

import java.time.Instant;

/** A time a control's failure on a resource counted as exempt during the period, and the exception behind it. */
public record ExemptionInterval(String controlId, String key, String clusterId, String resource, Instant since,
                                Instant until, String exceptionId, String approvedBy, Instant expiresAt, String reason,
                                String ticket) {
}
