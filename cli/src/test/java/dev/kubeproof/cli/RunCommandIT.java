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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        assertThat(output).contains("KP-RBAC-001").contains("ClusterRoleBinding bob-cluster-admin  (changed by alice@example.com)");
        // ... and the runtime detections of the sample's audit log, with their actors
        assertThat(output).contains("== Runtime detections (from the audit stream)")
                .contains("bob@example.com exec into pod payments/payments-db-0")
                .contains("alice@example.com impersonated carol@example.com")
                .contains("mallory@example.com was denied 10 times within 5 min")
                .contains("mallory@example.com reached the API server from 203.0.113.50")
                .contains("anonymous request allowed: get /api/v1/namespaces/web/configmaps/status-page (200)");

        // And the evidence, the posture and the audit events are in Elasticsearch
        assertThat(count(servers, credentials, prefix + "-posture")).isGreaterThan(1000);
        assertThat(count(servers, credentials, prefix + "-evidence")).isGreaterThan(1000);
        JsonNode failing = search(servers, credentials, prefix + "-posture",
                "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"rule.id\":\"KP-POD-001\"}},"
                        + "{\"term\":{\"kubeproof.status\":\"FAIL\"}}]}}}");
        assertThat(failing.path("hits").path("total").path("value").asInt()).as(failing.toString()).isEqualTo(3);

        // And every Kibana search and visualization finds what it is for in what the sample indexed
        assertKibanaSavedObjectsFindTheSample(servers, credentials, prefix);
    }

    /**
     * Runs each saved search's and visualization's query as Kibana would ask Elasticsearch (its KQL in Lucene form,
     * on the indices of its data view, with the visualization's aggregations) and checks the answer.
     */
    private static void assertKibanaSavedObjectsFindTheSample(RealServers servers, StackEndpoints.Credentials credentials,
                                                            String prefix) throws Exception {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DeployManifestsTest.repoRoot().resolve("deploy/kibana/kubeproof.ndjson"))) {
            if (!line.isBlank()) {
                JsonNode object = JSON.readTree(line);
                byId.put(object.path("id").asText(), object);
            }
        }
        // what each must find in the sample: everything but time to remediate (the sample may remediate nothing)
        Map<String, Boolean> mustFind = Map.ofEntries(Map.entry("kubeproof-open-violations", true),
                Map.entry("kubeproof-violations-by-control", true), Map.entry("kubeproof-violations-by-namespace", true),
                Map.entry("kubeproof-exceptions", true), Map.entry("kubeproof-attested-practices", true),
                Map.entry("kubeproof-runtime-detections", true),
                Map.entry("kubeproof-posture-by-framework", true), Map.entry("kubeproof-violations-over-time", true),
                Map.entry("kubeproof-top-failing-controls", true), Map.entry("kubeproof-top-failing-namespaces", true),
                Map.entry("kubeproof-time-to-remediate", false));
        int checked = 0;
        for (JsonNode object : byId.values()) {
            String type = object.path("type").asText();
            if (!type.equals("search") && !type.equals("visualization")) {
                continue;
            }
            String id = object.path("id").asText();
            assertThat(mustFind).as("an expectation for saved object " + id).containsKey(id);
            JsonNode source = JSON.readTree(object.at("/attributes/kibanaSavedObjectMeta/searchSourceJSON").asText());
            String kql = source.at("/query/query").asText();
            assertThat(kql).as(id + ": KQL this test can translate").matches(
                    "|[a-z_.@]+ : (\"[^\"]*\"|\\*)( and [a-z_.@]+ : (\"[^\"]*\"|\\*))*");
            String lucene = kql.isEmpty() ? "*" : kql.replace(" : ", ":").replace(" and ", " AND ");
            String view = byId.get(object.path("references").get(0).path("id").asText()).at("/attributes/title").asText();
            String index = view.replaceFirst("^kubeproof-", prefix + "-");

            com.fasterxml.jackson.databind.node.ObjectNode request = JSON.createObjectNode();
            request.put("size", 0).put("track_total_hits", true);
            request.putObject("query").putObject("query_string").put("query", lucene);
            com.fasterxml.jackson.databind.node.ObjectNode aggs = request.putObject("aggs");
            List<String> buckets = new ArrayList<>();
            if (type.equals("visualization")) {
                JsonNode visState = JSON.readTree(object.at("/attributes/visState").asText());
                for (JsonNode agg : visState.path("aggs")) {
                    String field = agg.at("/params/field").asText();
                    String name = "a" + agg.path("id").asText();
                    switch (agg.path("type").asText()) {
                        case "terms" -> {
                            aggs.putObject(name).putObject("terms").put("field", field);
                            buckets.add(name);
                        }
                        case "date_histogram" -> {
                            aggs.putObject(name).putObject("date_histogram").put("field", field)
                                    .put("calendar_interval", "1d");
                            buckets.add(name);
                        }
                        case "avg", "percentiles" -> aggs.putObject(name).putObject(agg.path("type").asText())
                                .put("field", field);
                        default -> { } // count: the hits themselves
                    }
                }
            }
            JsonNode answer = search(servers, credentials, index, request.toString());
            assertThat(answer.has("error")).as(id + " on " + index + ": " + answer).isFalse();
            long hits = answer.at("/hits/total/value").asLong();
            if (mustFind.get(id)) {
                assertThat(hits).as(id + " (" + lucene + ") on " + index + " finds the sample's documents").isPositive();
                for (String bucket : buckets) {
                    assertThat(answer.at("/aggregations/" + bucket + "/buckets").size()).as(id + " " + bucket)
                            .isPositive();
                }
            }
            checked++;
        }
        assertThat(checked).isEqualTo(mustFind.size());
        // the open violations are exactly the failing posture documents
        assertThat(search(servers, credentials, prefix + "-posture", "{\"size\":0,\"track_total_hits\":true,"
                + "\"query\":{\"query_string\":{\"query\":\"kubeproof.status:\\\"FAIL\\\"\"}}}").at("/hits/total/value").asLong())
                .isEqualTo(search(servers, credentials, prefix + "-posture", "{\"size\":0,\"track_total_hits\":true,"
                        + "\"query\":{\"term\":{\"kubeproof.status\":\"FAIL\"}}}").at("/hits/total/value").asLong());
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
