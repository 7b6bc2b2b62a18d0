package dev.kubeproof.streams.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.avro.Schema;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.IncompatibleSchemaException;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.retry.Retry;
import dev.kubeproof.contract.retry.RetryPolicy;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.streams.EvidenceTopology;

/**
 * Every registry subject the evidence application writes: its output topics and its own repartition and
 * changelog topics. Registering them once at start-up keeps the registry off the processing path: a registry
 * refusal stops start-up with a clear message instead of failing records mid-flight, and instances starting
 * together do not race to create the same subject while processing.
 */
public final class SchemaSubjects {
    private static final Retry RACE_RETRY = Retry.of(new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(2)));

    private SchemaSubjects() {
    }

    /** Subject to schema, for an application id and topics. */
    public static Map<String, Schema> of(String applicationId, TopicCatalog topics) {
        Map<String, Schema> subjects = new LinkedHashMap<>();
        subjects.put(topics.evidence().valueSubject(), EvidenceRecord.getClassSchema());
        subjects.put(topics.evidenceState().valueSubject(), EvidenceRecord.getClassSchema());
        subjects.put(topics.deadLetters().valueSubject(), DeadLetter.getClassSchema());
        subjects.put(topics.checkpoints().valueSubject(), Checkpoint.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.REPARTITION_CHANGES, "repartition"),
                ResourceChange.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.REPARTITION_SCANS, "repartition"),
                ImageScan.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.INVENTORY_STORE, "changelog"),
                ResourceChange.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.SCAN_STORE, "changelog"), ImageScan.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.EVIDENCE_STORE, "changelog"),
                EvidenceRecord.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.REPARTITION_EXCEPTIONS, "repartition"),
                ControlException.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.EXCEPTION_STORE, "changelog"),
                ControlException.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.REPARTITION_ATTESTATIONS, "repartition"),
                Attestation.getClassSchema());
        subjects.put(internal(applicationId, EvidenceTopology.ATTESTATION_STORE, "changelog"),
                Attestation.getClassSchema());
        return subjects;
    }

    /**
     * Registers every subject. A 409 can be another instance creating the same subject at the same moment
     * (Apicurio answers so), so it is retried; a real incompatibility stays a 409 and fails start-up.
     */
    public static void register(SchemaRegistryClient registry, Map<String, Schema> subjects) {
        subjects.forEach((subject, schema) -> {
            try {
                RACE_RETRY.run("registering " + schema.getFullName() + " under " + subject,
                        () -> registry.register(subject, schema),
                        failure -> failure instanceof IncompatibleSchemaException);
            } catch (IncompatibleSchemaException e) {
                throw new IllegalStateException("the schema registry refuses " + schema.getFullName()
                        + " under subject " + subject + ": " + e.getMessage(), e);
            }
        });
    }

    private static String internal(String applicationId, String name, String suffix) {
        return applicationId + "-" + name + "-" + suffix + "-value";
    }

}
