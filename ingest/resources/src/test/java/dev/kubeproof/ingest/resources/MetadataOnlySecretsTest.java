package dev.kubeproof.ingest.resources;

import static dev.kubeproof.ingest.resources.Fixtures.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.ingest.resources.MockTopics.Published;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig.LeaderElection;
import dev.kubeproof.ingest.resources.informer.VulnerabilityReportListener;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets as a real API server answers a metadata-only request: a {@code PartialObjectMetadataList} for the list
 * and {@code PartialObjectMetadata} objects in watch events (the CRUD mock ignores the Accept header, so these
 * answers are scripted here, only when the request asks for them).
 */
@EnableKubernetesMockClient
class MetadataOnlySecretsTest {
    private static final String PARTIAL_LIST = """
            {"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"100"},
             "items":[{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
                       "metadata":{"name":"db","namespace":"shop","uid":"u-db","resourceVersion":"90",
                                   "labels":{"app":"db"}}}]}
            """;

    KubernetesMockServer server;
    KubernetesClient client;
    private ResourceCollector collector;

    @AfterEach
    void close() {
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    void shouldPublishSecretsFromPartialObjectMetadataListsAndWatchEvents() throws Exception {
        // Given: the server answers metadata only
        server.expect().get().withPath("/api/v1/secrets?limit=" + ResourceCollectorConfig.DEFAULT_LIST_PAGE_SIZE)
                .andReturn(200, PARTIAL_LIST)
                .withHeader("Content-Type", "application/json")
                .always();
        server.expect().get()
                .withPath("/api/v1/secrets?allowWatchBookmarks=true&resourceVersion=100&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open()
                .waitFor(200).andEmit(new WatchEvent(new GenericKubernetesResourceBuilder()
                        .withApiVersion("meta.k8s.io/v1").withKind("PartialObjectMetadata")
                        .withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("api-token")
                                .withUid("u-api").withResourceVersion("101").build())
                        .build(), "ADDED"))
                .done().always();
        MockTopics kafka = new MockTopics();
        IngestMetrics metrics = new IngestMetrics();
        collector = new ResourceCollector(ResourceCollectorConfig.of(CLUSTER, "localhost:9092", "http://localhost:8081")
                .withTopicPrefix("test.").withKinds(List.of("Secret")).withResyncPeriod(Duration.ZERO)
                .withLeaderElection(LeaderElection.disabled()), client.getConfiguration(), kafka.publisher(metrics),
                kafka, metrics, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
                VulnerabilityReportListener.NONE);

        // When
        collector.start();

        // Then: both become Secret records with their metadata
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.resourceChanges())
                .extracting(Published::key, Published::type).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("test-cluster/Secret/shop/db", ChangeType.ADDED),
                        org.assertj.core.groups.Tuple.tuple("test-cluster/Secret/shop/api-token", ChangeType.ADDED)));
        JsonNode db = new ObjectMapper().readTree(kafka.resourceChanges().get(0).value().getObject());
        assertThat(db.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(db.path("kind").asText()).isEqualTo("Secret");
        assertThat(db.path("metadata").path("labels").path("app").asText()).isEqualTo("db");
        assertThat(kafka.resourceChanges().get(0).value().getUid()).isEqualTo("u-db");
        assertThat(kafka.resourceChanges().get(1).value().getResourceVersion()).isEqualTo("101");
        // And: the requests asked for exactly that, the list in pages
        RecordedRequest list = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(list.getPath()).isEqualTo("/api/v1/secrets?limit=" + ResourceCollectorConfig.DEFAULT_LIST_PAGE_SIZE);
        assertThat(list.getHeader("Accept")).isEqualTo("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
        RecordedRequest watch = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(watch.getPath()).contains("watch=true");
        assertThat(watch.getHeader("Accept")).isEqualTo("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
    }
}
