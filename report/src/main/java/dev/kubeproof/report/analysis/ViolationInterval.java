package dev.kubeproof.report.analysis;

import java.time.Instant;

/**
 * One violation of a control on a resource that was open during the period: from the FAIL that opened it (which may
 * lie before the period) until the record that closed it (null: still open at the period's end).
 *
 * @param closedBy the status that closed it (PASS, NOT_APPLICABLE, EXEMPT, or CLOSED when the resource was deleted)
 */
public record ViolationInterval(String controlId, String severity, String key, String clusterId, String resource,
                                Instant since, Instant until, String closedBy, String actor, String message,
                                String remediation, String evidenceId) {
}
