package dev.kubeproof.ingest.scans;

import dev.kubeproof.runtime.CollectorCommand;
import dev.kubeproof.runtime.IngestRuntime;

import picocli.CommandLine.Command;

/** {@code kubeproof ingest scans --config scans.yaml}: runs the image scan collector until SIGTERM. */
@Command(name = "scans",
        mixinStandardHelpOptions = true,
        description = {"Collects image vulnerability scans: Trivy JSON reports from a watched directory and/or an",
                "authenticated HTTP endpoint, keyed by image digest and published to Kafka.",
                "Serves /healthz, /readyz and /metrics."})
public final class ScanCollectorCommand extends CollectorCommand<ScanCollectorConfig> {

    @Override
    protected Class<ScanCollectorConfig> configType() {
        return ScanCollectorConfig.class;
    }

    @Override
    protected IngestRuntime runtime(ScanCollectorConfig settings) {
        return IngestRuntime.create(settings.kafka(), settings.topics(), settings.health());
    }

    @Override
    protected AutoCloseable start(ScanCollectorConfig settings, IngestRuntime runtime) {
        ScanCollector collector = new ScanCollector(settings, runtime).start();
        collector.registerHealthChecks(runtime.health());
        return collector;
    }
}
