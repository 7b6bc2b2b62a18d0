package dev.kubeproof.runtime;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every collector command does: read and validate its config file ({@code --config}, unknown keys rejected),
 * stop there with {@code --check-config}, or run the collector on one {@link IngestRuntime} until SIGTERM.
 *
 * @param <C> the collector's config record
 */
public abstract class CollectorCommand<C> implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "Collector config (YAML or JSON); unknown keys are rejected.")
    Path config;

    @Option(names = "--check-config", description = "Validate the config and exit.")
    boolean checkOnly;

    /** The config record the file is read into. */
    protected abstract Class<C> configType();

    /** The runtime (publisher, health endpoint) this config asks for. */
    protected abstract IngestRuntime runtime(C settings);

    /** Starts the collector on the runtime and registers its health checks; the runtime closes it. */
    protected abstract AutoCloseable start(C settings, IngestRuntime runtime);

    @Override
    public Integer call() throws Exception {
        C settings = ConfigLoader.load(config, configType());
        if (checkOnly) {
            spec.commandLine().getOut().println("config " + config + " is valid");
            return 0;
        }
        try (IngestRuntime runtime = runtime(settings)) {
            runtime.manage(start(settings, runtime));
            runtime.runUntilShutdown();
        }
        return 0;
    }
}
