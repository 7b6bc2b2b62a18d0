package dev.kubeproof.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpServer;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.runtime.Secret;
import dev.kubeproof.sink.it.TestCertificates;

class ElasticsearchClientsTest {
    @TempDir
    Path dir;

    private final ElasticsearchConfig plain = ElasticsearchConfig.of(URI.create("http://127.0.0.1:9200"));

    @Test
    void shouldSendAnApiKeyFromTheEnvironmentOnTheClientsRequests() throws Exception {
        // Given a server that records the Authorization header and answers like Elasticsearch
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            ElasticsearchConfig config = ElasticsearchConfig.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                    .withApiKey(Secret.fromEnvironment("elasticsearch.api-key-env", "ES_API_KEY"));
            // When the client built from it makes a request
            try (ElasticsearchClient client = ElasticsearchClients.create(config, Map.of("ES_API_KEY", "aWQ6a2V5")::get)) {
                assertThat(client.ping().value()).isTrue();
            }
            // Then the key went in the ApiKey scheme
            assertThat(authorizations).containsExactly("ApiKey aWQ6a2V5");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldBuildBasicAuthenticationFromAPasswordFile() throws Exception {
        Path password = Files.writeString(dir.resolve("pw"), "s3cret\n");
        ElasticsearchConfig config = plain.withBasicAuth("writer", Secret.fromFile("elasticsearch.password-file", password));
        String header = ElasticsearchClients.authorization(config, name -> null).orElseThrow().getValue();
        assertThat(header).isEqualTo("Basic " + Base64.getEncoder().encodeToString("writer:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(ElasticsearchClients.authorization(plain, name -> null)).isEmpty();
    }

    @Test
    void shouldTrustTheCaOfAPemFileAndRejectAFileWithoutCertificates() throws Exception {
        Path ca = TestCertificates.newCa("unit CA").writeCaPem(dir.resolve("ca.pem"));
        ElasticsearchConfig https = ElasticsearchConfig.of(URI.create("https://127.0.0.1:9200")).withCaFile(ca);
        SSLContext context = ElasticsearchClients.sslContextTrusting(https);
        assertThat(context.getProtocol()).isEqualTo("TLS");

        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> ElasticsearchClients.sslContextTrusting(
                ElasticsearchConfig.of(URI.create("https://127.0.0.1:9200")).withCaFile(empty)))
                .hasMessageContaining("elasticsearch.ca-file");
    }
}
