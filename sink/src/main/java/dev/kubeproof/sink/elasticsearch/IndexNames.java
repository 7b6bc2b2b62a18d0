package dev.kubeproof.sink.elasticsearch;

import dev.kubeproof.sink.config.ElasticsearchConfig;

/**
 * The names of everything the sink writes. Data streams and templates use exact names, never wildcards, so
 * that installations with different prefixes (and tests) never match each other's templates.
 *
 * @param evidence          data stream: every evidence transition, append-only
 * @param posture           index: the current evidence per (cluster, control, resource)
 * @param violations        data stream {@code logs-<prefix>.violations-default}: violation documents in ECS, where
 *                          Elastic Security's default {@code logs-*} index pattern finds them
 * @param ocsfViolations    data stream: violation documents in OCSF (when the violations topic carries OCSF)
 * @param audit             data stream: Kubernetes audit events in ECS / Elastic integration field names
 * @param misconfigurations alias {@code security_solution-<prefix>.misconfiguration_latest}: the posture in the
 *                          shape Kibana's Findings → Misconfigurations view reads (third-party findings)
 * @param postureHistory    data stream: the posture per framework, recorded every hour
 * @param checkpoints       data stream: the signed checkpoints of the evidence chains' heads
 * @param prefix            the common prefix, also of component template names
 */
public record IndexNames(String evidence, String posture, String violations, String ocsfViolations, String audit,
                         String misconfigurations, String postureHistory, String checkpoints, String prefix) {

    /** {@code data_stream.namespace} of kubeproof's data streams. */
    public static final String NAMESPACE = "default";

    public static IndexNames of(ElasticsearchConfig config) {
        String prefix = config.indexPrefix();
        return new IndexNames(prefix + "-evidence", prefix + "-posture", "logs-" + violationsDataset(prefix) + "-" + NAMESPACE,
                prefix + "-violations-ocsf", config.auditDataStream(),
                "security_solution-" + prefix + ".misconfiguration_latest", prefix + "-posture-history",
                prefix + "-checkpoints", prefix);
    }

    /** {@code data_stream.dataset} (and {@code event.dataset}) of the violations data stream. */
    public static String violationsDataset(String prefix) {
        return prefix + ".violations";
    }

    /** Index: scanners' configuration checks per resource (Trivy misconfigurations), linked to kubeproof's controls. */
    public String scannerFindings() {
        return prefix + "-scanner-findings";
    }

    /** The index behind the {@link #misconfigurations()} alias (a new mapping version gets a new index). */
    public String misconfigurationsIndex() {
        return misconfigurations + "-v1";
    }
}
