package dev.kubeproof.ingest.scans;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kubeproof.ingest.common.ConfigLoader;
import dev.kubeproof.ingest.common.IngestRuntime;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kubeproof scans --config scans.yaml}: runs the image scan collector until SIGTERM. */
@Command(name = "scans",
        mixinStandardHelpOptions = true,
        description = {"Collects image vulnerability scans: Trivy JSON reports from a watched directory and/or an",
                "authenticated HTTP endpoint, keyed by image digest and published to Kafka.",
                "Serves /healthz, /readyz and /metrics."})
public final class ScanCollectorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "Collector config (YAML or JSON); unknown keys are rejected.")
    Path config;

    @Option(names = "--check-config", description = "Validate the config and exit.")
    boolean checkOnly;

    @Override
    public Integer call() throws Exception {
        ScanCollectorConfig settings = ConfigLoader.load(config, ScanCollectorConfig.class);
        if (checkOnly) {
            spec.commandLine().getOut().println("config " + config + " is valid");
            return 0;
        }
        try (IngestRuntime runtime = IngestRuntime.create(settings.kafka(), settings.topics(), settings.health())) {
            ScanCollector collector = new ScanCollector(settings, runtime).start();
            runtime.manage(collector);
            collector.registerHealthChecks(runtime.health());
            runtime.runUntilShutdown();
        }
        return 0;
    }
}
