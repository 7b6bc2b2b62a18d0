package dev.kubeproof.ingest.audit;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kubeproof.ingest.common.ConfigLoader;
import dev.kubeproof.ingest.common.IngestRuntime;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kubeproof audit --config audit.yaml}: runs the audit collector until SIGTERM. */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        description = {"Collects Kubernetes audit events: the apiserver's audit webhook and/or audit log files,",
                "redacted, keyed by object and published to Kafka. Serves /healthz, /readyz and /metrics."})
public final class AuditCollectorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "Collector config (YAML or JSON); unknown keys are rejected.")
    Path config;

    @Option(names = "--check-config", description = "Validate the config and exit.")
    boolean checkOnly;

    @Override
    public Integer call() throws Exception {
        AuditCollectorConfig settings = ConfigLoader.load(config, AuditCollectorConfig.class);
        if (checkOnly) {
            spec.commandLine().getOut().println("config " + config + " is valid");
            return 0;
        }
        try (IngestRuntime runtime = IngestRuntime.create(settings.kafka(), settings.topics(), settings.health())) {
            AuditCollector collector = new AuditCollector(settings, runtime).start();
            runtime.manage(collector);
            collector.registerHealthChecks(runtime.health());
            runtime.runUntilShutdown();
        }
        return 0;
    }
}
