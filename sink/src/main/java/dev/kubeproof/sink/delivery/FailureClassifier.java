package dev.kubeproof.sink.delivery;

import java.util.Set;

import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;

/**
 * Classifies each bulk item by what the sink must do: a version conflict means a replay of work already done;
 * overload and unavailability are retried; a document Elasticsearch cannot map or parse is dead-lettered, since
 * retrying it can never succeed. Authentication and authorization failures are retried too (with a loud log):
 * they are a problem of the deployment, not of the document, and dead-lettering every document would lose the
 * index for a configuration mistake.
 */
public final class FailureClassifier {
    /** Errors of the document itself: permanent. */
    static final Set<String> DOCUMENT_ERRORS = Set.of("mapper_parsing_exception", "document_parsing_exception",
            "strict_dynamic_mapping_exception", "parsing_exception", "x_content_parse_exception", "json_parse_exception",
            "mapper_exception", "illegal_argument_exception", "document_source_missing_exception",
            "content_too_long_exception", "invalid_type_name_exception", "timestamp_error");
    /** Errors of the cluster's state: temporary. */
    static final Set<String> TRANSIENT_ERRORS = Set.of("es_rejected_execution_exception", "unavailable_shards_exception",
            "circuit_breaking_exception", "node_not_connected_exception", "no_shard_available_action_exception",
            "cluster_block_exception", "process_cluster_event_timeout_exception", "node_closed_exception",
            "primary_missing_action_exception", "connect_transport_exception", "receive_timeout_transport_exception",
            "index_not_found_exception", "security_exception");

    private FailureClassifier() {
    }

    public static WriteResult classify(BulkResponseItem item) {
        return classify(item.operationType(), item.status(), item.error());
    }

    static WriteResult classify(OperationType operation, int status, ErrorCause error) {
        String type = error == null ? null : error.type();
        String reason = error == null ? "HTTP " + status : describe(error);
        if (status >= 200 && status < 300 && error == null) {
            return WriteResult.written();
        }
        if (status == 409 || "version_conflict_engine_exception".equals(type)) {
            return WriteResult.alreadyDone("version_conflict_engine_exception");
        }
        if (operation == OperationType.Delete && status == 404 && error == null) {
            return WriteResult.alreadyDone("not_found");
        }
        if (status == 429 || status == 502 || status == 503 || status == 504 || status == 401 || status == 403
                || (type != null && TRANSIENT_ERRORS.contains(type)) || status >= 500) {
            return WriteResult.retry(type == null ? "HTTP_" + status : type, reason);
        }
        if (type != null && DOCUMENT_ERRORS.contains(type) || status == 400) {
            return WriteResult.deadLetter("MAPPING", reason);
        }
        // Any other refusal of this one document (4xx) is about the document: keep it with the reason.
        return WriteResult.deadLetter("REJECTED", reason);
    }

    /** A request that got no per-item answer at all (connection refused, timeout, 5xx for the whole bulk). */
    public static WriteResult classify(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return WriteResult.retry("UNAVAILABLE", cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    private static String describe(ErrorCause error) {
        StringBuilder text = new StringBuilder(error.type()).append(": ").append(error.reason());
        ErrorCause cause = error.causedBy();
        int depth = 0;
        while (cause != null && depth++ < 3) {
            text.append(" (caused by ").append(cause.type()).append(": ").append(cause.reason()).append(')');
            cause = cause.causedBy();
        }
        return text.toString();
    }
}
