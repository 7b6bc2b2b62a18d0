package dev.kubeproof.sink.documents;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.contract.evidence.CanonicalEncoding;
import dev.kubeproof.contract.evidence.Violations;
import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.EcsViolationFormatter;
import dev.kubeproof.siem.Transitions;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * Evidence as Elasticsearch documents, in the ECS shape of the SIEM output (one mapping serves history, posture
 * and violations): history documents are created with the evidence id as document id; posture documents are
 * keyed by the evidence key and versioned by the hash chain's sequence.
 */
public final class EvidenceDocuments {
    public static final String EVIDENCE_DATASET = "kubeproof.evidence";
    public static final String POSTURE_DATASET = "kubeproof.posture";
    /** {@code kubeproof.canonical} of a history document: the record's canonical encoding, which its chain hash covers. */
    public static final String CANONICAL_FIELD = "canonical";
    /** {@code kubeproof.kafka.topic/partition/offset} of a history document: the record's place in the evidence topic. */
    public static final String KAFKA_FIELD = "kafka";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IndexNames names;
    private final EcsViolationFormatter history;
    private final EcsViolationFormatter posture;
    private final MisconfigurationDocuments misconfigurations;

    public EvidenceDocuments(IndexNames names, ControlCatalog catalog) {
        this(names, catalog, Clock.systemUTC());
    }

    /** @param clock stamps the misconfiguration documents ({@code @timestamp}: when the sink confirmed them) */
    public EvidenceDocuments(IndexNames names, ControlCatalog catalog, Clock clock) {
        this.names = names;
        this.misconfigurations = new MisconfigurationDocuments(names, catalog, clock);
        this.history = new EcsViolationFormatter(catalog, EVIDENCE_DATASET, EcsViolationFormatter.DEFAULT_RULE_REFERENCE_BASE);
        this.posture = new EcsViolationFormatter(catalog, POSTURE_DATASET, EcsViolationFormatter.DEFAULT_RULE_REFERENCE_BASE);
    }

    /**
     * The history document; a remediation also gets {@code event.start/end/duration} and
     * {@code kubeproof.time_to_remediate_seconds}, from the failure's start that the topology puts in the record
     * ({@code openViolationSince}: across FAIL, ERROR, PASS the failure began at the FAIL), so the sink never reads
     * Elasticsearch back.
     */
    public IndexAction history(EvidenceRecord record, String topic, int partition, long offset) {
        ObjectNode doc = history.toJson(record);
        Instant failingSince = Violations.startBefore(record);
        if (Transitions.isRemediation(record) && failingSince != null && !failingSince.isAfter(record.getSince())) {
            Duration failing = Duration.between(failingSince, record.getSince());
            ObjectNode event = (ObjectNode) doc.get("event");
            event.put("start", Transitions.iso(failingSince));
            event.put("end", Transitions.iso(record.getSince()));
            event.put("duration", failing.toNanos());
            ((ObjectNode) doc.get("kubeproof")).put("time_to_remediate_seconds", failing.toSeconds());
        }
        // The bytes the chain hashed, kept (not indexed) so that a report or `evidence verify` re-checks every hash
        // from Elasticsearch alone, and takes its facts from what was hashed rather than from the ECS rendering.
        ((ObjectNode) doc.get("kubeproof")).put(CANONICAL_FIELD, new String(CanonicalEncoding.of(record), StandardCharsets.UTF_8));
        // Where the record sits in the evidence topic: a checkpoint covers every record through an offset, and a
        // report recomputes its root from the documents at or before it.
        ((ObjectNode) doc.get("kubeproof")).putObject(KAFKA_FIELD).put("topic", topic).put("partition", partition)
                .put("offset", offset);
        return IndexAction.Create.of(names.evidence(), record.getEvidenceId(), doc);
    }

    /** A checkpoint of the evidence chains' heads, created once under its id (which is the hash of its content). */
    public IndexAction checkpoint(Checkpoint checkpoint) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", Transitions.iso(checkpoint.getCreatedAt()));
        ObjectNode fields = doc.putObject("kubeproof").putObject("checkpoint");
        fields.put("id", checkpoint.getCheckpointId());
        fields.put("topic", checkpoint.getTopic());
        fields.put("partition", checkpoint.getPartition());
        fields.put("through_offset", checkpoint.getThroughOffset());
        fields.put("heads", checkpoint.getHeads());
        fields.put("merkle_root", checkpoint.getMerkleRoot());
        fields.put("created_at", Transitions.iso(checkpoint.getCreatedAt()));
        fields.put("previous_id", checkpoint.getPreviousCheckpointId());
        fields.put("signature_algorithm", checkpoint.getSignatureAlgorithm());
        fields.put("signature", checkpoint.getSignature());
        return IndexAction.Create.of(names.checkpoints(), checkpoint.getCheckpointId(), doc);
    }

    /**
     * The posture's copy in the shape of Elastic's misconfiguration findings for one evidence-state record (see
     * {@link MisconfigurationDocuments}): written beside {@link #posture} unless the sink's inputs leave it out.
     */
    public IndexAction misconfiguration(String kafkaKey, EvidenceRecord state) {
        return misconfigurations.toAction(kafkaKey, state);
    }

    /**
     * The posture write for one evidence-state record: upsert of the current state, delete when CLOSED, delete
     * for a tombstone ({@code state} null). The document id is the Kafka key, which a tombstone also has.
     */
    public IndexAction posture(String kafkaKey, EvidenceRecord state) {
        return IndexAction.currentState(names.posture(), kafkaKey, state, s -> s.getStatus() != EvidenceStatus.CLOSED,
                posture::toJson);
    }
}
