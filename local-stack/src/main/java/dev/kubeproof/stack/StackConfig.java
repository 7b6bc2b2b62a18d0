package dev.kubeproof.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run the local stack. Immutable and validated on construction: every message names the setting.
 *
 * @param home                      folder for every server's data, config, logs and pid files
 * @param kafkaPort                 the broker's PLAINTEXT listener on 127.0.0.1
 * @param kafkaControllerPort       the KRaft controller listener on 127.0.0.1
 * @param schemaRegistryPort        the registry's HTTP port on 127.0.0.1
 * @param elasticsearchPort         Elasticsearch's HTTP port on 127.0.0.1
 * @param elasticsearchTransportPort Elasticsearch's transport port on 127.0.0.1
 * @param elasticsearchSecurity     whether Elasticsearch requires authentication (file-realm users)
 * @param startTimeout              how long all servers together may take to become healthy
 * @param stopWithJvm               stop the servers when this JVM exits (tests, the pipeline); false for
 *                                  {@code stack up}, which leaves them running for {@code stack down}
 * @param freshData                 delete the servers' data before starting (tests: ports change per run)
 */
public record StackConfig(Path home, int kafkaPort, int kafkaControllerPort, int schemaRegistryPort,
                          int elasticsearchPort, int elasticsearchTransportPort, boolean elasticsearchSecurity,
                          Duration startTimeout, boolean stopWithJvm, boolean freshData) {

    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_KAFKA_CONTROLLER_PORT = 9093;
    public static final int DEFAULT_SCHEMA_REGISTRY_PORT = 8081;
    public static final int DEFAULT_ELASTICSEARCH_PORT = 9200;
    public static final int DEFAULT_ELASTICSEARCH_TRANSPORT_PORT = 9300;
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    public StackConfig {
        Objects.requireNonNull(home, "home must be set");
        home = home.toAbsolutePath().normalize();
        requirePort("kafkaPort", kafkaPort);
        requirePort("kafkaControllerPort", kafkaControllerPort);
        requirePort("schemaRegistryPort", schemaRegistryPort);
        requirePort("elasticsearchPort", elasticsearchPort);
        requirePort("elasticsearchTransportPort", elasticsearchTransportPort);
        Objects.requireNonNull(startTimeout, "startTimeout must be set");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
        }
        long distinct = java.util.stream.IntStream.of(kafkaPort, kafkaControllerPort, schemaRegistryPort,
                elasticsearchPort, elasticsearchTransportPort).distinct().count();
        if (distinct != 5) {
            throw new IllegalArgumentException("kafkaPort, kafkaControllerPort, schemaRegistryPort, elasticsearchPort "
                    + "and elasticsearchTransportPort must all differ");
        }
    }

    private static void requirePort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be between 1 and 65535, was " + port);
        }
    }

    /** The well-known ports, security on, servers left running by {@code stack up}. */
    public static StackConfig defaults(Path home) {
        return new StackConfig(home, DEFAULT_KAFKA_PORT, DEFAULT_KAFKA_CONTROLLER_PORT, DEFAULT_SCHEMA_REGISTRY_PORT,
                DEFAULT_ELASTICSEARCH_PORT, DEFAULT_ELASTICSEARCH_TRANSPORT_PORT, true, DEFAULT_START_TIMEOUT, false, false);
    }

    /**
     * Free ports picked by the OS, so that test runs never collide with each other or a running stack. Tests
     * allow twice the start-up time: a test machine is busy compiling and testing while servers start.
     */
    public static StackConfig ephemeral(Path home, boolean elasticsearchSecurity) {
        int[] ports = Ports.freePorts(5);  // distinct: five separate picks can repeat a port
        return new StackConfig(home, ports[0], ports[1], ports[2], ports[3], ports[4], elasticsearchSecurity,
                DEFAULT_START_TIMEOUT.multipliedBy(2), true, true);
    }

    public StackConfig withStopWithJvm(boolean value) {
        return new StackConfig(home, kafkaPort, kafkaControllerPort, schemaRegistryPort, elasticsearchPort,
                elasticsearchTransportPort, elasticsearchSecurity, startTimeout, value, freshData);
    }

    public StackConfig withElasticsearchSecurity(boolean value) {
        return new StackConfig(home, kafkaPort, kafkaControllerPort, schemaRegistryPort, elasticsearchPort,
                elasticsearchTransportPort, value, startTimeout, stopWithJvm, freshData);
    }

    public StackConfig withStartTimeout(Duration value) {
        return new StackConfig(home, kafkaPort, kafkaControllerPort, schemaRegistryPort, elasticsearchPort,
                elasticsearchTransportPort, elasticsearchSecurity, value, stopWithJvm, freshData);
    }

    /** The same servers on the same ports, keeping ({@code false}) or deleting their data at start: a restart. */
    public StackConfig withFreshData(boolean value) {
        return new StackConfig(home, kafkaPort, kafkaControllerPort, schemaRegistryPort, elasticsearchPort,
                elasticsearchTransportPort, elasticsearchSecurity, startTimeout, stopWithJvm, value);
    }

    Path serverHome(ServerKind kind) {
        return home.resolve(kind.id());
    }

    Path pidFile(ServerKind kind) {
        return home.resolve("run").resolve(kind.id() + ".pid");
    }
}
