package dev.kubeproof.ingest.resources;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The resource collector's own meters, next to the publish and dead-letter counters of ingest/common:
 * {@code kubeproof_ingest_resources_changes_total{kind,change_type}} (acknowledged by Kafka),
 * {@code kubeproof_ingest_resources_recovered_deletes_total{kind}} (objects found deleted at start-up),
 * {@code kubeproof_ingest_resources_leader} (1 while this replica leads) and
 * {@code kubeproof_ingest_resources_synced} (1 once the informers have listed everything).
 */
public final class ResourceMetrics {
    static final String CHANGES = "kubeproof.ingest.resources.changes";
    static final String RECOVERED_DELETES = "kubeproof.ingest.resources.recovered.deletes";

    private final MeterRegistry registry;
    private final AtomicInteger leader = new AtomicInteger();
    private final AtomicInteger synced = new AtomicInteger();

    public ResourceMetrics(MeterRegistry registry, String identity) {
        this.registry = registry;
        Gauge.builder("kubeproof.ingest.resources.leader", leader, AtomicInteger::get)
                .description("1 while this collector replica holds the lease and publishes")
                .tag("identity", identity).register(registry);
        Gauge.builder("kubeproof.ingest.resources.synced", synced, AtomicInteger::get)
                .description("1 once every informer has listed its kind and start-up deletes are published")
                .tag("identity", identity).register(registry);
    }

    public void changePublished(String kind, String changeType) {
        changes(kind, changeType).increment();
    }

    public double changeCount(String kind, String changeType) {
        return changes(kind, changeType).count();
    }

    public void recoveredDelete(String kind) {
        recoveredDeletes(kind).increment();
    }

    public double recoveredDeleteCount(String kind) {
        return recoveredDeletes(kind).count();
    }

    void leader(boolean leading) {
        leader.set(leading ? 1 : 0);
    }

    void synced(boolean isSynced) {
        synced.set(isSynced ? 1 : 0);
    }

    private Counter changes(String kind, String changeType) {
        return Counter.builder(CHANGES).description("Resource change records acknowledged by Kafka")
                .tag("kind", kind).tag("change_type", changeType).register(registry);
    }

    private Counter recoveredDeletes(String kind) {
        return Counter.builder(RECOVERED_DELETES)
                .description("Objects found deleted at start-up (deleted while no collector was watching)")
                .tag("kind", kind).register(registry);
    }
}
