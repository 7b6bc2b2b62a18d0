package dev.kubeproof.runtime;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every kubeproof service command does the same way: read its config record from a YAML file
 * ({@code --config}), then the {@code KUBEPROOF_*} environment variables, then {@code --set key=value}, all through
 * {@link ConfigLoader} (unknown keys rejected, messages naming the key); stop there with {@code --check-config}, or
 * run the service until SIGTERM.
 *
 * @param <C> the service's config record
 */
public abstract class ServiceCommand<C> implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file (YAML or JSON); unknown keys are rejected. Keys: docs/reference.md.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Overrides one config key (after the file and the KUBEPROOF_* environment variables),"
                    + " e.g. --set kafka.bootstrapServers=localhost:9092; repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--check-config", description = "Validate the configuration and exit.")
    boolean checkOnly;

    private Map<String, String> environment = System.getenv();

    /** The config record the file is read into. */
    protected abstract Class<C> configType();

    /** Runs the service until the process is told to stop; the exit code. */
    protected abstract int run(C settings) throws Exception;

    /** The configuration as the options, the environment and the file give it. */
    public C settings() {
        return ConfigLoader.load(config, configType(), overrides, environment);
    }

    /** For tests: the environment variables to read instead of the process's. */
    public ServiceCommand<C> withEnvironment(Map<String, String> variables) {
        this.environment = Map.copyOf(variables);
        return this;
    }

    @Override
    public Integer call() throws Exception {
        C settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            // A usage error (exit 2) with the loader's message, which names the key and the file.
            throw new ParameterException(spec.commandLine(), "invalid configuration: " + e.getMessage(), e);
        }
        if (checkOnly) {
            spec.commandLine().getOut().println("config " + (config == null ? "" : config + " ") + "is valid");
            return 0;
        }
        return run(settings);
    }
}
