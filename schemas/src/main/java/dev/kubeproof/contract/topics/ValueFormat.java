package dev.kubeproof.contract.topics;

/** How a topic's values are encoded. Keys are always UTF-8 strings. */
public enum ValueFormat {
    /** Avro in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary), schema in the registry. */
    AVRO,
    /** UTF-8 JSON documents (the SIEM-facing violations topic: ECS or OCSF). */
    JSON
}
