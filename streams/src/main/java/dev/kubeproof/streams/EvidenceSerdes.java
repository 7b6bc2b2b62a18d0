package dev.kubeproof.streams;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;

import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.CustomControl;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroSerdes;
import dev.kubeproof.streams.config.SchemaIdCache;

/**
 * The value serdes of the evidence topology, passed explicitly (keys are UTF-8 strings). They register schemas
 * automatically because the topology's own changelog and repartition subjects are named by Kafka Streams.
 */
public record EvidenceSerdes(Serde<ResourceChange> resourceChange, Serde<ImageScan> imageScan,
                             Serde<EvidenceRecord> evidence, Serde<DeadLetter> deadLetter,
                             Serde<ControlException> controlException, Serde<Attestation> attestation,
                             Serde<AuditEvent> auditEvent, Serde<Checkpoint> checkpoint,
                             Serde<CustomControl> customControl) {
    public EvidenceSerdes {
        Objects.requireNonNull(auditEvent, "auditEvent");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(customControl, "customControl");
        Objects.requireNonNull(attestation, "attestation");
        Objects.requireNonNull(controlException, "controlException");
        Objects.requireNonNull(resourceChange, "resourceChange");
        Objects.requireNonNull(imageScan, "imageScan");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(deadLetter, "deadLetter");
    }

    /** Confluent-wire-format Avro serdes on the given registry (with {@link SchemaIdCache} in front of it). */
    public static EvidenceSerdes avro(SchemaRegistryClient client) {
        SchemaRegistryClient registry = SchemaIdCache.wrap(client);
        return new EvidenceSerdes(AvroSerdes.value(ResourceChange.class, registry),
                AvroSerdes.value(ImageScan.class, registry),
                AvroSerdes.unchangingValue(EvidenceRecord.class, registry),
                AvroSerdes.value(DeadLetter.class, registry),
                AvroSerdes.value(ControlException.class, registry),
                AvroSerdes.value(Attestation.class, registry),
                AvroSerdes.value(AuditEvent.class, registry),
                AvroSerdes.value(Checkpoint.class, registry),
                AvroSerdes.value(CustomControl.class, registry));
    }
}
