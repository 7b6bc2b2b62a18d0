package dev.kubeproof.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example audit policy in deploy/audit does what its README promises (first matching rule wins). */
class AuditPolicyTest {
    private static final List<String> WRITES = List.of("create", "update", "patch", "delete", "deletecollection");
    private static final List<String> ALL_VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete",
            "deletecollection");

    private static JsonNode policy() throws Exception {
        String root = System.getProperty("kubeproof.repo.root");
        assertThat(root).as("system property kubeproof.repo.root (set by the parent pom)").isNotNull();
        Path file = Path.of(root, "deploy", "audit", "audit-policy.yaml");
        assertThat(file).exists();
        JsonNode policy = new YAMLMapper().readTree(Files.readString(file));
        assertThat(policy.path("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
        assertThat(policy.path("kind").asText()).isEqualTo("Policy");
        return policy;
    }

    /** The level the policy gives a request of an ordinary user (no user or group rule applies to them). */
    private static String levelFor(JsonNode policy, String user, String group, String resource, String verb) throws Exception {
        for (JsonNode rule : policy.path("rules")) {
            if (rule.has("nonResourceURLs")) {
                continue;
            }
            if (rule.has("users") && !contains(rule.get("users"), user)) {
                continue;
            }
            if (rule.has("userGroups")) {
                continue;
            }
            if (rule.has("verbs") && !contains(rule.get("verbs"), verb)) {
                continue;
            }
            if (rule.has("resources") && !matchesResource(rule.get("resources"), group, resource)) {
                continue;
            }
            return rule.path("level").asText();
        }
        return "None";
    }

    private static boolean matchesResource(JsonNode resources, String group, String resource) {
        for (JsonNode entry : resources) {
            if (entry.path("group").asText("").equals(group)
                    && (contains(entry.get("resources"), resource) || contains(entry.get("resources"), "*"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(JsonNode array, String value) {
        if (array == null) {
            return false;
        }
        for (JsonNode item : array) {
            if (item.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    @ParameterizedTest
    @ValueSource(strings = {"secrets", "configmaps", "serviceaccounts/token"})
    void shouldRecordCredentialsOnlyAtMetadataLevelForEveryVerb(String resource) throws Exception {
        JsonNode policy = policy();
        for (String verb : ALL_VERBS) {
            assertThat(levelFor(policy, "alice", "", resource, verb)).as("%s %s", verb, resource).isEqualTo("Metadata");
        }
        assertThat(levelFor(policy, "alice", "authentication.k8s.io", "tokenreviews", "create")).isEqualTo("Metadata");
    }

    @Test
    void shouldRecordPodAndRbacChangesWithRequestAndResponse() throws Exception {
        JsonNode policy = policy();
        for (String verb : WRITES) {
            assertThat(levelFor(policy, "alice", "", "pods", verb)).isEqualTo("RequestResponse");
            for (String rbac : List.of("roles", "rolebindings", "clusterroles", "clusterrolebindings")) {
                assertThat(levelFor(policy, "alice", "rbac.authorization.k8s.io", rbac, verb)).isEqualTo("RequestResponse");
            }
        }
        assertThat(levelFor(policy, "alice", "", "pods/exec", "create")).isEqualTo("Request");
        assertThat(levelFor(policy, "alice", "apps", "deployments", "create")).isEqualTo("Request");
        assertThat(levelFor(policy, "alice", "", "pods", "get")).isEqualTo("Metadata");
    }

    @Test
    void shouldDropNoisyReadOnlySystemTraffic() throws Exception {
        JsonNode policy = policy();
        assertThat(levelFor(policy, "system:kube-proxy", "", "endpoints", "watch")).isEqualTo("None");
        assertThat(levelFor(policy, "system:kube-scheduler", "", "pods", "list")).isEqualTo("None");
        assertThat(levelFor(policy, "alice", "coordination.k8s.io", "leases", "update")).isEqualTo("None");
        // but a system component's writes are still recorded
        assertThat(levelFor(policy, "system:kube-controller-manager", "", "pods", "create")).isEqualTo("RequestResponse");
        assertThat(policy.path("rules").findValuesAsText("level")).contains("None");
        assertThat(policy.toString()).contains("/healthz*");
    }
}
