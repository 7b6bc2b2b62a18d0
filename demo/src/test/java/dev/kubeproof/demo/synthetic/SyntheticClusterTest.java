package dev.kubeproof.demo.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.demo.SampleApiServer;

class SyntheticClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SyntheticClusterShape SMALL = new SyntheticClusterShape(103, 5, 20, 7);

    @Test
    void shouldGenerateTheObjectsItCountsWithUniqueUidsAndTheShapesProportions() {
        // Given a small shape whose pods do not divide evenly over its Deployments
        SyntheticCluster cluster = SyntheticCluster.of(SMALL);

        // When every object is generated
        List<ObjectNode> objects = new ArrayList<>();
        cluster.objects().forEachRemaining(objects::add);

        // Then the count is the announced one, every uid unique, and the kinds match the shape
        assertThat(objects).hasSize(cluster.objectCount());
        Set<String> uids = new HashSet<>();
        Map<String, Integer> kinds = new HashMap<>();
        for (ObjectNode object : objects) {
            assertThat(uids.add(object.at("/metadata/uid").asText())).as("unique uid %s", object.at("/metadata/name")).isTrue();
            kinds.merge(object.get("kind").asText(), 1, Integer::sum);
        }
        assertThat(kinds).containsEntry("Pod", 103).containsEntry("Deployment", 20).containsEntry("ReplicaSet", 20)
                .containsEntry("Namespace", 5).containsEntry("NetworkPolicy", 4).containsEntry("Service", 20);
    }

    @Test
    void shouldGenerateTheSameClusterEveryTime() {
        // Given two iterations of the same shape
        List<ObjectNode> first = new ArrayList<>();
        List<ObjectNode> second = new ArrayList<>();
        SyntheticCluster.of(SMALL).objects().forEachRemaining(first::add);
        SyntheticCluster.of(SMALL).objects().forEachRemaining(second::add);

        // Then they are equal, resourceVersions included
        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldOwnPodsByTheirReplicaSetAndMakeEveryTenthDeploymentPrivileged() {
        // Given the objects
        List<ObjectNode> objects = new ArrayList<>();
        SyntheticCluster cluster = SyntheticCluster.of(SMALL);
        cluster.objects().forEachRemaining(objects::add);

        // When the privileged workloads are counted: all of them, and the Deployments that carry the finding
        long privileged = objects.stream().filter(o -> privileged(o)).count();
        long deployments = objects.stream().filter(o -> o.get("kind").asText().equals("Deployment") && privileged(o)).count();

        // Then Deployments 0 (6 pods) and 10 (5 pods) with their ReplicaSets and pods are privileged, the two
        // Deployments are the expected failures, and each pod names its ReplicaSet's uid
        assertThat(privileged).isEqualTo((2 + 6) + (2 + 5));
        assertThat(deployments).isEqualTo(cluster.expectedFailures("KP-POD-001")).isEqualTo(2);
        Map<String, String> replicaSets = new HashMap<>();
        objects.stream().filter(o -> o.get("kind").asText().equals("ReplicaSet"))
                .forEach(o -> replicaSets.put(o.at("/metadata/name").asText(), o.at("/metadata/uid").asText()));
        objects.stream().filter(o -> o.get("kind").asText().equals("Pod")).forEach(pod ->
                assertThat(pod.at("/metadata/ownerReferences/0/uid").asText())
                        .isEqualTo(replicaSets.get(pod.at("/metadata/ownerReferences/0/name").asText())));
        assertThatThrownBy(() -> cluster.expectedFailures("KP-POD-006")).hasMessageContaining("KP-POD-001 only");
    }

    @Test
    void shouldServeTheClusterThroughAKubernetesApi() {
        // Given the cluster served by the mock API
        SyntheticCluster cluster = SyntheticCluster.of(SMALL);
        try (SampleApiServer api = cluster.startApiServer(); KubernetesClient client = api.newClient()) {
            // Then a client lists what was generated
            assertThat(api.objectCount()).isEqualTo(cluster.objectCount());
            assertThat(client.pods().inAnyNamespace().list().getItems()).hasSize(103);
            assertThat(client.apps().deployments().inNamespace("team-0000").list().getItems()).hasSize(4);
        }
    }

    @Test
    void shouldWriteOneTrivyReportPerImageAndTheAuditLog(@TempDir Path dir) throws Exception {
        // Given the cluster
        SyntheticCluster cluster = SyntheticCluster.of(SMALL);

        // When its reports and audit log are written
        List<Path> reports = cluster.writeTrivyReports(dir.resolve("trivy"));
        Path log = cluster.writeAuditLog(dir.resolve("audit/audit.log"));

        // Then there is one report per image, and one audit event per Deployment plus one exec per namespace
        assertThat(reports).hasSize(7);
        JsonNode report = JSON.readTree(reports.get(0).toFile());
        assertThat(report.get("SchemaVersion").asInt()).isEqualTo(2);
        assertThat(report.at("/Metadata/RepoDigests/0").asText()).matches(".+@sha256:[0-9a-f]{64}");
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(cluster.auditEventCount()).hasSize(25);
        assertThat(lines.stream().filter(line -> line.contains("\"subresource\":\"exec\""))).hasSize(5);
        for (String line : lines) {
            assertThat(JSON.readTree(line).get("kind").asText()).isEqualTo("Event");
        }
    }

    @Test
    void shouldOfferHardenedDeploymentsAndTheAuditEventOfTheirUpdate() throws Exception {
        // Given the cluster
        SyntheticCluster cluster = SyntheticCluster.of(SMALL);

        // When asked for hardened Deployments, more than it has
        List<ObjectNode> deployments = cluster.hardenedDeployments(1_000);

        // Then it gives Deployments 5-9 and 15-19 (five in ten are hardened), none privileged
        assertThat(deployments).hasSize(10).allSatisfy(d -> assertThat(privileged(d)).isFalse())
                .allSatisfy(d -> assertThat(d.get("kind").asText()).isEqualTo("Deployment"));
        assertThat(cluster.hardenedDeployments(3)).extracting(d -> d.at("/metadata/name").asText())
                .containsExactly("svc-5", "svc-6", "svc-7");
        JsonNode audit = JSON.readTree(SyntheticCluster.updateAudit(deployments.get(0), "dev@example.com",
                java.time.Instant.parse("2026-02-01T00:00:00Z")));
        assertThat(audit.get("verb").asText()).isEqualTo("update");
        assertThat(audit.at("/objectRef/resource").asText()).isEqualTo("deployments");
        assertThat(audit.at("/objectRef/name").asText()).isEqualTo("svc-5");
    }

    @Test
    void shouldRefuseShapesThatCannotExist() {
        assertThatThrownBy(() -> new SyntheticClusterShape(10, 2, 11, 1)).hasMessageContaining("deployments (11)");
        assertThatThrownBy(() -> new SyntheticClusterShape(10, 0, 5, 1)).hasMessageContaining("namespaces must be at least 1");
        assertThat(SyntheticClusterShape.DEFAULT).isEqualTo(new SyntheticClusterShape(20_000, 1_000, 5_000, 2_000));
    }

    private static boolean privileged(JsonNode object) {
        JsonNode spec = object.get("kind").asText().equals("Pod") ? object.get("spec") : object.at("/spec/template/spec");
        return spec != null && spec.path("containers").path(0).at("/securityContext/privileged").asBoolean(false);
    }
}
