package dev.kubeproof.ingest.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import picocli.CommandLine;

/** The resource collector is configured like every service: file, then KUBEPROOF_* variables, then --set. */
class ResourceCollectorCommandTest {

    @Test
    void shouldLetTheEnvironmentAndSetOverrideTheConfigFile(@TempDir Path dir) throws Exception {
        // Given a file, an environment variable and --set overrides
        Path file = dir.resolve("resources.yaml");
        Files.writeString(file, """
                clusterId: from-file
                kafka: {bootstrapServers: "kafka:9092", schemaRegistryUrl: "http://registry:8080"}
                kinds: [Pod]
                leaderElection:
                  leaseName: from-file
                """);
        ResourceCollectorCommand command = new ResourceCollectorCommand();
        command.withEnvironment(Map.of("KUBEPROOF_CLUSTER_ID", "from-env", "KUBEPROOF_TOPIC_PREFIX", "kp."));

        // When
        new CommandLine(command).parseArgs("--config", file.toString(), "--set", "kinds=Pod,Secret",
                "--set", "leaderElection.enabled=false", "--set", "health.port=0",
                "--set", "kafka.properties.security.protocol=SSL");
        ResourceCollectorConfig config = command.settings();

        // Then
        assertThat(config.clusterId()).isEqualTo("from-env");
        assertThat(config.topicPrefix()).isEqualTo("kp.");
        assertThat(config.watchedKinds()).extracting(WatchedKind::kind).containsExactly("Pod", "Secret");
        assertThat(config.leaderElection().leaseName()).isEqualTo("from-file");
        assertThat(config.leaderElection().enabled()).isFalse();
        assertThat(config.health().port()).isZero();
        assertThat(config.kafka().properties()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void shouldReportAnInvalidConfigAsAUsageErrorNamingTheKey(@TempDir Path dir) throws Exception {
        // Given a typo in the file
        Path file = dir.resolve("resources.yaml");
        Files.writeString(file, """
                clusterId: c1
                kafka: {bootstrapServers: "kafka:9092", schemaRegistryUrl: "http://registry:8080"}
                resync: PT1M
                """);
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new ResourceCollectorCommand()).setErr(new PrintWriter(err));

        // When
        int exit = commandLine.execute("--config", file.toString());
        int unknownSet = new CommandLine(new ResourceCollectorCommand()).setErr(new PrintWriter(err))
                .execute("--config", file.toString(), "--set", "kafka.bootstrap=x:1");

        // Then
        assertThat(exit).isEqualTo(2);
        assertThat(unknownSet).isEqualTo(2);
        assertThat(err.toString()).contains("unknown key 'resync'").contains("resources.yaml")
                .contains("unknown key 'kafka.bootstrap' in --set");
    }

    @Test
    void shouldCheckAConfigWithoutStarting() {
        // Given
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(new ResourceCollectorCommand()
                .withEnvironment(Map.of())).setOut(new PrintWriter(out));

        // When
        int exit = commandLine.execute("--check-config", "--set", "clusterId=c1",
                "--set", "kafka.bootstrapServers=kafka:9092", "--set", "kafka.schemaRegistryUrl=http://registry:8080",
                "--set", "kinds=pods,secrets");

        // Then
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("is valid");
    }

    @Test
    void shouldBeNamedResources() {
        assertThat(new CommandLine(new ResourceCollectorCommand()).getCommandName()).isEqualTo("resources");
    }
}
