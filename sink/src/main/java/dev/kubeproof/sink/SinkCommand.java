package dev.kubeproof.sink;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.runtime.HealthServer;
import dev.kubeproof.runtime.ServiceCommand;
import dev.kubeproof.runtime.ServiceMetrics;
import dev.kubeproof.sink.bench.SinkBenchCommand;
import dev.kubeproof.sink.config.SinkConfig;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kubeproof sink --config sink.yaml}: runs the Elasticsearch sink until stopped; {@code sink bench} measures it. */
@Command(name = "sink", mixinStandardHelpOptions = true, subcommands = SinkBenchCommand.class,
        description = {"Indexes evidence, posture, violations and audit events from Kafka into Elasticsearch.",
                "Serves /healthz, /readyz (Elasticsearch reachable, consuming) and /metrics.",
                "Secrets are never given inline: elasticsearch.password / apiKey take {file: PATH} or {env: NAME}."})
public final class SinkCommand extends ServiceCommand<SinkConfig> {
    private static final Logger LOG = LoggerFactory.getLogger(SinkCommand.class);

    @Override
    protected Class<SinkConfig> configType() {
        return SinkConfig.class;
    }

    @Override
    protected int run(SinkConfig config) throws Exception {
        LOG.info("starting the sink: {}", config.elasticsearch());
        PrometheusMeterRegistry registry = ServiceMetrics.registry("sink");
        try (HealthServer health = new HealthServer(config.health(), registry).start()) {
            LOG.info("health, readiness and metrics on port {}", health.port());
            SinkService service = SinkService.create(config, ControlCatalogs.builtIn(), registry);
            service.registerHealthChecks(health);
            Runtime.getRuntime().addShutdownHook(new Thread(service::close, "kubeproof-sink-stop"));
            service.run();
        }
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SinkCommand()).execute(args));
    }
}
