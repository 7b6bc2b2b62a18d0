package dev.kubeproof.demo;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import static org.assertj.core.api.Assertions.assertThat;

class SampleClusterTest {

    private static SampleCluster sample;

    @BeforeAll
    static void load() {
        sample = SampleCluster.load();
    }

    @Test
    void shouldGiveEveryManifestObjectApiVersionKindNameAndFixedUidAndTimestamp() {
        // Given / When
        List<JsonNode> objects = sample.objects();

        // Then
        assertThat(objects).hasSizeGreaterThan(150);
        for (JsonNode o : objects) {
            String key = SampleCluster.key(o);
            assertThat(o.path("apiVersion").asText()).as(key).isNotBlank();
            assertThat(o.path("kind").asText()).as(key).isNotBlank();
            assertThat(o.path("metadata").path("name").asText()).as(key).isNotBlank();
            assertThat(o.path("metadata").path("uid").asText()).as(key)
                    .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            // A parseable, second-precision UTC instant, as the API server writes it.
            String created = o.path("metadata").path("creationTimestamp").asText();
            assertThat(created).as(key).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
            assertThat(Instant.parse(created)).as(key).isBefore(Instant.parse("2025-06-03T00:00:00Z"));
            assertThat(o.path("metadata").path("resourceVersion").asText()).as(key).matches("\\d+");
        }
    }

    @Test
    void shouldUseUniqueUidsAndResourceVersions() {
        // Given
        List<JsonNode> objects = sample.objects();

        // When
        Set<String> uids = objects.stream().map(o -> o.path("metadata").path("uid").asText()).collect(Collectors.toSet());
        Set<String> versions = objects.stream().map(o -> o.path("metadata").path("resourceVersion").asText()).collect(Collectors.toSet());

        // Then
        assertThat(uids).hasSameSizeAs(objects);
        assertThat(versions).hasSameSizeAs(objects);
    }

    @Test
    void shouldHoldAtLeastFiftyWorkloadsAcrossAtLeastFiveNamespaces() {
        // Given / When
        List<JsonNode> workloads = sample.workloads();
        Map<String, Long> byNamespace = workloads.stream()
                .collect(Collectors.groupingBy(w -> w.path("metadata").path("namespace").asText(), Collectors.counting()));
        Set<String> kinds = workloads.stream().map(w -> w.path("kind").asText()).collect(Collectors.toSet());

        // Then
        assertThat(workloads).hasSizeGreaterThanOrEqualTo(50);
        assertThat(byNamespace.keySet()).hasSizeGreaterThanOrEqualTo(5)
                .contains("payments", "web", "data", "monitoring", "batch", "default", "kube-system");
        assertThat(kinds).contains("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod");
    }

    @Test
    void shouldContainTheObjectsTheDemoStoryNeeds() {
        // Given
        Map<String, JsonNode> byKey = sample.objects().stream()
                .collect(Collectors.toMap(SampleCluster::key, Function.identity()));

        // When / Then: a human bound to cluster-admin, a wildcard role, a binding to system:anonymous
        JsonNode bob = byKey.get("ClusterRoleBinding /bob-cluster-admin");
        assertThat(bob.path("roleRef").path("name").asText()).isEqualTo("cluster-admin");
        assertThat(bob.path("subjects").get(0).path("name").asText()).isEqualTo("bob@example.com");
        assertThat(byKey.get("ClusterRole /ops-superuser").path("rules").get(0).path("verbs").get(0).asText()).isEqualTo("*");
        assertThat(byKey.get("RoleBinding web/public-status-reader").path("subjects").get(0).path("name").asText())
                .isEqualTo("system:anonymous");
        // PSA labels on some namespaces only
        assertThat(byKey.get("Namespace /payments").path("metadata").path("labels").path("pod-security.kubernetes.io/enforce").asText())
                .isEqualTo("restricted");
        assertThat(byKey.get("Namespace /monitoring").path("metadata").path("labels").has("pod-security.kubernetes.io/enforce")).isFalse();
        // default-deny NetworkPolicies in some namespaces only
        Set<String> denied = sample.objects("NetworkPolicy").stream()
                .filter(p -> p.path("spec").path("podSelector").isEmpty() && !p.path("spec").has("ingress") && !p.path("spec").has("egress"))
                .map(p -> p.path("metadata").path("namespace").asText()).collect(Collectors.toSet());
        assertThat(denied).contains("payments", "web", "data", "batch").doesNotContain("monitoring", "default");
        // one NodePort, one LoadBalancer; one Ingress with TLS, one without
        assertThat(sample.objects("Service")).extracting(s -> s.path("spec").path("type").asText())
                .containsOnlyOnce("NodePort", "LoadBalancer");
        assertThat(sample.objects("Ingress")).extracting(i -> i.path("spec").has("tls")).containsExactlyInAnyOrder(true, false);
        // a node with an old kubelet
        assertThat(sample.objects("Node")).extracting(n -> n.path("status").path("nodeInfo").path("kubeletVersion").asText())
                .contains("v1.29.6", "v1.32.4");
        // an API server static pod with anonymous auth on, and etcd
        JsonNode apiserver = byKey.get("Pod kube-system/kube-apiserver-cp-1");
        assertThat(apiserver.path("spec").path("containers").get(0).path("command").toString()).contains("--anonymous-auth=true");
        assertThat(byKey).containsKey("Pod kube-system/etcd-cp-1");
        // a ConfigMap with credential-looking keys, Opaque and service-account-token Secrets
        assertThat(byKey.get("ConfigMap monitoring/grafana-config").path("data").has("SMTP_PASSWORD")).isTrue();
        assertThat(sample.objects("Secret")).extracting(s -> s.path("type").asText())
                .contains("Opaque", "kubernetes.io/service-account-token", "kubernetes.io/tls");
    }

