package dev.kubeproof.contract.serde;

import dev.kubeproof.contract.registry.SchemaRegistryClient;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Serdes for kubeproof's Avro records, built explicitly so that topologies and clients pass them by hand. */
public final class AvroSerdes {
    private AvroSerdes() {
    }

    /** A value serde that registers schemas automatically. */
    public static <T extends SpecificRecord> Serde<T> value(Class<T> type, SchemaRegistryClient registry) {
        return Serdes.serdeFrom(new AvroSerializer<>(registry, false, true), new AvroDeserializer<>(registry, type));
    }

    /**
     * {@link #value} for records never changed once written (evidence, which its hash chain seals): a record written
     * to several topics and stores in a row is encoded once ({@link AvroSerializer#reusingTheLastEncoding()}).
     */
    public static <T extends SpecificRecord> Serde<T> unchangingValue(Class<T> type, SchemaRegistryClient registry) {
        return Serdes.serdeFrom(new AvroSerializer<T>(registry, false, true).reusingTheLastEncoding(),
                new AvroDeserializer<>(registry, type));
    }
}
