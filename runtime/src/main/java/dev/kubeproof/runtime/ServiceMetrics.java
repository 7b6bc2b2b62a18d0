package dev.kubeproof.runtime;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The one Prometheus registry of a kubeproof process, which {@link HealthServer} serves on {@code /metrics}: the
 * JVM's and the process's meters, tagged with the service's name; the services add their Kafka client binders
 * ({@code KafkaClientMetrics}, {@code KafkaStreamsMetrics}) and their own counters.
 */
public final class ServiceMetrics {
    private ServiceMetrics() {
    }

    /** A registry with JVM, GC, thread, processor and uptime meters, every meter tagged {@code service=NAME}. */
    @SuppressWarnings("resource") // the GC binder lives as long as the process
    public static PrometheusMeterRegistry registry(String service) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }
}
