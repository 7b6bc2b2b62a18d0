package dev.kubeproof.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SampleApiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SampleCluster sample;
    private static SampleApiServer server;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        sample = SampleCluster.load();
        server = sample.startApiServer();
        client = server.newClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void shouldServeOnALoopbackPort() {
        // Given / When / Then
        assertThat(server.url()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(server.objectCount()).isEqualTo(sample.objects().size());
        assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo(SampleApiServer.KUBERNETES_VERSION);
    }

    @Test
    void shouldListBackEveryObjectExactlyAsBundled() throws IOException {
        // Given
        Map<String, JsonNode> expected = byKey(sample.objects());

        // When
        Map<String, JsonNode> listed = byKey(listEverything(client));

        // Then: same objects, same uids, timestamps and resourceVersions, same content
        assertThat(listed.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, object) -> assertThat(listed.get(key)).as(key).isEqualTo(object));
    }

    @Test
    void shouldServeTheSameStateFromEveryServerItStarts() throws IOException {
        // Given
        String first = canonical(listEverything(client));

        // When
        String second;
        try (SampleApiServer other = sample.startApiServer(); KubernetesClient otherClient = other.newClient()) {
            second = canonical(listEverything(otherClient));
        }

        // Then
        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldFeedAnInformerEveryPod() {
        // Given
        long pods = sample.objects("Pod").size();

        // When
        try (SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().inform()) {
            // Then
            await().atMost(Duration.ofSeconds(30)).until(() -> informer.getStore().list().size() == pods);
            assertThat(informer.getStore().list()).extracting(p -> p.getMetadata().getUid())
                    .containsExactlyInAnyOrderElementsOf(sample.objects("Pod").stream()
                            .map(p -> p.path("metadata").path("uid").asText()).toList());
        }
    }

    @Test
    void shouldListInPagesWhenAskedForALimitAsAnApiServerDoes() {
        // Given
        List<String> expected = sample.objects("Pod").stream().map(p -> p.path("metadata").path("uid").asText()).toList();
        assertThat(expected).hasSizeGreaterThan(5);

        // When: pages of 2, following each continue token
        List<String> listed = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String next = null;
        do {
            PodList page = client.pods().inAnyNamespace()
                    .list(new ListOptionsBuilder().withLimit(2L).withContinue(next).build());
            page.getItems().forEach(p -> listed.add(p.getMetadata().getUid()));
            pageSizes.add(page.getItems().size());
            next = page.getMetadata().getContinue();
            if (next != null) {
                assertThat(page.getMetadata().getRemainingItemCount()).isEqualTo(expected.size() - listed.size());
            }
        } while (next != null && !next.isEmpty());

        // Then every pod once, in pages of at most 2
        assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(pageSizes).hasSize((expected.size() + 1) / 2).allMatch(size -> size <= 2);
    }

    @Test
    void shouldAnswerAnUnknownContinueTokenWithGoneSoThatTheClientListsAgain() {
        // Given / When / Then
        for (String token : List.of("no-such-snapshot/2", "no-such-snapshot", "no-such-snapshot/x")) {
            assertThatThrownBy(() -> client.pods().inAnyNamespace()
                    .list(new ListOptionsBuilder().withLimit(2L).withContinue(token).build()))
                    .as(token)
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(410));
        }
    }

    @Test
    void shouldFeedAnInformerThatListsInPagesEveryPod() {
        // Given
        long pods = sample.objects("Pod").size();

        // When
        try (SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().withLimit(3L).inform()) {
            // Then
            await().atMost(Duration.ofSeconds(30)).until(() -> informer.getStore().list().size() == pods);
            assertThat(informer.getStore().list()).extracting(p -> p.getMetadata().getUid())
                    .containsExactlyInAnyOrderElementsOf(sample.objects("Pod").stream()
                            .map(p -> p.path("metadata").path("uid").asText()).toList());
        }
    }

    @Test
    void shouldAcceptWritesWithResourceVersionsAboveTheSamples() {
        // Given: what leader election writes
        long highest = sample.objects().stream()
                .mapToLong(o -> Long.parseLong(o.path("metadata").path("resourceVersion").asText())).max().orElseThrow();
        Lease lease = new LeaseBuilder().withNewMetadata().withName("kubeproof-resources-test").withNamespace("kubeproof").endMetadata()
                .withNewSpec().withHolderIdentity("test").withLeaseDurationSeconds(15).endSpec().build();

        // When
        Lease created = client.leases().inNamespace("kubeproof").resource(lease).create();

        // Then
        assertThat(Long.parseLong(created.getMetadata().getResourceVersion())).isGreaterThan(highest);
        assertThat(client.leases().inNamespace("kubeproof").withName("kubeproof-resources-test").get()).isNotNull();
        client.leases().inNamespace("kubeproof").withName("kubeproof-resources-test").delete();
    }

    @Test
    void shouldWriteAKubeconfigThatReachesTheServer() throws IOException {
        // Given
        Path file = Files.createTempDirectory("kubeproof-demo").resolve("kubeconfig");

        // When
        server.writeKubeconfig(file);
        Config config = Config.fromKubeconfig(null, file.toFile());

        // Then
        assertThat(config.getMasterUrl()).startsWith(server.url());
        assertThat(config.getCurrentContext().getName()).isEqualTo(SampleApiServer.CONTEXT);
        try (KubernetesClient viaFile = new KubernetesClientBuilder().withConfig(config).build()) {
            assertThat(viaFile.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
                    .contains("payments", "web", "data", "monitoring", "batch", "default", "kube-system");
        }
    }

    @Test
    void shouldReportNoVulnerabilityReportCrd() {
        // Given / When: the resource collector's discovery of its one optional kind
        var resources = client.getApiResources("aquasecurity.github.io/v1alpha1");

        // Then
        assertThat(resources == null || resources.getResources().isEmpty()).isTrue();
    }

    /** Lists every kind the sample holds, through fabric8's generic API, across namespaces. */
    private static List<JsonNode> listEverything(KubernetesClient client) throws IOException {
        Map<String, String> kinds = new LinkedHashMap<>();
        sample.objects().forEach(o -> kinds.put(o.path("kind").asText(), o.path("apiVersion").asText()));
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<JsonNode> out = new ArrayList<>();
        for (var kind : kinds.entrySet()) {
            List<GenericKubernetesResource> items = client.genericKubernetesResources(kind.getValue(), kind.getKey())
                    .inAnyNamespace().list().getItems();
            for (GenericKubernetesResource item : items) {
                out.add(JSON.readTree(serialization.asJson(item)));
            }
        }
        return out;
    }

    private static Map<String, JsonNode> byKey(List<JsonNode> objects) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        objects.forEach(o -> out.put(SampleCluster.key(o), o));
        return out;
    }

    private static String canonical(List<JsonNode> objects) {
        List<JsonNode> sorted = new ArrayList<>(objects);
        sorted.sort(Comparator.comparing(o -> o.path("metadata").path("uid").asText()));
        return sorted.toString();
    }
}
