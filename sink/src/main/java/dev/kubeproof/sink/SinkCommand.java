package dev.kubeproof.sink;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.sink.bench.SinkBenchCommand;
import dev.kubeproof.sink.config.SinkConfig;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kubeproof sink}: runs the Elasticsearch sink until stopped; {@code sink bench} measures it. */
@Command(name = "sink", mixinStandardHelpOptions = true, subcommands = SinkBenchCommand.class,
        description = {"Indexes evidence, posture, violations and audit events from Kafka into Elasticsearch.",
                "Configuration is a properties file plus --set overrides; unknown keys are rejected.",
                "Secrets are never given inline: use elasticsearch.password-file/-env or elasticsearch.api-key-file/-env."})
public final class SinkCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SinkCommand.class);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "properties file with the sink's configuration")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a configuration value, overriding the file")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() {
        SinkConfig config;
        try {
            config = SinkConfig.load(configFile, overrides);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid configuration: " + e.getMessage(), e, null, null);
        }
        LOG.info("starting the sink: {}", config.elasticsearch());
        SinkService service = SinkService.create(config, ControlCatalogs.builtIn(), new SimpleMeterRegistry());
        Thread stopper = new Thread(service::close, "kubeproof-sink-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        service.run();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SinkCommand()).execute(args));
    }
}
