package dev.kubeproof.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Where the build left the servers' artifacts: the Kafka broker's classpath (jars resolved from Maven
 * Central by this module's build), the Elasticsearch zip and the registry's runner jar.
 */
public record Distribution(String kafkaVersion, List<Path> kafkaClasspath, String elasticsearchVersion,
                           Path elasticsearchZip, Path registryJar) {

    private static final String BASE = "/dev/kubeproof/stack/";

    /** Reads the resources written by this module's build. */
    public static Distribution fromBuild() {
        Properties properties = new Properties();
        try (InputStream in = resource("distribution.properties")) {
            properties.load(in);
            String classpath;
            try (InputStream cp = resource("kafka-broker.classpath")) {
                classpath = new String(cp.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            List<Path> jars = Arrays.stream(classpath.split(java.io.File.pathSeparator))
                    .filter(entry -> !entry.isBlank())
                    .map(Path::of)
                    .toList();
            return new Distribution(properties.getProperty("kafka.version"), jars,
                    properties.getProperty("elasticsearch.version"),
                    Path.of(properties.getProperty("elasticsearch.zip")).normalize(),
                    Path.of(properties.getProperty("registry.jar")).normalize());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the local stack's build resources", e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = Distribution.class.getResourceAsStream(BASE + name);
        if (in == null) {
            throw new StackException("resource " + BASE + name + " is missing: build the project first (mvn -DskipTests install)");
        }
        return in;
    }

    /** Fails, naming the missing file and the command that produces it, when an artifact is absent. */
    public void requireArtifacts(ServerKind kind) {
        switch (kind) {
            case KAFKA -> {
                if (kafkaClasspath.isEmpty()) {
                    throw new StackException("the Kafka broker classpath is empty: rebuild local-stack (mvn -pl local-stack install)");
                }
                for (String required : List.of("kafka_2.13-", "kafka-clients-", "kafka-server-")) {
                    if (kafkaClasspath.stream().noneMatch(jar -> jar.getFileName().toString().startsWith(required))) {
                        throw new StackException("the Kafka broker classpath lacks " + required + "*.jar: rebuild local-kafka "
                                + "(mvn -pl local-kafka install)");
                    }
                }
                for (Path jar : kafkaClasspath) {
                    if (!Files.isRegularFile(jar)) {
                        throw new StackException("Kafka broker jar " + jar + " is missing (download failed or the Maven "
                                + "repository was cleaned): rebuild with `mvn -pl local-stack -am install -DskipTests`");
                    }
                }
            }
            case ELASTICSEARCH -> {
                if (!Files.isRegularFile(elasticsearchZip)) {
                    throw new StackException("Elasticsearch distribution " + elasticsearchZip + " is missing (download "
                            + "failed?): rebuild with `mvn -pl local-stack -am install -DskipTests`");
                }
            }
            case SCHEMA_REGISTRY -> {
                if (!Files.isRegularFile(registryJar)) {
                    throw new StackException("schema registry " + registryJar + " is missing: build it with "
                            + "`mvn -pl local-registry install -DskipTests`");
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }
}
