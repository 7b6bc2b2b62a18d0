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

import dev.kubeproof.sink.config.ElasticsearchConfig;
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

        // And the report command it prints works on the sample's evidence as printed, and its package verifies
        String reportLine = output.lines().filter(line -> line.contains("auditor report  ./kubeproof report ")).findFirst()
                .orElseThrow(() -> new AssertionError("run printed no report command:\n" + output));
        String[] reportArgs = reportLine.substring(reportLine.indexOf("./kubeproof ") + "./kubeproof ".length()).trim().split(" ");
        java.io.StringWriter reportOutput = new java.io.StringWriter();
        picocli.CommandLine report = Kubeproof.commandLine();
        report.setOut(new java.io.PrintWriter(reportOutput, true));
        report.setErr(new java.io.PrintWriter(reportOutput, true));
        assertThat(report.execute(reportArgs)).as(reportOutput.toString()).isZero();
        assertThat(reportOutput.toString()).contains("hash chains verified")
                .containsPattern("\\d+ checkpoint\\(s\\) verified with their signatures; the last root of \\d+ "
                        + "partition\\(s\\) recomputed from the store matches");
        Path reportDir = Path.of(reportArgs[reportArgs.length - 1]);
        java.io.StringWriter verifyOutput = new java.io.StringWriter();
        picocli.CommandLine verify = Kubeproof.commandLine();
        verify.setOut(new java.io.PrintWriter(verifyOutput, true));
        String checkpointKey = reportArgs[java.util.Arrays.asList(reportArgs).indexOf("--checkpoint-key") + 1];
        assertThat(verify.execute("report", "verify", reportDir.toString(), "--checkpoint-key", checkpointKey))
                .as(verifyOutput.toString()).isZero();
        assertThat(Files.readString(reportDir.resolve("report.html"))).contains("KP-POD-001");

        // And the evidence, the posture and the audit events are in Elasticsearch
        assertThat(count(servers, credentials, prefix + "-posture")).isGreaterThan(1000);
        assertThat(count(servers, credentials, prefix + "-evidence")).isGreaterThan(1000);
        // ... the audit events in the data stream named after this run's prefix, which "Where to look" lists
        String audit = ElasticsearchConfig.auditDataStreamOf(prefix);
        assertThat(count(servers, credentials, audit)).isPositive();
        assertThat(output).contains(".ds-" + audit + "-").doesNotContain(".ds-" + ElasticsearchConfig.DEFAULT_AUDIT_DATA_STREAM);
        JsonNode failing = search(servers, credentials, prefix + "-posture",
                "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"rule.id\":\"KP-POD-001\"}},"
                        + "{\"term\":{\"kubeproof.status\":\"FAIL\"}}]}}}");
        assertThat(failing.path("hits").path("total").path("value").asInt()).as(failing.toString()).isEqualTo(3);

        // And Elastic Security finds them: the violations in a logs-* data stream (its default index patterns), the
        // posture as misconfiguration findings, one current document per control × resource that passes or fails
        String violations = "logs-" + prefix + ".violations-default";
        assertThat(search(servers, credentials, violations, "{\"size\":0,\"track_total_hits\":true,\"query\":{\"bool\":{"
                + "\"filter\":[{\"term\":{\"data_stream.type\":\"logs\"}},{\"term\":{\"event.kind\":\"alert\"}}]}}}")
                .at("/hits/total/value").asLong()).isPositive();
        String findings = "security_solution-" + prefix + ".misconfiguration_latest";
        long judged = search(servers, credentials, prefix + "-posture", "{\"size\":0,\"track_total_hits\":true,"
                + "\"query\":{\"terms\":{\"kubeproof.status\":[\"PASS\",\"FAIL\"]}}}").at("/hits/total/value").asLong();
        assertThat(count(servers, credentials, findings)).isEqualTo(judged).isGreaterThan(500);
        JsonNode finding = search(servers, credentials, findings, "{\"size\":1,\"query\":{\"bool\":{\"filter\":["
                + "{\"term\":{\"rule.id\":\"KP-POD-001\"}},{\"term\":{\"result.evaluation\":\"failed\"}},"
                + "{\"term\":{\"resource.sub_type\":\"Pod\"}},"
                + "{\"range\":{\"@timestamp\":{\"gte\":\"now-26h\"}}}]}}}").at("/hits/hits/0/_source");
        assertThat(finding.at("/rule/benchmark/id").asText()).isEqualTo("cis_k8s");
        assertThat(finding.at("/rule/benchmark/version").asText()).isEqualTo("v1.9.0");
        assertThat(finding.at("/rule/benchmark/rule_number").asText()).isEqualTo("5.2.2");
        assertThat(finding.at("/rule/section").asText()).isEqualTo("5.2");
        assertThat(finding.at("/resource/sub_type").asText()).isEqualTo("Pod");
        assertThat(finding.at("/observer/vendor").asText()).isEqualTo("kubeproof");

        // And every Kibana search and visualization finds what it is for in what the sample indexed
        assertKibanaSavedObjectsFindTheSample(servers, credentials, prefix);
    }

    /**
     * Runs each saved search's and Lens visualization's query as Kibana would ask Elasticsearch (its KQL in Lucene
     * form, on the indices of its data view, sorted as the search is, with the visualization's bucket and metric
     * columns as aggregations) and checks the answer.
     */
    private static void assertKibanaSavedObjectsFindTheSample(RealServers servers, StackEndpoints.Credentials credentials,
                                                            String prefix) throws Exception {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DeployManifestsTest.repoRoot().resolve("deploy/kibana/kubeproof.ndjson"))) {
            if (!line.isBlank()) {
                JsonNode object = JSON.readTree(line);
                byId.put(object.path("type").asText() + ":" + object.path("id").asText(), object);
            }
        }
        // what each must find in the sample: all but time to remediate (the sample may remediate nothing) and the OCSF
        // findings (the sample's violations topic carries ECS)
        Map<String, Boolean> mustFind = Map.ofEntries(Map.entry("kubeproof-open-violations", true),
                Map.entry("kubeproof-violations-by-control", true), Map.entry("kubeproof-violations-by-namespace", true),
                Map.entry("kubeproof-ocsf-findings", false),
                Map.entry("kubeproof-exceptions", true), Map.entry("kubeproof-attested-practices", true),
                Map.entry("kubeproof-runtime-detections", true),
                Map.entry("kubeproof-posture-by-framework", true), Map.entry("kubeproof-posture-over-time", true), Map.entry("kubeproof-violations-over-time", true),
                Map.entry("kubeproof-top-failing-controls", true), Map.entry("kubeproof-top-failing-resources", true),
                Map.entry("kubeproof-top-failing-namespaces", true), Map.entry("kubeproof-runtime-detections-by-actor", true),
                Map.entry("kubeproof-time-to-remediate", false));
        int checked = 0;
        for (JsonNode object : byId.values()) {
            String type = object.path("type").asText();
            if (!type.equals("search") && !type.equals("lens")) {
                continue;
            }
            String id = object.path("id").asText();
            assertThat(mustFind).as("an expectation for saved object " + id).containsKey(id);
            String kql = type.equals("search")
                    ? JSON.readTree(object.at("/attributes/kibanaSavedObjectMeta/searchSourceJSON").asText()).at("/query/query").asText()
                    : object.at("/attributes/state/query/query").asText();
            assertThat(kql).as(id + ": KQL this test can translate").matches(
                    "|[a-z_.@]+ : (\"[^\"]*\"|\\*)( and [a-z_.@]+ : (\"[^\"]*\"|\\*))*");
            String lucene = kql.isEmpty() ? "*" : kql.replace(" : ", ":").replace(" and ", " AND ");
            String view = byId.get("index-pattern:" + object.path("references").get(0).path("id").asText())
                    .at("/attributes/title").asText();
            String index = view.replaceAll("(^|-)kubeproof([-.])", "$1" + prefix + "$2");

            com.fasterxml.jackson.databind.node.ObjectNode request = JSON.createObjectNode();
            request.put("size", type.equals("search") ? 20 : 0).put("track_total_hits", true);
            request.putObject("query").putObject("query_string").put("query", lucene);
            com.fasterxml.jackson.databind.node.ObjectNode aggs = request.putObject("aggs");
            List<String> buckets = new ArrayList<>();
            Map<String, String> missingBuckets = new LinkedHashMap<>();
            if (type.equals("search")) {
                com.fasterxml.jackson.databind.node.ArrayNode sort = request.putArray("sort");
                object.at("/attributes/sort").forEach(pair -> sort.addObject().putObject(pair.get(0).asText())
                        .put("order", pair.get(1).asText()).put("unmapped_type", "keyword"));
            } else {
                JsonNode columns = object.at("/attributes/state/datasourceStates/formBased/layers/layer1/columns");
                columns.properties().forEach(column -> {
                    String name = column.getKey();
                    JsonNode spec = column.getValue();
                    String field = spec.path("sourceField").asText();
                    switch (spec.path("operationType").asText()) {
                        case "terms" -> {
                            com.fasterxml.jackson.databind.node.ObjectNode terms = aggs.putObject(name).putObject("terms")
                                    .put("field", field).put("size", spec.at("/params/size").asInt(10));
                            if (spec.at("/params/missingBucket").asBoolean()) {
                                terms.put("missing", "(none)");
                                missingBuckets.put(name, field);
                            }
                            buckets.add(name);
                        }
                        case "date_histogram" -> {
                            aggs.putObject(name).putObject("date_histogram").put("field", field).put("calendar_interval", "1d");
                            buckets.add(name);
                        }
                        case "average" -> aggs.putObject(name).putObject("avg").put("field", field);
                        case "count" -> { } // the hits themselves
                        default -> throw new AssertionError(id + ": column " + name + " of an operation this test cannot run");
                    }
                });
            }
            JsonNode answer = request(servers, credentials,
                    "/" + index + "/_search?ignore_unavailable=true&allow_no_indices=true", request.toString());
            assertThat(answer.has("error")).as(id + " on " + index + ": " + answer).isFalse();
            long hits = answer.at("/hits/total/value").asLong();
            if (mustFind.get(id)) {
                assertThat(hits).as(id + " (" + lucene + ") on " + index + " finds the sample's documents").isPositive();
                for (String bucket : buckets) {
                    assertThat(answer.at("/aggregations/" + bucket + "/buckets").size()).as(id + " " + bucket)
                            .isPositive();
                }
            }
            if (id.equals("kubeproof-top-failing-namespaces")) {
                // cluster-scoped objects (ClusterRoleBindings, ...) have their own bar instead of vanishing
                assertThat(answer.at("/aggregations/namespace/buckets").findValuesAsText("key")).contains("(none)");
            }
            if (id.equals("kubeproof-open-violations")) {
                // most severe first: by the numeric severity, not alphabetically
                List<Integer> severities = new ArrayList<>();
                answer.at("/hits/hits").forEach(hit -> severities.add(hit.at("/_source/event/severity").asInt()));
                assertThat(severities).isNotEmpty().isSortedAccordingTo(java.util.Comparator.reverseOrder());
                assertThat(severities.get(0)).isEqualTo(99);
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
