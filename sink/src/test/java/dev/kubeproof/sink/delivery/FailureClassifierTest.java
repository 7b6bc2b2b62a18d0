package dev.kubeproof.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;

import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;

import org.junit.jupiter.api.Test;

class FailureClassifierTest {

    private static ErrorCause error(String type, String reason) {
        return ErrorCause.of(e -> e.type(type).reason(reason));
    }

    @Test
    void shouldCountSuccessAndReplaysAsDone() {
        assertThat(FailureClassifier.classify(OperationType.Create, 201, null).kind()).isEqualTo(WriteResult.Kind.WRITTEN);
        assertThat(FailureClassifier.classify(OperationType.Index, 200, null).kind()).isEqualTo(WriteResult.Kind.WRITTEN);
        // a replayed create of the same id, or a stale versioned upsert
        assertThat(FailureClassifier.classify(OperationType.Create, 409,
                error("version_conflict_engine_exception", "[e1]: version conflict, document already exists")).kind())
                .isEqualTo(WriteResult.Kind.ALREADY_DONE);
        // a delete of a document that is not there
        assertThat(FailureClassifier.classify(OperationType.Delete, 404, null).kind()).isEqualTo(WriteResult.Kind.ALREADY_DONE);
    }

    @Test
    void shouldRetryOverloadUnavailabilityAndAuthenticationProblems() {
        assertThat(FailureClassifier.classify(OperationType.Create, 429,
                error("es_rejected_execution_exception", "rejected execution")).kind()).isEqualTo(WriteResult.Kind.RETRY);
        assertThat(FailureClassifier.classify(OperationType.Create, 503,
                error("unavailable_shards_exception", "primary shard is not active")).kind()).isEqualTo(WriteResult.Kind.RETRY);
        assertThat(FailureClassifier.classify(OperationType.Index, 500, error("some_bug", "boom")).kind())
                .isEqualTo(WriteResult.Kind.RETRY);
        assertThat(FailureClassifier.classify(OperationType.Index, 403, error("security_exception", "unauthorized")).kind())
                .isEqualTo(WriteResult.Kind.RETRY);
        assertThat(FailureClassifier.classify(OperationType.Index, 404, error("index_not_found_exception", "no such index")).kind())
                .isEqualTo(WriteResult.Kind.RETRY);
        WriteResult refused = FailureClassifier.classify(new ConnectException("Connection refused"));
        assertThat(refused.kind()).isEqualTo(WriteResult.Kind.RETRY);
        assertThat(refused.reason()).contains("Connection refused");
    }

    @Test
    void shouldDeadLetterMappingAndParseErrorsWithTheReason() {
        WriteResult strict = FailureClassifier.classify(OperationType.Create, 400, error("strict_dynamic_mapping_exception",
                "mapping set to strict, dynamic introduction of [zzz] within [_doc] is not allowed"));
        assertThat(strict.kind()).isEqualTo(WriteResult.Kind.DEAD_LETTER);
        assertThat(strict.errorType()).isEqualTo("MAPPING");
        assertThat(strict.reason()).contains("strict_dynamic_mapping_exception").contains("[zzz]");

        ErrorCause parse = ErrorCause.of(e -> e.type("document_parsing_exception").reason("failed to parse field [event.severity]")
                .causedBy(c -> c.type("illegal_argument_exception").reason("For input string: \"very\"")));
        WriteResult parsed = FailureClassifier.classify(OperationType.Create, 400, parse);
        assertThat(parsed.kind()).isEqualTo(WriteResult.Kind.DEAD_LETTER);
        assertThat(parsed.reason()).contains("event.severity").contains("caused by illegal_argument_exception");

        assertThat(FailureClassifier.classify(OperationType.Create, 413, error("content_too_long_exception", "too long")).kind())
                .isEqualTo(WriteResult.Kind.DEAD_LETTER);
    }
}
