package dev.kubeproof.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real servers kubeproof needs — Kafka, the schema registry and Elasticsearch — started as local
 * processes from Maven Central artifacts. Used by {@code kubeproof stack up}, by {@code kubeproof run} and by
 * the JUnit extension every {@code *IT} uses.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final StackConfig config;
    private final Map<ServerKind, LocalServer> servers = new EnumMap<>(ServerKind.class);
    private final Thread shutdownHook;
    private volatile StackEndpoints endpoints = StackEndpoints.none();
    private Duration startupTime = Duration.ZERO;

    private LocalStack(StackConfig config) {
        this.config = config;
        this.shutdownHook = new Thread(this::stopQuietly, "kubeproof-stack-shutdown");
    }

    /** Starts the given servers in parallel and returns once all are healthy; on failure, stops them all. */
    public static LocalStack start(StackConfig config, Set<ServerKind> kinds) {
        return start(config, kinds, Distribution.fromBuild());
    }

    static LocalStack start(StackConfig config, Set<ServerKind> kinds, Distribution distribution) {
        LocalStack stack = new LocalStack(config);
        if (config.stopWithJvm()) {
            Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
        }
        try {
            stack.startServers(kinds.isEmpty() ? EnumSet.allOf(ServerKind.class) : EnumSet.copyOf(kinds), distribution);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startServers(Set<ServerKind> kinds, Distribution distribution) {
        Instant started = Instant.now();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (ServerKind kind : kinds) {
            LocalServer server = switch (kind) {
                case KAFKA -> new KafkaServer(config, distribution);
                case SCHEMA_REGISTRY -> new SchemaRegistryServer(config, distribution);
                case ELASTICSEARCH -> new ElasticsearchServer(config, distribution);
            };
            synchronized (servers) {
                servers.put(kind, server);
            }
            futures.add(CompletableFuture.runAsync(() -> {
                server.start();
                // The time limit counts from the process start: unpacking and first-time setup are not start-up.
                server.awaitHealthy(Instant.now().plus(config.startTimeout()));
            }));
        }
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
        StackEndpoints merged = StackEndpoints.none();
        for (LocalServer server : servers.values()) {
            merged = merged.merge(server.endpoints());
        }
        endpoints = merged;
        startupTime = Duration.between(started, Instant.now());
        writeStatus();
        LOG.info("local stack {} healthy in {} ms", kinds, startupTime.toMillis());
    }

    public StackEndpoints endpoints() {
        return endpoints;
    }

    public StackConfig config() {
        return config;
    }

    /** How long the servers took, together, from the first start to all healthy. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The pids of the started servers' root processes (for tests that check nothing is left behind). */
    public Map<ServerKind, Long> pids() {
        Map<ServerKind, Long> pids = new LinkedHashMap<>();
        servers.forEach((kind, server) -> {
            try {
                pids.put(kind, Long.parseLong(Files.readString(config.pidFile(kind)).trim()));
            } catch (IOException | NumberFormatException e) {
                // not started
            }
        });
        return pids;
    }

    /**
     * Stops the servers even when {@code owner} dies without closing this stack: killed with SIGKILL, or exited out of
     * memory (with {@code -XX:+ExitOnOutOfMemoryError} no shutdown hook runs). A small {@code sh} process outlives
     * the owner, notices within two seconds that it is gone and sends the servers SIGTERM (they stop cleanly). Close
     * the returned guard before closing the stack normally, so that it never signals a pid reused later.
     */
    public AutoCloseable stopWhenGone(ProcessHandle owner) {
        String servers = pids().values().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" "));
        if (servers.isEmpty()) {
            return () -> { };
        }
        String script = "while kill -0 " + owner.pid() + " 2>/dev/null; do sleep 2; done; kill " + servers + " 2>/dev/null";
        try {
            Process guardian = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return guardian::destroy;
        } catch (IOException e) {
            throw new StackException("cannot start the guard that stops the servers if this process dies: "
                    + e.getMessage(), e);
        }
    }

    private void writeStatus() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kafkaBootstrapServers", endpoints.kafkaBootstrapServers());
        status.put("schemaRegistryUrl", endpoints.schemaRegistryUrl());
        status.put("elasticsearchUrl", endpoints.elasticsearchUrl());
        status.put("elasticsearchUser", endpoints.elasticsearchCredentials().map(StackEndpoints.Credentials::username).orElse(null));
        status.put("elasticsearchCredentialsFile", endpoints.elasticsearchCredentials().isPresent()
                ? config.serverHome(ServerKind.ELASTICSEARCH).resolve("credentials.properties").toString() : null);
        status.put("servers", servers.keySet().stream().map(ServerKind::id).toList());
        try {
            Files.writeString(statusFile(config.home()), JSON.writeValueAsString(status), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path statusFile(Path home) {
        return home.resolve("stack.json");
    }

    /** What {@code stack status} shows: each server's pid file, whether the process lives and its port answers. */
    public static Map<ServerKind, String> status(StackConfig config) {
        Map<ServerKind, String> status = new EnumMap<>(ServerKind.class);
        for (ServerKind kind : ServerKind.values()) {
            Path pidFile = config.pidFile(kind);
            int port = switch (kind) {
                case KAFKA -> config.kafkaPort();
                case SCHEMA_REGISTRY -> config.schemaRegistryPort();
                case ELASTICSEARCH -> config.elasticsearchPort();
            };
            String pid = null;
            boolean alive = false;
            if (Files.isRegularFile(pidFile)) {
                try {
                    pid = Files.readString(pidFile).trim();
                    alive = ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
                } catch (IOException | NumberFormatException e) {
                    pid = "?";
                }
            }
            boolean listening = Ports.isListening(port);
            status.put(kind, alive ? "running (pid " + pid + ", port " + port + (listening ? " answering)" : " not answering)")
                    : listening ? "stopped, but port " + port + " is taken by another process" : "stopped");
        }
        return status;
    }

    /**
     * The endpoints of a stack that {@code stack up} left running with this config, when all three servers run
     * and answer; empty otherwise.
     */
    public static java.util.Optional<StackEndpoints> running(StackConfig config) {
        Map<ServerKind, String> status = status(config);
        boolean all = status.values().stream().allMatch(s -> s.startsWith("running") && !s.contains("not answering"));
        if (!all) {
            return java.util.Optional.empty();
        }
        java.util.Optional<StackEndpoints.Credentials> credentials = java.util.Optional.empty();
        Path file = config.serverHome(ServerKind.ELASTICSEARCH).resolve("credentials.properties");
        if (config.elasticsearchSecurity() && Files.isRegularFile(file)) {
            java.util.Properties properties = new java.util.Properties();
            try (var in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            credentials = java.util.Optional.of(new StackEndpoints.Credentials(properties.getProperty("username"),
                    properties.getProperty("password")));
        }
        return java.util.Optional.of(new StackEndpoints("127.0.0.1:" + config.kafkaPort(),
                "http://127.0.0.1:" + config.schemaRegistryPort() + SchemaRegistryServer.CCOMPAT_PATH,
                "http://127.0.0.1:" + config.elasticsearchPort(), credentials));
    }

    /** Stops servers recorded in a stack home's pid files (what {@code stack down} does). */
    public static List<ServerKind> stopRecorded(Path home) {
        StackConfig config = StackConfig.defaults(home);
        List<ServerKind> stopped = new ArrayList<>();
        for (ServerKind kind : ServerKind.values()) {
            if (ManagedProcess.stopRecorded(config.pidFile(kind), Duration.ofSeconds(20))) {
                stopped.add(kind);
            }
        }
        try {
            Files.deleteIfExists(statusFile(home));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stopped;
    }

    @Override
    public void close() {
        stopQuietly();
        if (config.stopWithJvm()) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook is what called us
            }
        }
    }

    private void stopQuietly() {
        List<LocalServer> toStop;
        synchronized (servers) {
            toStop = new ArrayList<>(servers.values());
        }
        toStop.parallelStream().forEach(server -> {
            try {
                server.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping {} failed: {}", server.kind().id(), e.getMessage());
            }
        });
    }
}
