package dev.kubeproof.ingest.resources;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.IngestRuntime;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kubeproof resources}: runs the resource collector until terminated. Settings come from an optional
 * YAML file ({@code --config}); options given on the command line override the file's keys. The merged settings
 * are validated as a {@link ResourceCollectorConfig}: unknown keys are rejected and every error names its key.
 */
@Command(name = "resources", mixinStandardHelpOptions = true,
        description = "Publish Kubernetes resource changes (shared informers, Lease leader election) to Kafka.")
public final class ResourceCollectorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML config file (keys of ResourceCollectorConfig).")
    Path configFile;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster).")
    String kubeconfig;

    @Option(names = "--context", description = "kubeconfig context (default: the current one).")
    String context;

    @Option(names = "--cluster-id", description = "Id of the watched cluster, first part of every record key.")
    String clusterId;

    @Option(names = "--kinds", split = ",", paramLabel = "KIND", description = "Kinds to watch (default: all known kinds).")
    List<String> kinds;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = {"--registry-url", "--schema-registry-url"}, paramLabel = "URL", description = "Schema registry URL.")
    String registryUrl;

    @Option(names = "--topic-prefix", description = "Topic prefix (default: kubeproof.).")
    String topicPrefix;

    @Option(names = "--health-port", description = "Port of /healthz, /readyz and /metrics (default: 8083).")
    Integer healthPort;

    @Option(names = "--resync-period", paramLabel = "DURATION", description = "Informer resync period, ISO-8601 (default: PT1H, PT0S disables).")
    String resyncPeriod;

    @Option(names = "--lease-namespace", description = "Namespace of the leader-election Lease (default: kubeproof).")
    String leaseNamespace;

    @Option(names = "--identity", description = "This replica's identity in the election (default: pod name + suffix).")
    String identity;

    @Option(names = "--check-config", description = "Validate the config and exit.")
    boolean checkOnly;

    @Option(names = "--no-leader-election", description = "Publish without electing a leader (single replica only).")
    boolean noLeaderElection;

    /** The validated config of the file plus the options. */
    public ResourceCollectorConfig config() {
        ObjectNode settings = configFile == null ? JsonNodeFactory.instance.objectNode()
                : ConfigLoader.load(configFile, ObjectNode.class);
        put(settings, "kubeconfig", kubeconfig);
        put(settings, "context", context);
        put(settings, "clusterId", clusterId);
        if (kinds != null) {
            settings.set("kinds", settings.arrayNode().addAll(kinds.stream()
                    .map(JsonNodeFactory.instance::textNode).toList()));
        }
        put(settings, "bootstrapServers", bootstrapServers);
        put(settings, "schemaRegistryUrl", registryUrl);
        put(settings, "topicPrefix", topicPrefix);
        if (healthPort != null) {
            settings.put("healthPort", healthPort);
        }
        put(settings, "resyncPeriod", resyncPeriod);
        if (leaseNamespace != null || identity != null || noLeaderElection) {
            ObjectNode election = settings.get("leaderElection") instanceof ObjectNode existing ? existing
                    : settings.putObject("leaderElection");
            put(election, "namespace", leaseNamespace);
            put(election, "identity", identity);
            if (noLeaderElection) {
                election.put("enabled", false);
            }
        }
        String origin = configFile == null ? "command-line options"
                : configFile + " with command-line options";
        return ConfigLoader.parse(settings.toString(), origin, ResourceCollectorConfig.class);
    }

    @Override
    public Integer call() throws Exception {
        ResourceCollectorConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (checkOnly) {
            spec.commandLine().getOut().println("config is valid: " + config);
            return 0;
        }
        try (IngestRuntime runtime = IngestRuntime.create(config.publisherConfig(), config.topics(),
                new HealthConfig(null, config.healthPort()))) {
            ResourceCollector collector = ResourceCollector.create(config, runtime);
            runtime.manage(collector);
            collector.registerHealthChecks(runtime.health());
            collector.start();
            runtime.runUntilShutdown();
        }
        return 0;
    }

    private static void put(ObjectNode node, String key, String value) {
        if (value != null) {
            node.put(key, value);
        }
    }
}
