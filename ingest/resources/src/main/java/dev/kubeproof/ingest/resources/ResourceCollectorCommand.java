package dev.kubeproof.ingest.resources;

import dev.kubeproof.runtime.CollectorCommand;
import dev.kubeproof.runtime.IngestRuntime;

import picocli.CommandLine.Command;

/**
 * {@code kubeproof ingest resources --config resources.yaml}: runs the resource collector until SIGTERM. The config
 * comes from the file, the {@code KUBEPROOF_*} environment variables and {@code --set}, as for every service.
 */
@Command(name = "resources", mixinStandardHelpOptions = true,
        description = {"Publishes Kubernetes resource changes (shared informers, Lease leader election) to Kafka.",
                "Serves /healthz, /readyz and /metrics."})
public final class ResourceCollectorCommand extends CollectorCommand<ResourceCollectorConfig> {

    @Override
    protected Class<ResourceCollectorConfig> configType() {
        return ResourceCollectorConfig.class;
    }

    @Override
    protected IngestRuntime runtime(ResourceCollectorConfig settings) {
        return IngestRuntime.create(settings.publisherConfig(), settings.topics(), settings.health());
    }

    @Override
    protected AutoCloseable start(ResourceCollectorConfig settings, IngestRuntime runtime) {
        ResourceCollector collector = ResourceCollector.create(settings, runtime);
        collector.registerHealthChecks(runtime.health());
        collector.start();
        return collector;
    }
}
