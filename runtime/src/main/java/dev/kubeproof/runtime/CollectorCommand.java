package dev.kubeproof.runtime;

/**
 * A collector command: a {@link ServiceCommand} that runs its collector on one {@link IngestRuntime} until SIGTERM.
 *
 * @param <C> the collector's config record
 */
public abstract class CollectorCommand<C> extends ServiceCommand<C> {

    /** The runtime (publisher, health endpoint) this config asks for. */
    protected abstract IngestRuntime runtime(C settings);

    /** Starts the collector on the runtime and registers its health checks; the runtime closes it. */
    protected abstract AutoCloseable start(C settings, IngestRuntime runtime);

    @Override
    protected int run(C settings) throws Exception {
        try (IngestRuntime runtime = runtime(settings)) {
            runtime.manage(start(settings, runtime));
            runtime.runUntilShutdown();
        }
        return 0;
    }
}
