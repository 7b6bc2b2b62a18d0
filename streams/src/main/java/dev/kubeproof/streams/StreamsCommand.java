package dev.kubeproof.streams;

import java.time.Duration;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.runtime.HealthServer;
import dev.kubeproof.runtime.ServiceCommand;
import dev.kubeproof.runtime.ServiceMetrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kubeproof streams --config streams.yaml}: runs the evidence application until the process is told to stop.
 * The health server starts first, so that {@code /healthz} answers while the registry and Kafka are still being
 * reached and {@code /readyz} says what is not ready yet.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = {"Evaluates resource changes and image scans into hash-chained compliance evidence (Kafka Streams).",
                "Serves /healthz, /readyz (Kafka Streams RUNNING) and /metrics."})
public final class StreamsCommand extends ServiceCommand<EvidenceServiceConfig> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsCommand.class);

    @Override
    protected Class<EvidenceServiceConfig> configType() {
        return EvidenceServiceConfig.class;
    }

    @Override
    protected int run(EvidenceServiceConfig config) throws Exception {
        PrometheusMeterRegistry registry = ServiceMetrics.registry("streams");
        try (HealthServer health = new HealthServer(config.health(), registry).start()) {
            LOG.info("health, readiness and metrics on port {}", health.port());
            try (EvidenceService service = EvidenceService.create(config, new EvidenceMetrics(registry))) {
                health.livenessCheck("streams not failed", () -> !service.failed());
                health.readinessCheck("kafka streams RUNNING", () -> service.state() == KafkaStreams.State.RUNNING);
                Gauge.builder("kubeproof.streams.running", service, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                        .description("1 while Kafka Streams is RUNNING (not starting, rebalancing or stopped)")
                        .register(registry);
                Runtime.getRuntime().addShutdownHook(new Thread(service::close, "kubeproof-streams-shutdown"));
                service.start();
                while (!service.awaitStop(Duration.ofSeconds(5))) {
                    // Runs until closed by the shutdown hook or stopped by a failure.
                }
                return service.failed() ? 1 : 0;
            }
        }
    }

    /** Runs the command on its own (the cli module registers it as a subcommand instead). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new StreamsCommand()).execute(args));
    }
}
