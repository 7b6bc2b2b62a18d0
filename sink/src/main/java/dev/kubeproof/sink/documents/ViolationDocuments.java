package dev.kubeproof.sink.documents;

import java.io.IOException;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.siem.OcsfComplianceFindingFormatter;
import dev.kubeproof.siem.Transitions;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * Violation documents from the violations topic, whichever format it carries: an ECS document (it has
 * {@code event.id}) goes as it is to the violations data stream; an OCSF Compliance Finding (class_uid 2003)
 * goes to the OCSF data stream with an {@code @timestamp} from its {@code time}. The document id is the evidence
 * id, so a replay never duplicates.
 */
public final class ViolationDocuments {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final IndexNames names;

    public ViolationDocuments(IndexNames names) {
        this.names = names;
    }

    /**
     * @throws DocumentException when the value is not JSON or neither format (dead-lettered with the reason)
     */
    public IndexAction toAction(byte[] value) {
        JsonNode doc;
        try {
            doc = MAPPER.readTree(value);
        } catch (IOException e) {
            throw new DocumentException("MALFORMED_JSON", "violation value is not JSON: " + e.getMessage());
        }
        if (doc == null || !doc.isObject()) {
            throw new DocumentException("MALFORMED_JSON", "violation value is not a JSON object");
        }
        if (doc.path("class_uid").asInt() == OcsfComplianceFindingFormatter.CLASS_UID) {
            String id = doc.at("/metadata/uid").asText("");
            if (id.isEmpty() || !doc.path("time").canConvertToLong()) {
                throw new DocumentException("MISSING_FIELD", "OCSF violation without metadata.uid or time");
            }
            ((ObjectNode) doc).put("@timestamp", Transitions.iso(Instant.ofEpochMilli(doc.path("time").asLong())));
            return IndexAction.Create.of(names.ocsfViolations(), id, doc.toString());
        }
        String id = doc.at("/event/id").asText("");
        if (id.isEmpty()) {
            throw new DocumentException("WRONG_KIND", "violation is neither ECS (event.id) nor OCSF (class_uid 2003)");
        }
        return new IndexAction.Create(names.violations(), id, value);
    }
}
