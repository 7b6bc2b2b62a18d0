package dev.kubeproof.contract.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API kubeproof uses. Implementations cache: registering
 * the same schema twice, or resolving the same id twice, asks the server once.
 */
public interface SchemaRegistryClient {

    /** Registers (or finds) the schema under the subject and returns its id; {@link IncompatibleSchemaException} if refused. */
    int register(String subject, Schema schema);

    /** The id of a schema already registered under the subject, without registering it. */
    int lookup(String subject, Schema schema);

    /** The schema with this id; {@link SchemaRegistryException} with status 404 if unknown. */
    Schema schemaById(int id);

    /** Sets the subject's compatibility level, e.g. BACKWARD. */
    void setCompatibility(String subject, String level);
}
