package dev.kubeproof.sink.documents;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.siem.EcsViolationFormatter;
import dev.kubeproof.siem.Transitions;
import dev.kubeproof.siem.ViolationFormatter;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * Violation documents, made straight from the evidence records the sink reads anyway, with the same formatter (and
 * catalog) as the violations topic: nothing is written to be parsed back. A transition into or out of FAIL becomes
 * one document under its evidence id, so that a replay never duplicates: ECS documents go to the violations data
 * stream; OCSF Compliance Findings to the OCSF one, with an {@code @timestamp} from their {@code time}.
 */
public final class ViolationDocuments {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final IndexNames names;
    private final ViolationFormatter formatter;

    public ViolationDocuments(IndexNames names, ViolationFormatter formatter) {
        this.names = names;
        this.formatter = formatter;
    }

    /** The violation document of {@code record}, when it is a transition into or out of FAIL. */
    public Optional<IndexAction> toAction(EvidenceRecord record) {
        if (!Transitions.isViolationTransition(record)) {
            return Optional.empty();
        }
        String json = formatter.format(record);
        if (EcsViolationFormatter.NAME.equals(formatter.name())) {
            return Optional.of(new IndexAction.Create(names.violations(), record.getEvidenceId(),
                    json.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            ObjectNode doc = (ObjectNode) MAPPER.readTree(json);
            doc.put("@timestamp", Transitions.iso(record.getSince()));
            return Optional.of(IndexAction.Create.of(names.ocsfViolations(), record.getEvidenceId(), doc.toString()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the " + formatter.name() + " formatter wrote invalid JSON", e);
        }
    }
}
