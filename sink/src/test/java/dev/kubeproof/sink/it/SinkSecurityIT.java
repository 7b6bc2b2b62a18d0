package dev.kubeproof.sink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.runtime.Secret;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/**
 * Authentication and TLS for real. The test stack's Elasticsearch serves plain http, so TLS is terminated by a
 * loopback proxy in front of it with a server certificate from a CA made for the test: the sink's https client,
 * its CA-file trust and hostname verification are the real ones.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class SinkSecurityIT {

    @Test
    void shouldIndexOverTlsTrustingTheConfiguredCaFile(RealServers servers, @TempDir Path dir) throws Exception {
        URI elasticsearch = URI.create(servers.elasticsearchUrl());
        TestCertificates ca = TestCertificates.newCa("kubeproof test CA");
        try (SinkHarness harness = new SinkHarness(servers, dir);
             TcpProxy tls = new TcpProxy(elasticsearch.getHost(), elasticsearch.getPort(), ca.serverContext())) {
            // Given Elasticsearch behind TLS, and the sink trusting the CA from a PEM file
            tls.start();
            ElasticsearchConfig https = harness.elasticsearch.withUrls(List.of(URI.create("https://127.0.0.1:" + tls.port())))
                    .withCaFile(ca.writeCaPem(dir.resolve("ca.pem")));
            harness.start(harness.config("tls", https));
            // When evidence arrives
            harness.evidence(harness.topics.evidence().name(), TestEvidence.failing("web-1"), TestEvidence.failing("web-2"));
            // Then it is indexed through the TLS connection
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(harness.count(harness.names.evidence())).isEqualTo(2));
        }
    }

    @Test
    void shouldRefuseAServerThatTheConfiguredCaDidNotCertify(RealServers servers, @TempDir Path dir) throws Exception {
        URI elasticsearch = URI.create(servers.elasticsearchUrl());
        TestCertificates serverCa = TestCertificates.newCa("server CA");
        TestCertificates otherCa = TestCertificates.newCa("some other CA");
        try (SinkHarness harness = new SinkHarness(servers, dir);
             TcpProxy tls = new TcpProxy(elasticsearch.getHost(), elasticsearch.getPort(), serverCa.serverContext())) {
            // Given a sink trusting another CA than the one that signed the server's certificate
            tls.start();
            ElasticsearchConfig untrusted = harness.elasticsearch.withUrls(List.of(URI.create("https://127.0.0.1:" + tls.port())))
                    .withCaFile(otherCa.writeCaPem(dir.resolve("other-ca.pem")));
            assertNeverConsumes(harness, untrusted);
        }
    }

    @Test
    void shouldNotWriteWithAWrongPassword(RealServers servers, @TempDir Path dir) throws Exception {
        try (SinkHarness harness = new SinkHarness(servers, dir)) {
            // Given the superuser's name with a wrong password from a file
            Path wrong = Files.writeString(dir.resolve("wrong"), "not-the-password\n");
            ElasticsearchConfig config = harness.elasticsearch.withBasicAuth(harness.credentials().username(),
                    Secret.fromFile("elasticsearch.password-file", wrong));
            assertNeverConsumes(harness, config);
        }
    }

    /** The sink keeps trying to install its templates and never takes a record it could not index. */
    private static void assertNeverConsumes(SinkHarness harness, ElasticsearchConfig config) throws Exception {
        harness.evidence(harness.topics.evidence().name(), TestEvidence.failing("web-1"));
        try (SinkService sink = SinkService.create(harness.config("refused", config), ControlCatalog.empty(), new SimpleMeterRegistry())) {
            Thread thread = new Thread(sink, "refused-sink");
            thread.start();
            assertThat(sink.awaitConsuming(Duration.ofSeconds(10))).isFalse();
        }
        assertThat(harness.committed("refused")).isZero();
        assertThat(harness.count(harness.names.evidence())).isZero();
    }
}
