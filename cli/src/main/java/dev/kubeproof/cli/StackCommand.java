package dev.kubeproof.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.kubeproof.contract.time.Durations;
import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackConfig;
import dev.kubeproof.stack.StackEndpoints;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kubeproof stack up|down|status}: the local servers, without Docker. */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Start, stop or inspect the local servers (Kafka, schema registry, Elasticsearch) that kubeproof "
                + "runs as local processes from Maven Central artifacts — no Docker needed.",
        subcommands = {StackCommand.Up.class, StackCommand.Down.class, StackCommand.Status.class})
final class StackCommand {

    /** {@code --home DIR} for a hint, when it is not the default. */
    static String homeOption(Path home) {
        return home.equals(Path.of(".kubeproof/stack")) ? "" : " --home " + home;
    }

    /** Options every stack subcommand shares. */
    static final class StackOptions {
        @Option(names = "--home", defaultValue = ".kubeproof/stack",
                description = "Folder for the servers' data, config, logs and pid files (default: ${DEFAULT-VALUE}).")
        Path home;

        @Option(names = "--kafka-port", defaultValue = "" + StackConfig.DEFAULT_KAFKA_PORT,
                description = "Kafka broker port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
        int kafkaPort;

        @Option(names = "--kafka-controller-port", defaultValue = "" + StackConfig.DEFAULT_KAFKA_CONTROLLER_PORT,
                description = "KRaft controller port (default: ${DEFAULT-VALUE}).")
        int kafkaControllerPort;

        @Option(names = "--registry-port", defaultValue = "" + StackConfig.DEFAULT_SCHEMA_REGISTRY_PORT,
                description = "Schema registry port (default: ${DEFAULT-VALUE}).")
        int registryPort;

        @Option(names = "--elasticsearch-port", defaultValue = "" + StackConfig.DEFAULT_ELASTICSEARCH_PORT,
                description = "Elasticsearch HTTP port (default: ${DEFAULT-VALUE}).")
        int elasticsearchPort;

        @Option(names = "--elasticsearch-transport-port", defaultValue = "" + StackConfig.DEFAULT_ELASTICSEARCH_TRANSPORT_PORT,
                description = "Elasticsearch transport port (default: ${DEFAULT-VALUE}).")
        int elasticsearchTransportPort;

        @Option(names = "--no-elasticsearch-security", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Require authentication in Elasticsearch (default: on; a superuser's password is "
                        + "generated and kept in HOME/elasticsearch/credentials.properties).")
        boolean elasticsearchSecurity;

        StackConfig config(boolean stopWithJvm) {
            return new StackConfig(home, kafkaPort, kafkaControllerPort, registryPort, elasticsearchPort,
                    elasticsearchTransportPort, elasticsearchSecurity, StackConfig.DEFAULT_START_TIMEOUT, stopWithJvm, false);
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the servers, wait until all are healthy (--start-timeout), print how to reach them, "
                    + "and leave them running for 'stack down'.")
    static final class Up implements Callable<Integer> {
        @Mixin
        StackOptions options = new StackOptions();

        @Option(names = "--servers", split = ",", description = "Which servers: kafka, schema-registry, elasticsearch "
                + "(default: all).")
        List<String> servers = List.of();

        @Option(names = "--start-timeout", paramLabel = "DURATION", defaultValue = "60s",
                description = "How long each server may take to become healthy, e.g. 90s or 3m; slow disks and first "
                        + "runs need more (default: ${DEFAULT-VALUE}).")
        String startTimeout;

        @Override
        public Integer call() {
            Duration timeout = Durations.parse(startTimeout);
            Set<ServerKind> kinds = EnumSet.noneOf(ServerKind.class);
            servers.forEach(id -> kinds.add(ServerKind.fromId(id.trim())));
            Map<ServerKind, String> status = LocalStack.status(options.config(false));
            Set<ServerKind> wanted = kinds.isEmpty() ? EnumSet.allOf(ServerKind.class) : kinds;
            if (wanted.stream().allMatch(kind -> status.get(kind).startsWith("running") && !status.get(kind).contains("not answering"))) {
                System.out.println("already running (see './kubeproof stack status" + homeOption(options.home)
                        + "'; stop with './kubeproof stack down" + homeOption(options.home) + "')");
                return 0;
            }
            LocalStack stack = LocalStack.start(options.config(false).withStartTimeout(timeout), kinds);
            print(stack.endpoints(), options.home);
            System.out.printf("all healthy in %.1f s; stop them with: ./kubeproof stack down%s%n",
                    stack.startupTime().toMillis() / 1000.0, homeOption(options.home));
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the servers 'stack up' started.")
    static final class Down implements Callable<Integer> {
        @Mixin
        StackOptions options = new StackOptions();

        @Override
        public Integer call() {
            List<ServerKind> stopped = LocalStack.stopRecorded(options.home.toAbsolutePath());
            System.out.println(stopped.isEmpty() ? "nothing was running" : "stopped " + stopped.stream().map(ServerKind::id).toList());
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show whether each server runs and answers; exit code 0 only when all three are running.")
    static final class Status implements Callable<Integer> {
        @Mixin
        StackOptions options = new StackOptions();

        @Override
        public Integer call() {
            Map<ServerKind, String> status = LocalStack.status(options.config(false));
            status.forEach((kind, text) -> System.out.printf("%-16s %s%n", kind.id(), text));
            return status.values().stream().allMatch(s -> s.startsWith("running")) ? 0 : 3;
        }
    }

    static void print(StackEndpoints endpoints, Path home) {
        if (endpoints.kafkaBootstrapServers() != null) {
            System.out.println("kafka            " + endpoints.kafkaBootstrapServers());
        }
        if (endpoints.schemaRegistryUrl() != null) {
            System.out.println("schema registry  " + endpoints.schemaRegistryUrl());
        }
        if (endpoints.elasticsearchUrl() != null) {
            System.out.println("elasticsearch    " + endpoints.elasticsearchUrl() + endpoints.elasticsearchCredentials()
                    .map(c -> "  (user " + c.username() + ", password in "
                            + home.resolve("elasticsearch/credentials.properties") + ")").orElse("  (no authentication)"));
        }
    }
}
