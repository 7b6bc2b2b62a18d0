package dev.kubeproof.stack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A single-node KRaft Kafka (broker and controller in one process) from the {@code kafka_2.13} jars: storage
 * formatted with {@code kafka.tools.StorageTool} on first start, then {@code kafka.Kafka server.properties}.
 */
final class KafkaServer extends LocalServer {
    private static final String STARTED_MARKER = "Kafka Server started";

    KafkaServer(StackConfig config, Distribution distribution) {
        super(config, distribution);
    }

    @Override
    ServerKind kind() {
        return ServerKind.KAFKA;
    }

    @Override
    Map<Integer, String> ports() {
        return Map.of(config.kafkaPort(), "Kafka broker", config.kafkaControllerPort(), "Kafka controller");
    }

    private Path serverProperties() {
        return home().resolve("config").resolve("server.properties");
    }

    private Path dataDir() {
        return home().resolve("data");
    }

    @Override
    void prepare() throws IOException {
        Files.createDirectories(serverProperties().getParent());
        dataFolder(dataDir());
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", "1");
        properties.put("controller.quorum.voters", "1@127.0.0.1:" + config.kafkaControllerPort());
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + config.kafkaPort() + ",CONTROLLER://127.0.0.1:"
                + config.kafkaControllerPort());
        properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + config.kafkaPort());
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("log.dirs", dataDir().toString());
        properties.put("num.partitions", "1");
        // Topics come from kubeproof's topic catalog; a typo'd topic name must fail, not appear.
        properties.put("auto.create.topics.enable", "false");
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "5");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("transaction.state.log.num.partitions", "5");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        properties.put("group.initial.rebalance.delay.ms", "0");
        properties.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        String text = properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "# written by kubeproof local-stack\n", "\n"));
        Files.writeString(serverProperties(), text, StandardCharsets.UTF_8);
        Files.writeString(home().resolve("config").resolve("log4j2.properties"), """
                status = warn
                appender.console.type = Console
                appender.console.name = STDOUT
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = [%d] %p %m (%c)%n
                rootLogger.level = INFO
                rootLogger.appenderRef.stdout.ref = STDOUT
                logger.kafka.name = kafka
                logger.kafka.level = INFO
                logger.apache.name = org.apache.kafka
                logger.apache.level = WARN
                logger.state.name = state.change.logger
                logger.state.level = WARN
                """, StandardCharsets.UTF_8);
        if (!Files.exists(dataDir().resolve("meta.properties"))) {
            format();
        }
    }

    private void format() throws IOException {
        List<String> command = List.of(javaExecutable(), "-Xmx256m", "-Dlog4j2.configurationFile="
                + home().resolve("config/log4j2.properties"), "kafka.tools.StorageTool", "format",
                "-t", newClusterId(), "-c", serverProperties().toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        builder.environment().put("CLASSPATH", classpath());
        try {
            Process format = builder.start();
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new StackException("formatting Kafka storage failed; see " + logFile() + ":\n" + tail(logFile(), 20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while formatting Kafka storage");
        }
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what {@code Uuid} prints). */
    static String newClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            // An id starting with '-' would be read as an option by the storage tool (Kafka's Uuid avoids it too).
            if (id.charAt(0) != '-') {
                return id;
            }
        }
    }

    private String classpath() {
        return distribution.kafkaClasspath().stream().map(Path::toString)
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    @Override
    List<String> command() {
        return List.of(javaExecutable(), "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + home().resolve("config/log4j2.properties"),
                "-Dkafka.logs.dir=" + home().resolve("logs"),
                "kafka.Kafka", serverProperties().toString());
    }

    @Override
    Map<String, String> environment() {
        // The classpath is long; the environment keeps it off the command line.
        return Map.of("CLASSPATH", classpath());
    }

    @Override
    boolean isHealthy() {
        if (!Ports.isListening(config.kafkaPort())) {
            return false;
        }
        return logSinceStart().contains(STARTED_MARKER);
    }

    @Override
    StackEndpoints endpoints() {
        return new StackEndpoints("127.0.0.1:" + config.kafkaPort(), null, null, Optional.empty());
    }
}
