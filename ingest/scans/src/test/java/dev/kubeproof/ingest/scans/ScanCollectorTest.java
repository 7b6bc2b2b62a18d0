package dev.kubeproof.ingest.scans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.kubeproof.runtime.ConfigLoader;
import dev.kubeproof.runtime.HealthServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScanCollectorTest {
    @TempDir
    Path dir;

    private String yaml() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "scanner-token-0123456789abcdef\n");
        Files.createDirectories(dir.resolve("scans"));
        return """
                clusterId: prod-eu-1
                kafka: {bootstrapServers: 127.0.0.1:9092, schemaRegistryUrl: http://127.0.0.1:8081, clientId: kubeproof-scans}
                health: {host: 127.0.0.1, port: 0}
                directory: {path: %s, stateFile: %s, pollIntervalMillis: 50}
                http: {host: 127.0.0.1, port: 0, allowPlainHttp: true, bearerTokenFile: %s}
                """.formatted(dir.resolve("scans"), dir.resolve("scans.state"), tokens);
    }

    @Test
    void shouldLoadAndValidateTheConfig() throws Exception {
        // When
        ScanCollectorConfig config = ConfigLoader.parse(yaml(), "scans.yaml", ScanCollectorConfig.class);

        // Then
        assertThat(config.http().path()).isEqualTo("/scans");
        assertThat(config.http().maxBodyBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(config.directory().pollIntervalMillis()).isEqualTo(50);
        assertThat(config.topics().imageScans().name()).isEqualTo("kubeproof.image-scans");
        assertThatThrownBy(() -> ConfigLoader.parse(yaml().replace("stateFile", "state"), "scans.yaml", ScanCollectorConfig.class))
                .hasMessageContaining("unknown key 'state' at 'directory'");
        assertThatThrownBy(() -> ConfigLoader.parse(yaml().replaceAll("(?m)^(directory|http):.*$", ""), "scans.yaml",
                ScanCollectorConfig.class)).hasMessageContaining("at least one source");
    }

    @Test
    void shouldRunBothSourcesBehindOneHealthServer() throws Exception {
        // Given
        ScanCollectorConfig config = ConfigLoader.parse(yaml(), "scans.yaml", ScanCollectorConfig.class);
        ScanHarness harness = new ScanHarness();
        HttpClient http = HttpClient.newHttpClient();
        try (HealthServer health = new HealthServer("127.0.0.1", 0, harness.metrics.registry()).start()) {
            ScanCollector collector = new ScanCollector(config, harness.publisher, harness.deadLetters, harness.topics,
                    ScanHarness.CLOCK);
            collector.registerHealthChecks(health);

            // When
            collector.start();
            Files.write(dir.resolve("scans/ubi.json"), ScanFixtures.bytes(ScanFixtures.trivy("ubi-7.json.golden")));
            HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.httpPort() + "/scans"))
                    .header("Authorization", "Bearer scanner-token-0123456789abcdef")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ScanFixtures.bytes(ScanFixtures.trivy("pom.json.golden")))).build(),
                    HttpResponse.BodyHandlers.ofString());

            // Then
            assertThat(posted.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> harness.scanRecords().size() == 2);
            assertThat(http.send(HttpRequest.newBuilder(health.baseUri().resolve("/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(harness.scans()).allSatisfy(scan -> assertThat(scan.getClusterId()).isEqualTo("prod-eu-1"));
            collector.close();
            assertThat(http.send(HttpRequest.newBuilder(health.baseUri().resolve("/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        }
    }

    @Test
    void shouldValidateTheConfigFromTheCommandLine() throws Exception {
        // Given
        Path good = Files.writeString(dir.resolve("scans.yaml"), yaml());
        Path bad = Files.writeString(dir.resolve("bad.yaml"), yaml().replace("kafka:", "kafkaa:"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine command = new CommandLine(new ScanCollectorCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));

        // Then
        assertThat(command.execute("--config", good.toString(), "--check-config")).isZero();
        assertThat(out.toString()).contains("is valid");
        assertThat(command.execute("--config", bad.toString(), "--check-config")).isNotZero();
        assertThat(err.toString()).contains("unknown key 'kafkaa'");
        assertThat(command.getCommandName()).isEqualTo("scans");
    }
}
