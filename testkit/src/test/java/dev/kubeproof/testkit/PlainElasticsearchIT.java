package dev.kubeproof.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackEndpoints;

import org.junit.jupiter.api.Test;

/** Elasticsearch with security off, as some tests and local setups need it, started through the extension. */
@RealStack(value = ServerKind.ELASTICSEARCH, elasticsearchSecurity = false)
class PlainElasticsearchIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldIndexAndFindADocumentWithoutCredentials(RealServers servers) throws Exception {
        // Given the plain Elasticsearch, which hands out no credentials
        StackEndpoints endpoints = servers.endpoints();
        assertThat(endpoints.elasticsearchCredentials()).isEmpty();
        String index = servers.uniqueName("plain");

        // When a document is indexed without any Authorization header
        HttpResponse<String> indexed = http.send(HttpRequest.newBuilder(
                        URI.create(servers.elasticsearchUrl() + "/" + index + "/_doc/1?refresh=true"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"control\":\"KP-NS-002\"}")).build(), HttpResponse.BodyHandlers.ofString());

        // Then it is created and found
        assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(201);
        HttpResponse<String> found = http.send(HttpRequest.newBuilder(
                URI.create(servers.elasticsearchUrl() + "/" + index + "/_count")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(found.body()).contains("\"count\":1");
    }
}
