package dev.kubeproof.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackConfig;
import dev.kubeproof.stack.StackEndpoints;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the servers a {@link RealStack} test class names, once per JVM: each server group lives in the root
 * extension context's store, so JUnit stops it when the whole run ends (and the stack's shutdown hook stops it
 * if the run is interrupted). Ports are picked free per run; data lives under {@code target/it-stack}.
 */
public final class RealStackExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealStackExtension.class);
    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

    /** One started group of servers, closed by JUnit at the end of the run. */
    private record SharedServers(LocalStack stack) implements AutoCloseable {
        @Override
        public void close() {
            stack.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        servers(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == RealServers.class || type == StackEndpoints.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        RealServers servers = servers(context);
        if (parameter.getParameter().getType() == StackEndpoints.class) {
            return servers.endpoints();
        }
        if (parameter.getParameter().getType() == RealServers.class) {
            return servers;
        }
        throw new ParameterResolutionException("unsupported parameter " + parameter.getParameter());
    }

    private RealServers servers(ExtensionContext context) {
        RealStack annotation = context.getRequiredTestClass().getAnnotation(RealStack.class);
        if (annotation == null) {
            throw new ParameterResolutionException(context.getRequiredTestClass() + " needs @RealStack");
        }
        Set<ServerKind> kinds = annotation.value().length == 0 ? EnumSet.noneOf(ServerKind.class)
                : EnumSet.copyOf(List.of(annotation.value()));
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        // Kafka and the registry share a group; Elasticsearch is a group per security mode.
        List<String> groups = new ArrayList<>();
        if (kinds.contains(ServerKind.KAFKA) || kinds.contains(ServerKind.SCHEMA_REGISTRY)) {
            groups.add("core");
        }
        if (kinds.contains(ServerKind.ELASTICSEARCH)) {
            groups.add(annotation.elasticsearchSecurity() ? "es-secure" : "es-plain");
        }
        List<CompletableFuture<SharedServers>> started = new ArrayList<>();
        for (String group : groups) {
            started.add(CompletableFuture.supplyAsync(() -> startOnce(store, group)));
        }
        StackEndpoints endpoints = StackEndpoints.none();
        try {
            for (CompletableFuture<SharedServers> future : started) {
                endpoints = endpoints.merge(future.join().stack().endpoints());
            }
        } catch (CompletionException e) {
            throw new IllegalStateException("the real servers for " + context.getRequiredTestClass().getSimpleName()
                    + " did not start: " + e.getCause().getMessage(), e.getCause());
        }
        return new RealServers(endpoints);
    }

    private static SharedServers startOnce(ExtensionContext.Store store, String group) {
        synchronized (LOCKS.computeIfAbsent(group, g -> new Object())) {
            SharedServers existing = store.get(group, SharedServers.class);
            if (existing != null) {
                return existing;
            }
            Path home = Path.of("target", "it-stack", group).toAbsolutePath();
            Set<ServerKind> kinds = switch (group) {
                case "core" -> EnumSet.of(ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY);
                default -> EnumSet.of(ServerKind.ELASTICSEARCH);
            };
            StackConfig config = StackConfig.ephemeral(home, !group.equals("es-plain"));
            SharedServers servers = new SharedServers(LocalStack.start(config, kinds));
            store.put(group, servers);
            return servers;
        }
    }
}
