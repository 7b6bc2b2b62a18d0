package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command in its non-interactive mode, on the real servers: the bundled sample goes through
 * the real collectors, streams and sink, and ends as evidence in Elasticsearch and a printed posture.
 */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class RunCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldTurnTheSampleClusterIntoEvidenceInElasticsearchAndPrintThePosture(RealServers servers, @TempDir Path home)
            throws Exception {
        // Given the real servers and isolated topic and index names
        StackEndpoints.Credentials credentials = servers.endpoints().elasticsearchCredentials().orElseThrow();
        Path passwordFile = Files.writeString(home.resolve("es-password"), credentials.password());
        String prefix = servers.uniqueName("run");

        // When `kubeproof run --exit-when-done` runs against them
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            exit = Kubeproof.commandLine().execute("run", "--exit-when-done", "--timeout", "PT6M",
                    "--home", home.toString(),
                    "--bootstrap-servers", servers.kafkaBootstrapServers(),
                    "--registry-url", servers.schemaRegistryUrl(),
                    "--elasticsearch-url", servers.elasticsearchUrl(),
                    "--elasticsearch-user", credentials.username(),
                    "--elasticsearch-password-file", passwordFile.toString(),
                    "--topic-prefix", prefix + ".",
                    "--index-prefix", prefix);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);

        // Then it settled and printed the posture, per framework, with the failures a person expects in the sample
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("== Posture").contains("CIS Kubernetes Benchmark").contains("== Top failing controls");
        assertThat(output).contains("KP-POD-001").contains("Pod default/debug-toolbox");
        assertThat(output).contains("KP-RBAC-001").contains("ClusterRoleBinding bob-cluster-admin");

        // And the evidence, the posture and the audit events are in Elasticsearch
        assertThat(count(servers, credentials, prefix + "-posture")).isGreaterThan(1000);
        assertThat(count(servers, credentials, prefix + "-evidence")).isGreaterThan(1000);
        JsonNode failing = search(servers, credentials, prefix + "-posture",
                "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"rule.id\":\"KP-POD-001\"}},"
                        + "{\"term\":{\"kubeproof.status\":\"FAIL\"}}]}}}");
        assertThat(failing.path("hits").path("total").path("value").asInt()).as(failing.toString()).isEqualTo(3);
    }

    private static long count(RealServers servers, StackEndpoints.Credentials credentials, String index) throws Exception {
        JsonNode answer = request(servers, credentials, "/" + index + "/_count", null);
        return answer.path("count").asLong(-1);
    }

    private static JsonNode search(RealServers servers, StackEndpoints.Credentials credentials, String index, String query)
            throws Exception {
        return request(servers, credentials, "/" + index + "/_search", query);
    }

    private static JsonNode request(RealServers servers, StackEndpoints.Credentials credentials, String path, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(servers.elasticsearchUrl() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json");
        request = body == null ? request.GET() : request.POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

}
