package dev.kubeproof.ingest.resources.state;

import java.util.Objects;
import java.util.function.Supplier;

import dev.kubeproof.avro.ResourceChange;

/**
 * What the resource-changes topic last said about one key: its resourceVersion, and the record itself, decoded
 * only when needed (to publish the delete of an object that vanished while the collector was down).
 *
 * @param resourceVersion the resourceVersion of the last record, may be null
 * @param lastRecord      supplies the last record
 */
public record KnownObject(String resourceVersion, Supplier<ResourceChange> lastRecord) {
    public KnownObject {
        Objects.requireNonNull(lastRecord, "lastRecord");
    }

    /** A known object whose record is already decoded. */
    public static KnownObject of(ResourceChange record) {
        return new KnownObject(record.getResourceVersion(), () -> record);
    }
}
