package dev.kubeproof.sink.documents;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.evidence.EvidenceKey;

/**
 * One write to Elasticsearch, derived deterministically from one Kafka record, so that a replay produces the
 * very same writes: creates of append-only documents (a replayed create conflicts and is then known to be done),
 * externally versioned upserts of current state (an older replayed state conflicts), and deletes.
 */
public sealed interface IndexAction {

    /**
     * Writes a document's tree straight to UTF-8 bytes: {@code JsonNode.toString()} then {@code getBytes} rendered
     * every document to chars first, the sink's costliest step (see sink/README.md).
     */
    ObjectWriter DOCUMENT_WRITER = new ObjectMapper().writer();

    /**
     * The write of a current-state document (posture, misconfiguration finding) for one evidence-state record: an
     * upsert versioned by the chain's sequence while {@code indexed} holds, else a versioned delete; a tombstone
     * ({@code state} null) deletes. The document id is the Kafka key, which a tombstone also has.
     */
    static IndexAction currentState(String index, String kafkaKey, EvidenceRecord state,
                                    Predicate<EvidenceRecord> indexed, Function<EvidenceRecord, JsonNode> document) {
        if (state == null) {
            if (kafkaKey == null) {
                throw new DocumentException("MISSING_KEY", "a tombstone without a key names no document of " + index);
            }
            return new Delete(index, DocumentIds.of(kafkaKey), null);
        }
        String id = DocumentIds.of(kafkaKey != null ? kafkaKey : EvidenceKey.of(state));
        long sequence = state.getChain().getSequence();
        return indexed.test(state) ? Upsert.of(index, id, sequence, document.apply(state)) : new Delete(index, id, sequence);
    }

    String index();

    String id();

    BulkOperation toBulkOperation();

    /** Size estimate for logs and metrics. */
    int sizeInBytes();

    /** Append-only: {@code op_type=create} with a deterministic id; the only write data streams accept. */
    record Create(String index, String id, byte[] json) implements IndexAction {
        public Create {
            Objects.requireNonNull(index, "index");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(json, "json");
        }

        public static Create of(String index, String id, JsonNode document) {
            return new Create(index, id, utf8(document));
        }

        @Override
        public BulkOperation toBulkOperation() {
            return BulkOperation.of(b -> b.create(c -> c.index(index).id(id)
                    .document(BinaryData.of(json, ContentType.APPLICATION_JSON))));
        }

        @Override
        public int sizeInBytes() {
            return json.length;
        }
    }

    /**
     * The whole current document, written only if {@code version} (the hash chain's sequence) is at least the
     * stored one ({@code version_type=external_gte}): replays rewrite the same state, stale states conflict.
     */
    record Upsert(String index, String id, long version, byte[] json) implements IndexAction {
        public Upsert {
            Objects.requireNonNull(index, "index");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(json, "json");
        }

        public static Upsert of(String index, String id, long version, JsonNode document) {
            return new Upsert(index, id, version, utf8(document));
        }

        @Override
        public BulkOperation toBulkOperation() {
            return BulkOperation.of(b -> b.index(i -> i.index(index).id(id).version(version)
                    .versionType(VersionType.ExternalGte).document(BinaryData.of(json, ContentType.APPLICATION_JSON))));
        }

        @Override
        public int sizeInBytes() {
            return json.length;
        }
    }

    /**
     * Removes a document. With a version (a CLOSED state's sequence) only if that version is at least the stored
     * one; without (a tombstone, which carries no sequence) unconditionally. A missing document is already deleted.
     */
    record Delete(String index, String id, Long version) implements IndexAction {
        public Delete {
            Objects.requireNonNull(index, "index");
            Objects.requireNonNull(id, "id");
        }

        @Override
        public BulkOperation toBulkOperation() {
            return BulkOperation.of(b -> b.delete(d -> {
                d.index(index).id(id);
                if (version != null) {
                    d.version(version).versionType(VersionType.ExternalGte);
                }
                return d;
            }));
        }

        @Override
        public int sizeInBytes() {
            return id.length();
        }
    }

    private static byte[] utf8(JsonNode document) {
        try {
            return DOCUMENT_WRITER.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            // A tree of Jackson's own nodes always serializes; this would be a bug, not bad input.
            throw new IllegalStateException("cannot serialize a document tree", e);
        }
    }
}
