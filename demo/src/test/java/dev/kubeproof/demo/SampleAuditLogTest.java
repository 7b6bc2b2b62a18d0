package dev.kubeproof.demo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SampleAuditLogTest {

    private static final Set<String> STAGES = Set.of("RequestReceived", "ResponseStarted", "ResponseComplete", "Panic");
    private static final Set<String> LEVELS = Set.of("Metadata", "Request", "RequestResponse");

    private static SampleCluster sample;
    private static List<JsonNode> events;

    @BeforeAll
    static void load() {
        sample = SampleCluster.load();
        events = sample.auditEvents();
    }

    @Test
    void shouldWriteOneAuditV1EventPerLine() {
        // Given
        String[] lines = new String(sample.auditLog(), StandardCharsets.UTF_8).split("\n");

        // When / Then
        assertThat(events).hasSize(lines.length).hasSizeGreaterThan(100);
        Set<String> ids = new HashSet<>();
        for (JsonNode e : events) {
            assertThat(e.path("kind").asText()).isEqualTo("Event");
            assertThat(e.path("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
            assertThat(e.path("stage").asText()).isIn(STAGES);
            assertThat(e.path("level").asText()).isIn(LEVELS);
            assertThat(e.path("auditID").asText()).matches("[0-9a-f-]{36}");
            assertThat(e.path("requestURI").asText()).startsWith("/");
            assertThat(e.path("verb").asText()).isNotBlank();
            assertThat(e.path("user").path("username").asText()).isNotBlank();
            assertThat(e.path("sourceIPs").size()).isPositive();
            assertThat(e.path("responseStatus").path("code").asInt()).isBetween(100, 599);
            Instant received = Instant.parse(e.path("requestReceivedTimestamp").asText());
            Instant stage = Instant.parse(e.path("stageTimestamp").asText());
            assertThat(stage).isAfterOrEqualTo(received);
            assertThat(e.path("annotations").path("authorization.k8s.io/decision").asText()).isIn("allow", "forbid");
            // v1 events carry neither v1beta1's metadata nor its timestamp field
            assertThat(e.has("metadata")).isFalse();
            assertThat(e.has("timestamp")).isFalse();
            assertThat(ids.add(e.path("auditID").asText() + "/" + e.path("stage").asText())).as("auditID+stage unique").isTrue();
            if (e.path("level").asText().equals("Metadata")) {
                assertThat(e.has("requestObject") || e.has("responseObject")).as("Metadata level carries no bodies").isFalse();
            }
        }
    }

    @Test
    void shouldBeOrderedByStageTimestamp() {
        // Given / When
        List<Instant> stages = events.stream().map(e -> Instant.parse(e.path("stageTimestamp").asText())).toList();

        // Then
        assertThat(stages).isSorted();
    }

    @Test
    void shouldRecordAHumanExecIntoAPod() {
        // Given / When
        List<JsonNode> execs = events.stream()
                .filter(e -> e.path("objectRef").path("subresource").asText().equals("exec"))
                .filter(e -> e.path("responseStatus").path("code").asInt() == 101).toList();

        // Then: one request, seen at ResponseStarted and ResponseComplete under one auditID
        assertThat(execs).extracting(e -> e.path("stage").asText()).containsExactly("ResponseStarted", "ResponseComplete");
        assertThat(execs).extracting(e -> e.path("auditID").asText()).containsOnly(execs.get(0).path("auditID").asText());
        JsonNode exec = execs.get(1);
        assertThat(exec.path("user").path("username").asText()).isEqualTo("bob@example.com");
        assertThat(exec.path("objectRef").path("name").asText()).isEqualTo("payments-db-0");
        assertThat(exec.path("requestURI").asText()).contains("/exec?command=psql");
        assertThat(events).anyMatch(e -> e.path("objectRef").path("subresource").asText().equals("exec")
                && e.path("responseStatus").path("code").asInt() == 403);
    }

    @Test
    void shouldRecordTheCreationOfAClusterAdminBindingToAHuman() {
        // Given / When
        List<JsonNode> bindings = events.stream()
                .filter(e -> e.path("verb").asText().equals("create"))
                .filter(e -> e.path("objectRef").path("resource").asText().equals("clusterrolebindings"))
                .filter(e -> e.path("requestObject").path("roleRef").path("name").asText().equals("cluster-admin"))
                .toList();

        // Then
        assertThat(bindings).hasSize(1);
        JsonNode binding = bindings.get(0);
        assertThat(binding.path("responseStatus").path("code").asInt()).isEqualTo(201);
        assertThat(binding.path("requestObject").path("subjects").get(0).path("name").asText()).isEqualTo("bob@example.com");
        assertThat(binding.path("user").path("username").asText()).isEqualTo("alice@example.com");
        JsonNode bundled = sample.objects("ClusterRoleBinding").stream()
                .filter(b -> b.path("metadata").path("name").asText().equals("bob-cluster-admin")).findFirst().orElseThrow();
        assertThat(binding.path("responseObject").path("metadata").path("uid").asText())
                .isEqualTo(bundled.path("metadata").path("uid").asText());
    }

    @Test
    void shouldRecordAnonymousRequestsBothDeniedAndAllowed() {
        // Given / When
        List<JsonNode> anonymous = events.stream()
                .filter(e -> e.path("user").path("username").asText().equals("system:anonymous")).toList();

        // Then
        assertThat(anonymous).extracting(e -> e.path("responseStatus").path("code").asInt()).contains(403, 200);
        assertThat(anonymous).allMatch(e -> e.path("user").path("groups").toString().contains("system:unauthenticated"));
        JsonNode allowed = anonymous.stream().filter(e -> e.path("objectRef").path("name").asText().equals("status-page"))
                .findFirst().orElseThrow();
        assertThat(allowed.path("annotations").path("authorization.k8s.io/reason").asText()).contains("public-status-reader");
    }

    @Test
    void shouldRecordASecretReadAndANamespaceDeletion() {
        // Given / When / Then
        assertThat(events).anyMatch(e -> e.path("verb").asText().equals("get")
                && e.path("objectRef").path("resource").asText().equals("secrets")
                && e.path("responseStatus").path("code").asInt() == 200);
        assertThat(events).anyMatch(e -> e.path("verb").asText().equals("delete")
                && e.path("objectRef").path("resource").asText().equals("namespaces")
                && e.path("objectRef").path("name").asText().equals("sandbox")
                && e.path("responseStatus").path("code").asInt() == 200);
    }

    @Test
    void shouldRecordTheCreationOfEveryWorkloadWithItsBundledUid() {
        // Given
        Map<String, JsonNode> created = events.stream()
                .filter(e -> e.path("verb").asText().equals("create") && e.path("responseStatus").path("code").asInt() == 201)
                .filter(e -> e.has("objectRef") && e.path("objectRef").path("subresource").isMissingNode())
                .collect(Collectors.toMap(e -> e.path("objectRef").path("resource").asText() + " "
                        + e.path("objectRef").path("namespace").asText("") + "/" + e.path("objectRef").path("name").asText(),
                        Function.identity()));

        // When / Then: every workload created on go-live day has its create event, at its creationTimestamp
        for (JsonNode workload : sample.workloads()) {
            JsonNode metadata = workload.path("metadata");
            if (metadata.path("namespace").asText().equals("kube-system")) {
                continue; // bootstrapped the day before the log starts
            }
            String key = plural(workload.path("kind").asText()) + " " + metadata.path("namespace").asText() + "/" + metadata.path("name").asText();
            assertThat(created).as(key).containsKey(key);
            JsonNode event = created.get(key);
            assertThat(event.path("requestReceivedTimestamp").asText()).startsWith(metadata.path("creationTimestamp").asText().replace("Z", ""));
            if (event.has("responseObject")) {
                assertThat(event.path("responseObject").path("metadata").path("uid").asText()).isEqualTo(metadata.path("uid").asText());
                assertThat(event.path("responseObject").path("metadata").path("resourceVersion").asText())
                        .isEqualTo(metadata.path("resourceVersion").asText());
            }
        }
    }

    @Test
    void shouldCarrySecretValuesInTheRawLogSoThatRedactionIsExercised() {
        // Given
        String log = new String(sample.auditLog(), StandardCharsets.UTF_8);

        // When
        List<JsonNode> secretBodies = events.stream()
                .filter(e -> e.path("objectRef").path("resource").asText().equals("secrets"))
                .filter(e -> e.has("requestObject") || e.has("responseObject")).toList();

        // Then: the payments namespace is logged at RequestResponse, Secret bodies included (kubeproof must drop them)
        assertThat(secretBodies).isNotEmpty();
        assertThat(sample.secretMarkers()).anyMatch(log::contains);
        // and markers appear nowhere but in Secret bodies
        events.stream().filter(e -> !e.path("objectRef").path("resource").asText().equals("secrets"))
                .forEach(e -> assertThat(sample.secretMarkers()).noneMatch(e.toString()::contains));
    }

    private static String plural(String kind) {
        return switch (kind) {
            case "Pod" -> "pods";
            case "Deployment" -> "deployments";
            case "StatefulSet" -> "statefulsets";
            case "DaemonSet" -> "daemonsets";
            case "Job" -> "jobs";
            case "CronJob" -> "cronjobs";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Test
    void shouldRecordAnImpersonationAndABurstOfDenials() {
        // Given / When
        List<JsonNode> impersonated = events.stream().filter(e -> e.has("impersonatedUser")).toList();
        List<JsonNode> mallory = events.stream()
                .filter(e -> e.path("user").path("username").asText().equals("mallory@example.com")).toList();

        // Then alice acted as carol once, and mallory was denied 12 times within 80 seconds
        assertThat(impersonated).singleElement().satisfies(e -> {
            assertThat(e.path("user").path("username").asText()).isEqualTo("alice@example.com");
            assertThat(e.path("impersonatedUser").path("username").asText()).isEqualTo("carol@example.com");
        });
        assertThat(mallory).hasSize(12).allSatisfy(e -> assertThat(e.path("responseStatus").path("code").asInt()).isEqualTo(403));
        Instant first = Instant.parse(mallory.get(0).path("stageTimestamp").asText());
        Instant last = Instant.parse(mallory.get(11).path("stageTimestamp").asText());
        assertThat(java.time.Duration.between(first, last)).isLessThan(java.time.Duration.ofMinutes(5));
    }
}
