package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.OwnerReference;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.runtime.AuditRules;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.support.AuditEvents;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;
import dev.kubeproof.siem.ControlCatalog;

/**
 * Falco's audit traces (real API server events), as the collector publishes them, followed by the objects their
 * creates returned as the informers would see them: the findings and actors a person expects, and nothing else.
 */
class FalcoTracesTopologyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant OBSERVED = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyHarness topology;
    private List<EvidenceRecord> evidence;
    private List<String> violations;

    @BeforeEach
    void start() {
        // Falco's pods are made by ReplicaSets whose writes are not in the traces: judged as objects of their own
        ControlEngine engine = ControlEngine.load(ControlSettings.defaults().with(
                JsonNodeFactory.instance.objectNode().put("judgeOwnedWorkloads", true)));
        topology = new TopologyHarness(stateDir, engine, ViolationFormats.named("ecs", ControlCatalog.of(engine)));
    }

    @AfterEach
    void close() {
        topology.close();
    }

    /** Feeds the trace's events, then each created object as an ADDED change; reads every output. */
    private void replay(String file) throws IOException {
        Path trace = fixtures().resolve(file);
        for (AuditEvent event : AuditEvents.file(trace)) {
            topology.audit(event);
        }
        for (String line : Files.readAllLines(trace)) {
            JsonNode event = line.isBlank() ? null : JSON.readTree(line);
            if (event != null && event.path("verb").asText().equals("create") && event.path("responseObject").has("metadata")
                    && event.path("responseObject").path("metadata").has("uid")) {
                topology.pipe(changeOf((ObjectNode) event.get("responseObject")));
            }
        }
        evidence = topology.evidence();
        violations = topology.violations.readValuesToList();
    }

    /** The runtime detections (FAIL records; each 2018 trace's detection is closed at once: it is long quiet). */
    private List<EvidenceRecord> runtime() {
        return evidence.stream().filter(r -> r.getControlId().startsWith("KP-RUN-")
                && !r.getControlId().equals(AuditRules.AUDIT_SILENCE) && r.getStatus() == EvidenceStatus.FAIL).toList();
    }

    @Test
    void shouldFindTheExecOfMinikubeUser() throws IOException {
        replay("exec_pod.json");

        assertThat(runtime()).singleElement().satisfies(r -> {
            assertThat(r.getControlId()).isEqualTo(AuditRules.EXEC);
            assertThat(r.getActor()).isEqualTo("minikube-user");
            assertThat(r.getMessage()).isEqualTo(
                    "minikube-user exec into pod default/nginx-deployment-7998647bdf-phvq7 container nginx1: bash");
        });
    }

    @Test
    void shouldFindTheWildcardClusterRoleAndNameWhoCreatedIt() throws IOException {
        replay("create_cluster_role_wildcard_verbs.json");

        assertThat(runtime()).singleElement().satisfies(r -> {
            assertThat(r.getControlId()).isEqualTo(AuditRules.RBAC_ESCALATION);
            assertThat(r.getMessage()).isEqualTo("minikube-user created ClusterRole some-reader: grants every verb (*)");
        });
        // and the ClusterRole's own state evidence names the same writer
        EvidenceRecord wildcards = evidence.stream().filter(r -> r.getControlId().equals("KP-RBAC-002")).findFirst().orElseThrow();
        assertThat(wildcards.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(wildcards.getActor()).isEqualTo("minikube-user");
        assertThat(wildcards.getAttribution().getMethod()).isEqualTo(AttributionMethod.REQUEST);
    }

    @Test
    void shouldEvaluateTheBasicUserBindingWithItsActorAndFindNoEscalation() throws IOException {
        replay("create_clusterrolebinding.json");

        assertThat(runtime()).as("system:basic-user is no escalation").isEmpty();
        List<EvidenceRecord> binding = evidence.stream()
                .filter(r -> r.getResource().getKind().equals("ClusterRoleBinding")).toList();
        assertThat(binding).isNotEmpty().allSatisfy(r -> assertThat(r.getActor()).isEqualTo("minikube-user"));
    }

    @Test
    void shouldFindThePrivilegedPodCreationByTheReplicaSetController() throws IOException {
        replay("create_nginx_pod_privileged.json");

        String controller = "system:serviceaccount:kube-system:replicaset-controller";
        assertThat(runtime()).singleElement().satisfies(r -> {
            assertThat(r.getControlId()).isEqualTo(AuditRules.PRIVILEGED_WORKLOAD);
            assertThat(r.getMessage()).isEqualTo(controller
                    + " created Pod default/nginx-deployment-5cdcc99dbf-rgw6z: container nginx runs privileged");
            assertThat(r.getActor()).isEqualTo(controller);
        });
        EvidenceRecord privileged = evidence.stream().filter(r -> r.getControlId().equals("KP-POD-001")).findFirst().orElseThrow();
        assertThat(privileged.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        // No write of the owning ReplicaSet or Deployment is in the trace: the controller itself is named, nobody guessed
        assertThat(privileged.getActor()).isEqualTo(controller);
        assertThat(privileged.getAttribution().getMethod()).isEqualTo(AttributionMethod.REQUEST);
    }

    @Test
    void shouldNeverCarryTheSecretsValueAnywhere() throws IOException {
        replay("create_secret.json");

        String value = "MzFiNGQ0YjctMDAyNi00YzI3LWJiMGItNDk5ZDZkZjg1ZGJi";
        assertThat(runtime()).isEmpty();
        assertThat(evidence).allSatisfy(r -> assertThat(r.toString()).doesNotContain(value));
        assertThat(violations).allSatisfy(v -> assertThat(v).doesNotContain(value));
        assertThat(topology.deadLetters.readValuesToList()).isEmpty();
    }

    @Test
    void shouldFindNothingSpuriousInTheConfigMapNamespaceAndDeploymentTraces() throws IOException {
        for (String file : List.of("create_configmap_no_sensitive_values.json", "create_configmap_sensitive_values.json",
                "some-user_creates_namespace_foo.json", "delete_namespace_foo.json", "create_deployment.json",
                "create_nginx_pod_nohostnetwork.json", "create_nginx_service_nodeport.json")) {
            replay(file);
            assertThat(runtime()).as(file).isEmpty();
        }
    }

    private static ResourceChange changeOf(ObjectNode object) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        ResourceChange change = Resources.change(AuditEvents.CLUSTER, ChangeType.ADDED, object,
                metadata.path("resourceVersion").asText(), OBSERVED);
        List<OwnerReference> owners = new ArrayList<>();
        for (JsonNode owner : metadata.path("ownerReferences")) {
            owners.add(OwnerReference.newBuilder().setApiVersion(owner.path("apiVersion").asText())
                    .setKind(owner.path("kind").asText()).setName(owner.path("name").asText())
                    .setUid(owner.path("uid").asText()).setController(owner.path("controller").asBoolean(false)).build());
        }
        change.setOwnerReferences(owners);
        return change;
    }

    private static Path fixtures() {
        Path fixtures = Path.of(System.getProperty("kubeproof.fixtures", "missing-kubeproof.fixtures"));
        Path traces = fixtures.resolve("k8s-audit/falco-traces");
        assertThat(traces).as("fixtures (system property kubeproof.fixtures)").isDirectory();
        return traces;
    }
}
