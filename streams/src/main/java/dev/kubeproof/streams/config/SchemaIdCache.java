package dev.kubeproof.streams.config;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;

import dev.kubeproof.contract.registry.SchemaRegistryClient;

/**
 * Remembers schema ids per (subject, schema) without rendering the schema as text on every call: the record
 * classes hand the serializer the same {@link Schema} instance each time, whose hash Avro caches, so a lookup
 * costs a hash probe instead of a JSON rendering of the whole schema per record. Everything else is delegated.
 */
public final class SchemaIdCache implements SchemaRegistryClient {
    private final SchemaRegistryClient delegate;
    private final Map<Key, Integer> registered = new ConcurrentHashMap<>();
    private final Map<Key, Integer> looked = new ConcurrentHashMap<>();

    private SchemaIdCache(SchemaRegistryClient delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The client with the cache in front, unless it already has one. */
    public static SchemaRegistryClient wrap(SchemaRegistryClient client) {
        return client instanceof SchemaIdCache ? client : new SchemaIdCache(client);
    }

    @Override
    public int register(String subject, Schema schema) {
        return registered.computeIfAbsent(new Key(subject, schema), key -> delegate.register(subject, schema));
    }

    @Override
    public int lookup(String subject, Schema schema) {
        return looked.computeIfAbsent(new Key(subject, schema), key -> delegate.lookup(subject, schema));
    }

    @Override
    public Schema schemaById(int id) {
        return delegate.schemaById(id);
    }

    @Override
    public void setCompatibility(String subject, String level) {
        delegate.setCompatibility(subject, level);
    }

    private record Key(String subject, Schema schema) {
    }
}