    @Test
    void shouldUseVulnerableAndDigestPinnedImages() {
        // Given / When
        Set<String> images = sample.images();

        // Then
        assertThat(images).contains("alpine:3.10.2", "debian:10.1", "nginx:alpine", "nginx");
        assertThat(images).filteredOn(i -> i.contains("@sha256:")).hasSizeGreaterThanOrEqualTo(15);
    }

    @Test
    void shouldGiveEverySecretValueADistinctiveMarker() {
        // Given
        List<JsonNode> secrets = sample.objects("Secret");

        // When
        Set<String> markers = sample.secretMarkers();

        // Then: every Secret carries at least one marked value, and every marked value is listed in both forms
        assertThat(secrets).isNotEmpty();
        for (JsonNode secret : secrets) {
            List<String> decoded = new ArrayList<>();
            secret.path("data").properties().forEach(e -> decoded.add(
                    new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
            assertThat(decoded).as(SampleCluster.key(secret)).anyMatch(v -> v.contains("KPDEMO-SECRET-"));
            secret.path("data").properties().forEach(e -> {
                String value = new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8);
                if (value.contains("KPDEMO-SECRET-")) {
                    assertThat(markers).contains(e.getValue().asText());
                }
            });
        }
        assertThat(markers).allMatch(m -> m.startsWith("KPDEMO-SECRET-") || m.matches("[A-Za-z0-9+/=]+"));
        // No marker appears in an object other than a Secret: only a Secret's data may hold them.
        for (JsonNode o : sample.objects()) {
            if (!o.path("kind").asText().equals("Secret")) {
                String json = o.toString();
                assertThat(markers).as(SampleCluster.key(o)).noneMatch(json::contains);
            }
        }
    }

    @Test
    void shouldListAnExpectationForEveryObjectAndNothingElse() {
        // Given
        Map<String, JsonNode> byKey = sample.objects().stream()
                .collect(Collectors.toMap(SampleCluster::key, Function.identity()));

        // When
        List<Expectation> expectations = sample.expectations();

        // Then
        assertThat(expectations).hasSameSizeAs(byKey.keySet());
        Set<String> seen = new HashSet<>();
        for (Expectation e : expectations) {
            String key = e.kind() + " " + (e.namespace() == null ? "" : e.namespace()) + "/" + e.name();
            assertThat(byKey).as("expectation for an unknown object").containsKey(key);
            assertThat(byKey.get(key).path("metadata").path("uid").asText()).isEqualTo(e.uid());
            assertThat(seen.add(key)).as("duplicate expectation " + key).isTrue();
            assertThat(e.failingControls()).allMatch(id -> id.matches("KP-[A-Z]+-\\d{3}"));
        }
        // a realistic mix: compliant workloads next to many failing ones
        List<Expectation> workloads = expectations.stream().filter(e -> SampleCluster.WORKLOAD_KINDS.contains(e.kind())).toList();
        assertThat(workloads).filteredOn(Expectation::compliant).hasSizeGreaterThanOrEqualTo(8);
        assertThat(workloads).filteredOn(e -> !e.compliant()).hasSizeGreaterThanOrEqualTo(30);
    }

    @Test
    void shouldDescribeEveryExpectedFindingInTheReadme() throws IOException {
        // Given: the module's README (tests run in the module directory)
        List<String> lines = Files.readAllLines(Path.of("README.md"));

        // When / Then: one table row per failing object naming all of its controls, and every compliant workload listed
        for (Expectation e : sample.expectations()) {
            String resource = e.kind() + " " + (e.namespace() == null ? "" : e.namespace() + "/") + e.name();
            if (e.compliant()) {
                if (SampleCluster.WORKLOAD_KINDS.contains(e.kind()) && !"kube-system".equals(e.namespace())) {
                    assertThat(lines).as(resource).contains("- " + resource);
                }
                continue;
            }
            List<String> rows = lines.stream().filter(l -> l.startsWith("| " + resource + " |")).toList();
            assertThat(rows).as(resource).hasSize(1);
            String[] cells = rows.get(0).split(" \\| ");
            assertThat(new TreeSet<>(List.of(cells[1].split(", ")))).as(resource).isEqualTo(new TreeSet<>(e.failingControls()));
        }
    }

    @Test
    void shouldConvertEveryObjectToAGenericKubernetesResource() {
        // Given / When
        List<GenericKubernetesResource> resources = sample.resources();

        // Then
        assertThat(resources).hasSameSizeAs(sample.objects());
        assertThat(resources).allSatisfy(r -> assertThat(r.getMetadata().getUid()).isNotBlank());
        assertThat(resources.get(0).getKind()).isEqualTo(sample.objects().get(0).path("kind").asText());
    }

    @Test
    void shouldLoadIdenticallyEveryTime() {
        // Given
        SampleCluster again = SampleCluster.load();

        // When / Then
        assertThat(again.objectsJson()).isEqualTo(sample.objectsJson());
        assertThat(again.auditLog()).isEqualTo(sample.auditLog());
        assertThat(again.trivyReports().keySet()).isEqualTo(sample.trivyReports().keySet());
        again.trivyReports().forEach((name, bytes) -> assertThat(bytes).isEqualTo(sample.trivyReports().get(name)));
        assertThat(again.expectations()).isEqualTo(sample.expectations());
    }

    @Test
    void shouldHandOutCopiesThatCannotChangeTheSample() {
        // Given
        JsonNode first = sample.objects().get(0);

        // When
        ((ObjectNode) first.path("metadata")).put("name", "changed");
        sample.auditLog()[0] = 'X';

        // Then
        assertThat(sample.objects().get(0).path("metadata").path("name").asText()).isNotEqualTo("changed");
        assertThat(sample.auditLog()[0]).isEqualTo((byte) '{');
    }

    @Test
    void shouldListEveryBundledFileInTheIndex() throws IOException, URISyntaxException {
        // Given: the bundle as a directory (target/classes while testing)
        Path root = Path.of(SampleCluster.class.getClassLoader().getResource(SampleCluster.RESOURCE_ROOT + "index.txt").toURI()).getParent();

        // When
        Set<String> onDisk;
        try (Stream<Path> files = Files.walk(root)) {
            onDisk = files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.equals("index.txt")).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> indexed = Files.readAllLines(root.resolve("index.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));

        // Then
        assertThat(indexed).isEqualTo(onDisk);
    }

    @Test
    void shouldWriteTheAuditLogAndReportsForTheFileSources() throws IOException {
        // Given
        Path directory = Files.createTempDirectory("kubeproof-demo-files");

        // When
        Path log = sample.writeAuditLog(directory.resolve("audit"));
        List<Path> reports = sample.writeTrivyReports(directory.resolve("trivy"));
        var modified = Files.getLastModifiedTime(log);
        Path again = sample.writeAuditLog(directory.resolve("audit"));

        // Then
        assertThat(log.getFileName().toString()).isEqualTo(SampleCluster.AUDIT_LOG_FILE);
        assertThat(Files.readAllBytes(log)).isEqualTo(sample.auditLog());
        assertThat(reports).extracting(p -> p.getFileName().toString()).containsExactlyElementsOf(sample.trivyReports().keySet());
        for (Path report : reports) {
            assertThat(Files.readAllBytes(report)).isEqualTo(sample.trivyReports().get(report.getFileName().toString()));
        }
        // an identical file is left alone, so a tailer's position stays valid; no temporary files are left behind
        assertThat(again).isEqualTo(log);
        assertThat(Files.getLastModifiedTime(log)).isEqualTo(modified);
        try (Stream<Path> files = Files.list(directory.resolve("audit"))) {
            assertThat(files).containsExactly(log);
        }
    }

    @Test
    void shouldGiveTheGovernanceDocumentsAValidityFromTheGivenTime() {
        // When the sample's exceptions and attestations are taken at a moment
        Instant now = Instant.parse("2026-11-29T10:00:00Z");
        List<JsonNode> exceptions = sample.exceptions(now);
        List<JsonNode> attestations = sample.attestations(now);

        // Then each ends its validFor after that moment, and covers objects the sample has
        assertThat(exceptions).extracting(e -> e.at("/metadata/name").asText())
                .containsExactly("node-exporter-host-access", "ingress-controller-api-token");
        assertThat(exceptions.get(0).at("/spec/expiresAt").asText()).isEqualTo("2027-02-27T10:00:00Z");
        assertThat(exceptions).allSatisfy(e -> {
            assertThat(e.at("/spec/validFor").isMissingNode()).isTrue();
            String kind = e.at("/spec/match/kind").asText();
            String name = e.at("/spec/match/name").asText();
            assertThat(sample.objects(kind)).anyMatch(o -> o.at("/metadata/name").asText().equals(name));
        });
        assertThat(attestations).extracting(a -> a.at("/spec/controlId").asText()).containsExactly("KP-ATT-001", "KP-ATT-002");
        assertThat(attestations.get(0).at("/spec/attestedAt").asText()).isEqualTo("2026-11-29T10:00:00Z");
        assertThat(attestations.get(1).at("/spec/validUntil").asText()).isEqualTo("2027-05-28T10:00:00Z");
    }
}
