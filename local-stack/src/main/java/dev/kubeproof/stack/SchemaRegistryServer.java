package dev.kubeproof.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Apicurio Registry 2.4 built by the {@code local-registry} module, serving the Confluent-compatible REST API. The
 * registry's global compatibility is set to BACKWARD at start, so every subject is checked, as kubeproof's contract
 * requires.
 *
 * <p>Its schemas are stored in an H2 database file under the server's home (the registry's default is in memory):
 * Kafka keeps its records across {@code stack down} / {@code stack up}, and each record names its writer schema by
 * id, so the ids must outlive a restart too. With the in-memory default, a sink started on a restarted stack before
 * any producer had registered again dead-lettered every old record ("cannot resolve writer schema id 5").
 */
final class SchemaRegistryServer extends LocalServer {
    static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    SchemaRegistryServer(StackConfig config, Distribution distribution) {
        super(config, distribution);
    }

    @Override
    ServerKind kind() {
        return ServerKind.SCHEMA_REGISTRY;
    }

    @Override
    Map<Integer, String> ports() {
        return Map.of(config.schemaRegistryPort(), "schema registry");
    }

    private Path dataDir() {
        return home().resolve("data");
    }

    @Override
    void prepare() throws IOException {
        dataFolder(dataDir());
    }

    @Override
    List<String> command() {
        return List.of(javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + config.schemaRegistryPort(),
                "-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + dataDir().resolve("registry"),
                "-jar", distribution.registryJar().toString());
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + config.schemaRegistryPort();
    }

    @Override
    boolean isHealthy() {
        return httpStatus(baseUrl() + "/health/ready", Optional.empty()) == 200;
    }

    @Override
    void afterStart() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + CCOMPAT_PATH + "/config"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"BACKWARD\"}"))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new StackException("setting the registry's compatibility to BACKWARD failed: HTTP "
                        + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new StackException("setting the registry's compatibility to BACKWARD failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while configuring the registry");
        }
    }

    @Override
    StackEndpoints endpoints() {
        return new StackEndpoints(null, baseUrl() + CCOMPAT_PATH, null, Optional.empty());
    }
}
