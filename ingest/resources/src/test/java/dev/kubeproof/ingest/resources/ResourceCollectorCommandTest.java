package dev.kubeproof.ingest.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class ResourceCollectorCommandTest {

    @Test
    void shouldBuildTheConfigFromOptions() {
        // Given
        ResourceCollectorCommand command = new ResourceCollectorCommand();

        // When
        new CommandLine(command).parseArgs("--cluster-id", "prod", "--kinds", "Pod,Secret",
                "--bootstrap-servers", "kafka:9092", "--registry-url", "http://registry:8080",
                "--topic-prefix", "kp.", "--health-port", "0", "--context", "admin@prod", "--identity", "replica-1",
                "--lease-namespace", "compliance");
        ResourceCollectorConfig config = command.config();

        // Then
        assertThat(config.clusterId()).isEqualTo("prod");
        assertThat(config.watchedKinds()).extracting(WatchedKind::kind).containsExactly("Pod", "Secret");
        assertThat(config.topicPrefix()).isEqualTo("kp.");
        assertThat(config.healthPort()).isZero();
        assertThat(config.context()).isEqualTo("admin@prod");
        assertThat(config.leaderElection().identity()).isEqualTo("replica-1");
        assertThat(config.leaderElection().namespace()).isEqualTo("compliance");
    }

    @Test
    void shouldLetOptionsOverrideTheConfigFile(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("resources.yaml");
        Files.writeString(file, """
                clusterId: from-file
                bootstrapServers: kafka:9092
                schemaRegistryUrl: http://registry:8080
                kinds: [Pod]
                leaderElection:
                  leaseName: from-file
                """);
        ResourceCollectorCommand command = new ResourceCollectorCommand();

        // When
        new CommandLine(command).parseArgs("--config", file.toString(), "--cluster-id", "from-option",
                "--no-leader-election");
        ResourceCollectorConfig config = command.config();

        // Then
        assertThat(config.clusterId()).isEqualTo("from-option");
        assertThat(config.kinds()).containsExactly("Pod");
        assertThat(config.leaderElection().leaseName()).isEqualTo("from-file");
        assertThat(config.leaderElection().enabled()).isFalse();
    }

    @Test
    void shouldReportAnInvalidConfigAsAUsageError(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("resources.yaml");
        Files.writeString(file, """
                clusterId: c1
                bootstrapServers: kafka:9092
                schemaRegistryUrl: http://registry:8080
                resync: PT1M
                """);
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new ResourceCollectorCommand()).setErr(new PrintWriter(err));

        // When
        int exit = commandLine.execute("--config", file.toString());

        // Then
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("unknown key 'resync'").contains("resources.yaml");
        assertThatThrownBy(() -> {
            ResourceCollectorCommand command = new ResourceCollectorCommand();
            new CommandLine(command).parseArgs("--cluster-id", "c1");
            command.config();
        }).hasMessageContaining("bootstrapServers must be set");
    }

    @Test
    void shouldCheckAConfigWithoutStarting() {
        // Given
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(new ResourceCollectorCommand()).setOut(new PrintWriter(out));

        // When
        int exit = commandLine.execute("--check-config", "--cluster-id", "c1", "--bootstrap-servers", "kafka:9092",
                "--registry-url", "http://registry:8080", "--kinds", "pods,secrets");

        // Then
        assertThat(exit).isZero();
        assertThat(out.toString()).startsWith("config is valid: ResourceCollectorConfig[clusterId=c1")
                .contains("kinds=[pods, secrets]");
    }

    @Test
    void shouldBeNamedResources() {
        assertThat(new CommandLine(new ResourceCollectorCommand()).getCommandName()).isEqualTo("resources");
    }
}
