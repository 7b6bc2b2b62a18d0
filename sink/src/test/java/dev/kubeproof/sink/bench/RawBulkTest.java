package dev.kubeproof.sink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kubeproof.sink.documents.IndexAction;

/** Raw {@code _bulk} sends the sink's writes as the sink's client would: creates, and versioned upserts and deletes. */
class RawBulkTest {

    @Test
    void shouldRenderEachKindOfWriteWithItsExternalVersion() {
        // Given a create, a versioned upsert, a versioned delete and a tombstone's unversioned delete
        List<IndexAction> writes = List.of(
                new IndexAction.Create("evidence", "e1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                new IndexAction.Upsert("posture", "k1", 7, "{\"b\":2}".getBytes(StandardCharsets.UTF_8)),
                new IndexAction.Delete("posture", "k2", 3L),
                new IndexAction.Delete("findings", "k3", null));

        // When rendered as a _bulk body
        String body = new String(RawBulk.body(writes), StandardCharsets.UTF_8);

        // Then every write is one action line (and a document line for creates and upserts), in order
        assertThat(body).isEqualTo("""
                {"create":{"_index":"evidence","_id":"e1"}}
                {"a":1}
                {"index":{"_index":"posture","_id":"k1","version":7,"version_type":"external_gte"}}
                {"b":2}
                {"delete":{"_index":"posture","_id":"k2","version":3,"version_type":"external_gte"}}
                {"delete":{"_index":"findings","_id":"k3"}}
                """);
    }
}
