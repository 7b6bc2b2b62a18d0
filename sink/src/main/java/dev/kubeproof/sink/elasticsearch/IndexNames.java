package dev.kubeproof.sink.elasticsearch;

import dev.kubeproof.sink.config.ElasticsearchConfig;

/**
 * The names of everything the sink writes. Data streams and templates use exact names, never wildcards, so
 * that installations with different prefixes (and tests) never match each other's templates.
 *
 * @param evidence       data stream: every evidence transition, append-only
 * @param posture        index: the current evidence per (cluster, control, resource)
 * @param violations     data stream: violation documents in ECS
 * @param ocsfViolations data stream: violation documents in OCSF (when the violations topic carries OCSF)
 * @param audit          data stream: Kubernetes audit events in ECS / Elastic integration field names
 * @param prefix         the common prefix, also of component template names
 */
public record IndexNames(String evidence, String posture, String violations, String ocsfViolations, String audit,
                         String prefix) {

    public static IndexNames of(ElasticsearchConfig config) {
        String prefix = config.indexPrefix();
        return new IndexNames(prefix + "-evidence", prefix + "-posture", prefix + "-violations",
                prefix + "-violations-ocsf", config.auditDataStream(), prefix);
    }
}
