package dev.kubeproof.ingest.audit;

import dev.kubeproof.runtime.CollectorCommand;
import dev.kubeproof.runtime.IngestRuntime;

import picocli.CommandLine.Command;

/** {@code kubeproof ingest audit --config audit.yaml}: runs the audit collector until SIGTERM. */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        description = {"Collects Kubernetes audit events: the apiserver's audit webhook and/or audit log files,",
                "redacted, keyed by object and published to Kafka. Serves /healthz, /readyz and /metrics."})
public final class AuditCollectorCommand extends CollectorCommand<AuditCollectorConfig> {

    @Override
    protected Class<AuditCollectorConfig> configType() {
        return AuditCollectorConfig.class;
    }

    @Override
    protected IngestRuntime runtime(AuditCollectorConfig settings) {
        return IngestRuntime.create(settings.kafka(), settings.topics(), settings.health());
    }

    @Override
    protected AutoCloseable start(AuditCollectorConfig settings, IngestRuntime runtime) {
        AuditCollector collector = new AuditCollector(settings, runtime).start();
        collector.registerHealthChecks(runtime.health());
        return collector;
    }
}
