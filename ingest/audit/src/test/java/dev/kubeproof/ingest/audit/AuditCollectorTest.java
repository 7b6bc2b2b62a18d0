package dev.kubeproof.ingest.audit;

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
import dev.kubeproof.runtime.TestCertificates;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AuditCollectorTest {
    @TempDir
    Path dir;

    private String yaml(TestCertificates certificates) throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "token-for-the-apiserver-0001\n");
        return """
                clusterId: prod-eu-1
                kafka:
                  bootstrapServers: 127.0.0.1:9092
                  schemaRegistryUrl: http://127.0.0.1:8081
                  clientId: kubeproof-audit
                health: {host: 127.0.0.1, port: 0}
                webhook:
                  host: 127.0.0.1
                  port: 0
                  tls: {certFile: %s, keyFile: %s, clientCaFile: %s}
                  bearerTokenFile: %s
                  maxBodyBytes: 2097152
                files:
                  - {path: %s, positionFile: %s, pollIntervalMillis: 50}
                redaction: {kinds: [ConfigMap]}
                """.formatted(dir.resolve("tls/server.crt"), dir.resolve("tls/server.key"), certificates.caFile(), tokens,
                dir.resolve("audit.log"), dir.resolve("audit.position"));
    }

    @Test
    void shouldLoadTheConfigFileIntoValidatedRecords() throws Exception {
        // Given
        TestCertificates certificates = TestCertificates.generate(dir.resolve("tls"));

        // When
        AuditCollectorConfig config = ConfigLoader.parse(yaml(certificates), "audit.yaml", AuditCollectorConfig.class);

        // Then
        assertThat(config.clusterId()).isEqualTo("prod-eu-1");
        assertThat(config.webhook().maxBodyBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(config.webhook().path()).isEqualTo("/audit");
        assertThat(config.files()).singleElement().satisfies(f -> assertThat(f.maxBatchLines()).isEqualTo(500));
        assertThat(config.redaction().kinds()).containsExactly("ConfigMap");
        assertThat(config.topics().auditEvents().name()).isEqualTo("kubeproof.audit-events");
        assertThat(config.maxEventBytes()).isEqualTo(1024 * 1024);
    }

    @Test
    void shouldRejectUnknownKeysAndIncompleteSettingsNamingThem() throws Exception {
        // Given
        TestCertificates certificates = TestCertificates.generate(dir.resolve("tls"));
        String valid = yaml(certificates);

        // Then
        assertThatThrownBy(() -> ConfigLoader.parse(valid.replace("maxBodyBytes", "maxBodySize"), "audit.yaml",
                AuditCollectorConfig.class)).hasMessageContaining("unknown key 'maxBodySize'").hasMessageContaining("at 'webhook'");
        assertThatThrownBy(() -> ConfigLoader.parse(valid.replace("clusterId: prod-eu-1", "clusterId: prod/eu"), "audit.yaml",
                AuditCollectorConfig.class)).hasMessageContaining("clusterId must be");
        assertThatThrownBy(() -> ConfigLoader.parse(valid.replaceAll("(?s)webhook:.*", ""), "audit.yaml",
                AuditCollectorConfig.class)).hasMessageContaining("at least one source");
        assertThatThrownBy(() -> ConfigLoader.parse(valid.replaceAll(", clientCaFile: [^}]*", "")
                        .replaceAll("\\s*bearerTokenFile: .*", ""), "audit.yaml", AuditCollectorConfig.class))
                .hasMessageContaining("webhook.tls.clientCaFile").hasMessageContaining("webhook.bearerTokenFile");
        assertThatThrownBy(() -> ConfigLoader.parse(valid.replace("positionFile", "position"), "audit.yaml",
                AuditCollectorConfig.class)).hasMessageContaining("unknown key 'position'");
    }

    @Test
    void shouldRunBothSourcesAndReportReadinessOnASharedHealthServer() throws Exception {
        // Given
        TestCertificates certificates = TestCertificates.generate(dir.resolve("tls"));
        AuditCollectorConfig config = ConfigLoader.parse(yaml(certificates), "audit.yaml", AuditCollectorConfig.class);
        AuditHarness harness = new AuditHarness();
        Files.writeString(dir.resolve("audit.log"), Files.readString(AuditFixtures.trace("delete_namespace_foo.json")));
        HttpClient http = HttpClient.newHttpClient();

        try (HealthServer health = new HealthServer("127.0.0.1", 0, harness.metrics.registry()).start()) {
            AuditCollector collector = new AuditCollector(config, harness.publisher, harness.deadLetters, harness.topics,
                    RecentAuditEvents.none());
            collector.registerHealthChecks(health);
            URI readyz = health.baseUri().resolve("/readyz");
            assertThat(http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(503);

            // When
            collector.start();

            // Then
            assertThat(collector.webhookPort()).isPositive();
            assertThat(http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> harness.auditEvents().size() == 1);
            assertThat(harness.auditRecords().get(0).key()).isEqualTo("prod-eu-1/-/namespaces/foo");
            String metrics = http.send(HttpRequest.newBuilder(health.baseUri().resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("kubeproof_ingest_records_published_total{source=\"ingest.audit-file\",topic=\"test.audit-events\"} 1.0");
            collector.close();
            assertThat(collector.isReady()).isFalse();
        }
    }

    @Test
    void shouldValidateTheConfigFromTheCommandLine() throws Exception {
        // Given
        TestCertificates certificates = TestCertificates.generate(dir.resolve("tls"));
        Path good = Files.writeString(dir.resolve("audit.yaml"), yaml(certificates));
        Path bad = Files.writeString(dir.resolve("bad.yaml"), yaml(certificates).replace("clusterId", "cluster"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine command = new CommandLine(new AuditCollectorCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));

        // When
        int ok = command.execute("--config", good.toString(), "--check-config");
        int failed = command.execute("-c", bad.toString(), "--check-config");

        // Then
        assertThat(ok).isZero();
        assertThat(out.toString()).contains("is valid");
        assertThat(failed).isNotZero();
        assertThat(err.toString()).contains("unknown key 'cluster'");
        assertThat(new CommandLine(new AuditCollectorCommand()).getCommandName()).isEqualTo("audit");
    }
}
