package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

/** The one listener under the health server, the audit webhook and the scan endpoint. */
class HttpEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldPassOnlyPostsToExactlyItsPathToTheHandler() throws Exception {
        // Given an endpoint that accepts POST /scans
        try (HttpEndpoint endpoint = HttpEndpoint.bind("test", "127.0.0.1", 0, null, 2)
                .handlePost("/scans", exchange -> {
                    try (exchange) {
                        HttpEndpoint.respond(exchange, 200, "application/json", "{\"ok\":true}");
                    }
                }).start()) {
            String base = "http://127.0.0.1:" + endpoint.port();

            // When
            HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base + "/scans"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));
            HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(base + "/scans")).GET());
            HttpResponse<String> below = send(HttpRequest.newBuilder(URI.create(base + "/scans/x"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));

            // Then
            assertThat(endpoint.scheme()).isEqualTo("http");
            assertThat(post.statusCode()).isEqualTo(200);
            assertThat(post.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(post.body()).isEqualTo("{\"ok\":true}");
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("Allow")).contains("POST");
            assertThat(below.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shouldStopBeingRunningWhenClosed() {
        HttpEndpoint endpoint = HttpEndpoint.bind("test", "127.0.0.1", 0, null, 1).start();
        assertThat(endpoint.isRunning()).isTrue();
        endpoint.close(java.time.Duration.ofSeconds(1));
        assertThat(endpoint.isRunning()).isFalse();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
