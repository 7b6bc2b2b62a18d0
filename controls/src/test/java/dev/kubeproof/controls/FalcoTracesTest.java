package dev.kubeproof.controls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The objects of Falco's audit traces (each create event's responseObject) evaluate as a person expects. Falco's own
 * regression suite says which rule each trace must trigger; kubeproof's controls must agree.
 */
class FalcoTracesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Falco's pods are made by ReplicaSets: judged here as objects of their own, as that setting does. */
    private final ControlEngine engine = ControlEngine.load(ControlSettings.defaults().with(
            JSON.createObjectNode().put("judgeOwnedWorkloads", true)));

    @Test
    void shouldJudgeAReplicaSetsPodOnItsOwnerByDefault() throws IOException {
        // Given the ReplicaSet's privileged pod of create_nginx_pod_privileged.json, and the default settings
        JsonNode pod = createdPod("create_nginx_pod_privileged.json");

        // When it is evaluated
        ControlResult privileged = ControlEngine.withDefaults().evaluate(pod, ClusterView.empty()).stream()
                .filter(r -> r.control().id().equals("KP-POD-001")).findFirst().orElseThrow();

        // Then the finding is left to its owner, which the message names
        assertThat(privileged.status()).isEqualTo(Status.NOT_APPLICABLE);
        assertThat(privileged.message()).startsWith("judged on its owner ReplicaSet/");
    }

    @Test
    void shouldFailThePrivilegedControlOnlyForContainerNginxOfThePrivilegedPod() throws IOException {
        // Given the pod created in create_nginx_pod_privileged.json
        JsonNode pod = createdPod("create_nginx_pod_privileged.json");

        // When it is evaluated
        ControlResult privileged = result(pod, "KP-POD-001");

        // Then only container nginx fails, at its securityContext.privileged field
        assertThat(privileged.status()).isEqualTo(Status.FAIL);
        assertThat(privileged.findings()).containsExactly(new Finding("spec.containers[0].securityContext.privileged",
                "nginx", "true", "container nginx runs privileged"));
        assertThat(result(pod, "KP-POD-002").status()).isEqualTo(Status.PASS);
    }

    @Test
    void shouldFailTheHostNetworkControlForTheHostNetworkPod() throws IOException {
        // Given the pod created in create_nginx_pod_hostnetwork.json
        JsonNode pod = createdPod("create_nginx_pod_hostnetwork.json");

        // When it is evaluated
        ControlResult hostNetwork = result(pod, "KP-POD-002");

        // Then hostNetwork fails at spec.hostNetwork, and nothing claims it runs privileged
        assertThat(hostNetwork.status()).isEqualTo(Status.FAIL);
        assertThat(hostNetwork.findings()).extracting(Finding::path, Finding::value)
                .containsExactly(tuple("spec.hostNetwork", "true"));
        assertThat(result(pod, "KP-POD-001").status()).isEqualTo(Status.PASS);
    }

    @Test
    void shouldNotFailTheHostNetworkOrPrivilegedControlsForTheNoHostNetworkPod() throws IOException {
        // Given the pod created in create_nginx_pod_nohostnetwork.json
        JsonNode pod = createdPod("create_nginx_pod_nohostnetwork.json");

        // When it is evaluated / Then neither hostNetwork nor privileged fails
        assertThat(result(pod, "KP-POD-002").status()).isEqualTo(Status.PASS);
        assertThat(result(pod, "KP-POD-001").status()).isEqualTo(Status.PASS);
    }

    @Test
    void shouldFailEveryConfigMapWithCredentialsOfTheSensitiveValuesTraceAndPassTheOther() throws IOException {
        // Given the six ConfigMaps of create_configmap_sensitive_values.json and the one of the negative trace
        List<JsonNode> sensitive = created("create_configmap_sensitive_values.json", "ConfigMap");
        JsonNode plain = created("create_configmap_no_sensitive_values.json", "ConfigMap").get(0);

        // Then each sensitive one fails on its two credential lines in access.properties, never showing the value
        assertThat(sensitive).hasSize(6).allSatisfy(configMap -> {
            ControlResult result = result(configMap, "KP-SEC-002");
            assertThat(result.status()).isEqualTo(Status.FAIL);
            assertThat(result.findings()).hasSize(2).allSatisfy(f -> {
                assertThat(f.path()).isEqualTo("data[\"access.properties\"]");
                assertThat(f.value()).isNull();
                assertThat(f.message()).doesNotContain("MY-KEY").doesNotContain("MY-ID");
            });
        });
        assertThat(result(plain, "KP-SEC-002").status()).isEqualTo(Status.PASS);
    }

    @Test
    void shouldFailTheWildcardClusterRoleEvenThoughItCopiesTheBuiltInLabel() throws IOException {
        // Given the ClusterRole of create_cluster_role_wildcard_verbs.json, labelled kubernetes.io/bootstrapping=rbac-defaults
        JsonNode role = created("create_cluster_role_wildcard_verbs.json", "ClusterRole").get(0);

        // When it is evaluated / Then its wildcard verbs fail: the label does not make a role built in
        ControlResult wildcards = result(role, "KP-RBAC-002");
        assertThat(wildcards.status()).isEqualTo(Status.FAIL);
        assertThat(wildcards.findings()).extracting(Finding::path, Finding::value)
                .containsExactly(tuple("rules[0].verbs", "[\"*\"]"));
    }

    private ControlResult result(JsonNode pod, String controlId) {
        List<ControlResult> results = engine.evaluate(pod, ClusterView.empty());
        assertThat(results).noneMatch(r -> r.status() == Status.ERROR);
        return results.stream().filter(r -> r.control().id().equals(controlId)).findFirst().orElseThrow();
    }

    /** The Pod of the trace's create event: its responseObject. */
    private static JsonNode createdPod(String file) throws IOException {
        return created(file, "Pod").get(0);
    }

    /** The objects of a kind that the trace's create events returned (responseObject), in order. */
    private static List<JsonNode> created(String file, String kind) throws IOException {
        Path trace = fixtures().resolve("k8s-audit/falco-traces").resolve(file);
        List<JsonNode> objects = new ArrayList<>();
        for (String line : Files.readAllLines(trace)) {
            if (line.isBlank()) {
                continue; // some traces end with an empty line
            }
            JsonNode event = JSON.readTree(line);
            if (event.path("verb").asText().equals("create") && event.path("responseObject").path("kind").asText().equals(kind)) {
                objects.add(event.path("responseObject"));
            }
        }
        assertThat(objects).as("create events returning a %s in %s", kind, file).isNotEmpty();
        return objects;
    }

    static Path fixtures() {
        String property = System.getProperty("kubeproof.fixtures");
        if (property == null || !Files.isDirectory(Path.of(property))) {
            throw new IllegalStateException("system property kubeproof.fixtures must name the shared fixtures folder, was " + property);
        }
        return Path.of(property);
    }
}
