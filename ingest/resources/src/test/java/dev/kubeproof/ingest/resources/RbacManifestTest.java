package dev.kubeproof.ingest.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.kubeproof.ingest.resources.kinds.KindCatalog;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import org.junit.jupiter.api.Test;

/** deploy/rbac/resources-collector.yaml grants exactly what the collector uses, and no more. */
class RbacManifestTest {

    @Test
    void shouldGrantReadAccessToExactlyTheWatchedKindsAndSecretsWithoutGet() throws IOException {
        // Given
        Map<String, JsonNode> documents = manifest();
        JsonNode clusterRole = documents.get("ClusterRole");

        // When
        Map<String, Set<String>> verbsByResource = new HashMap<>();
        for (JsonNode rule : clusterRole.path("rules")) {
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    Set<String> verbs = new HashSet<>();
                    rule.path("verbs").forEach(verb -> verbs.add(verb.asText()));
                    Set<String> previous = verbsByResource.put(group.asText() + "/" + resource.asText(), verbs);
                    assertThat(previous).as("one rule per resource: " + resource.asText()).isNull();
                }
            }
        }

        // Then
        Map<String, Set<String>> expected = new HashMap<>();
        for (WatchedKind kind : KindCatalog.all()) {
            expected.put(kind.group() + "/" + kind.plural(),
                    kind.metadataOnly() ? Set.of("list", "watch") : Set.of("get", "list", "watch"));
        }
        assertThat(verbsByResource).isEqualTo(expected);
    }

    @Test
    void shouldLetTheCollectorManageOnlyItsOwnLease() throws IOException {
        // Given
        JsonNode role = manifest().get("Role");
        String leaseName = ResourceCollectorConfig.LeaderElection.defaults().leaseName();

        // Then: what fabric8's LeaseLock does (get, create, JSON merge patch), in the collector's namespace only
        assertThat(role.path("metadata").path("namespace").asText())
                .isEqualTo(ResourceCollectorConfig.LeaderElection.defaults().namespace());
        List<String> grants = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            assertThat(rule.path("apiGroups").get(0).asText()).isEqualTo("coordination.k8s.io");
            assertThat(rule.path("resources").get(0).asText()).isEqualTo("leases");
            String names = rule.has("resourceNames") ? rule.path("resourceNames").get(0).asText() : "*";
            rule.path("verbs").forEach(verb -> grants.add(verb.asText() + " " + names));
        }
        assertThat(grants).containsExactlyInAnyOrder("create *", "get " + leaseName, "patch " + leaseName);
    }

    private static Map<String, JsonNode> manifest() throws IOException {
        String root = System.getProperty("kubeproof.repo.root");
        assertThat(root).as("system property kubeproof.repo.root").isNotNull();
        Path file = Path.of(root, "deploy", "rbac", "resources-collector.yaml");
        assertThat(file).exists();
        Map<String, JsonNode> byKind = new HashMap<>();
        YAMLMapper yaml = new YAMLMapper();
        try (MappingIterator<JsonNode> documents = yaml.readerFor(JsonNode.class)
                .readValues(Files.readString(file))) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                byKind.put(document.path("kind").asText(), document);
            }
        }
        assertThat(byKind).containsOnlyKeys("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
        return byKind;
    }
}
