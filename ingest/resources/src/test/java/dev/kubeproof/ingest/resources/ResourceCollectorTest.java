package dev.kubeproof.ingest.resources;

import static dev.kubeproof.ingest.resources.Fixtures.CLUSTER;
import static dev.kubeproof.ingest.resources.Fixtures.namespace;
import static dev.kubeproof.ingest.resources.Fixtures.pod;
import static dev.kubeproof.ingest.resources.Fixtures.published;
import static dev.kubeproof.ingest.resources.Fixtures.role;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.HealthServer;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.runtime.RecordPublisher;
import dev.kubeproof.ingest.resources.MockTopics.Published;
import dev.kubeproof.ingest.resources.ResourceCollectorConfig.LeaderElection;
import dev.kubeproof.ingest.resources.informer.VulnerabilityReportListener;
import dev.kubeproof.ingest.resources.informer.VulnerabilityReportScans;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The collector against fabric8's mock API server in CRUD mode, publishing to a MockProducer with an in-memory
 * registry.
 */
@EnableKubernetesMockClient(crud = true)
class ResourceCollectorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    KubernetesMockServer server;
    KubernetesClient client;

    private final MockTopics kafka = new MockTopics();
    private final List<ResourceCollector> collectors = new ArrayList<>();

    @BeforeAll
    static void patience() {
        // The build machine is shared: give informers and leases time rather than fail on a slow moment.
        Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void closeCollectors() {
        collectors.forEach(ResourceCollector::close);
    }

    @Test
    void shouldPublishAddedModifiedAndDeletedPodsWithoutManagedFields() throws Exception {
        // Given
        ResourceCollector collector = start(config(LeaderElection.disabled()), new IngestMetrics());
        await().until(collector::isSynced);
        String key = "test-cluster/Pod/shop/web";

        // When
        Pod created = client.pods().inNamespace("shop").resource(pod("shop", "web")).create();

        // Then
        await().untilAsserted(() -> assertThat(types(key)).containsExactly(ChangeType.ADDED));
        ResourceChange added = kafka.resourceChanges(key).get(0).value();
        assertThat(added.getClusterId()).isEqualTo(CLUSTER);
        assertThat(added.getApiVersion()).isEqualTo("v1");
        assertThat(added.getKind()).isEqualTo("Pod");
        assertThat(added.getNamespace()).isEqualTo("shop");
        assertThat(added.getName()).isEqualTo("web");
        assertThat(added.getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(added.getResourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());
        assertThat(added.getObservedAt()).isEqualTo(CLOCK.instant());
        assertThat(added.getLabels()).containsEntry("app", "web");
        assertThat(added.getFinalStateUnknown()).isFalse();
        JsonNode object = JSON.readTree(added.getObject());
        assertThat(object.path("spec").path("containers").get(0).path("image").asText()).isEqualTo("nginx:1.27");
        assertThat(object.path("kind").asText()).isEqualTo("Pod");
        assertThat(object.path("metadata").has("managedFields")).isFalse();
        assertThat(created.getMetadata().getManagedFields()).as("the API server returned managedFields").isNotEmpty();

        // When
        client.pods().inNamespace("shop").withName("web")
                .edit(pod -> new PodBuilder(pod).editMetadata().addToLabels("tier", "frontend").endMetadata().build());

        // Then
        await().untilAsserted(() -> assertThat(types(key)).containsExactly(ChangeType.ADDED, ChangeType.MODIFIED));
        ResourceChange modified = kafka.resourceChanges(key).get(1).value();
        assertThat(modified.getLabels()).containsEntry("tier", "frontend");
        assertThat(modified.getResourceVersion()).isNotEqualTo(added.getResourceVersion());

        // When
        client.pods().inNamespace("shop").withName("web").delete();

        // Then: a DELETED record with the last state, then a tombstone
        await().untilAsserted(() -> assertThat(types(key))
                .containsExactly(ChangeType.ADDED, ChangeType.MODIFIED, ChangeType.DELETED, null));
        ResourceChange deleted = kafka.resourceChanges(key).get(2).value();
        assertThat(deleted.getFinalStateUnknown()).isFalse();
        assertThat(deleted.getLabels()).containsEntry("tier", "frontend");
        assertThat(kafka.resourceChanges(key).get(3).tombstone()).isTrue();
        assertThat(collector.metrics().changeCount("Pod", "DELETED")).isEqualTo(1.0);
    }

    @Test
    void shouldPublishResyncsAsSyncRecords() {
        // Given
        ResourceCollector collector = start(config(LeaderElection.disabled()).withResyncPeriod(Duration.ofSeconds(1)),
                new IngestMetrics());
        await().until(collector::isSynced);
        String key = "test-cluster/Pod/shop/web";

        // When
        client.pods().inNamespace("shop").resource(pod("shop", "web")).create();

        // Then: the object is confirmed periodically, unchanged
        await().untilAsserted(() -> assertThat(types(key)).startsWith(ChangeType.ADDED, ChangeType.SYNC));
        List<Published> records = kafka.resourceChanges(key);
        assertThat(records.get(1).value().getResourceVersion()).isEqualTo(records.get(0).value().getResourceVersion());
        assertThat(records.get(1).value().getObject()).isEqualTo(records.get(0).value().getObject());
    }

    @Test
    void shouldPublishRoleChangesAndClusterScopedNamespaces() {
        // Given
        ResourceCollector collector = start(config(LeaderElection.disabled()), new IngestMetrics());
        await().until(collector::isSynced);
        String namespaceKey = "test-cluster/Namespace/-/payments";
        String roleKey = "test-cluster/Role/payments/pod-reader";

        // When
        client.namespaces().resource(namespace("payments")).create();
        client.rbac().roles().inNamespace("payments").resource(role("payments", "pod-reader", "get")).create();
        client.rbac().roles().inNamespace("payments").withName("pod-reader")
                .edit(role -> new RoleBuilder(role).editFirstRule().withVerbs("get", "list", "watch").endRule().build());
        client.rbac().roles().inNamespace("payments").withName("pod-reader").delete();
        client.namespaces().withName("payments").delete();

        // Then
        await().untilAsserted(() -> assertThat(types(roleKey))
                .containsExactly(ChangeType.ADDED, ChangeType.MODIFIED, ChangeType.DELETED, null));
        await().untilAsserted(() -> assertThat(types(namespaceKey))
                .containsExactly(ChangeType.ADDED, ChangeType.DELETED, null));
        ResourceChange namespaceAdded = kafka.resourceChanges(namespaceKey).get(0).value();
        assertThat(namespaceAdded.getNamespace()).isNull();
        assertThat(namespaceAdded.getLabels()).containsEntry("team", "payments");
        ResourceChange roleModified = kafka.resourceChanges(roleKey).get(1).value();
        assertThat(roleModified.getApiVersion()).isEqualTo("rbac.authorization.k8s.io/v1");
        assertThat(roleModified.getObject()).contains("\"verbs\":[\"get\",\"list\",\"watch\"]");
    }

    @Test
    void shouldPublishSecretMetadataButNeverSecretData() throws Exception {
        // Given
        ResourceCollector collector = start(config(LeaderElection.disabled()), new IngestMetrics());
        await().until(collector::isSynced);
        String value = "s3cr3t-value-42";
        String encoded = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
        String lastApplied = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{\"password\":\"" + encoded
                + "\"},\"stringData\":{\"token\":\"plain-token-99\"}}";
        Secret secret = new SecretBuilder()
                .withNewMetadata().withNamespace("shop").withName("db-credentials").addToLabels("app", "db")
                .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", lastApplied)
                .addToAnnotations("owner", "team-a")
                .withManagedFields(new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder().withManager("kubectl")
                        .withOperation("Update").withApiVersion("v1").build())
                .endMetadata()
                .withType("Opaque")
                .addToData("password", encoded)
                .addToStringData("token", "plain-token-99")
                .build();
        String key = "test-cluster/Secret/shop/db-credentials";

        // When
        client.secrets().inNamespace("shop").resource(secret).create();
        client.secrets().inNamespace("shop").withName("db-credentials")
                .edit(s -> new SecretBuilder(s).addToData("password2", encoded).build());

        // Then: metadata only, in every record
        await().untilAsserted(() -> assertThat(types(key)).containsExactly(ChangeType.ADDED, ChangeType.MODIFIED));
        for (Published published : kafka.resourceChanges(key)) {
            JsonNode object = JSON.readTree(published.value().getObject());
            List<String> fields = new ArrayList<>();
            object.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactlyInAnyOrder("apiVersion", "kind", "metadata");
            assertThat(object.path("kind").asText()).isEqualTo("Secret");
            assertThat(object.path("metadata").path("labels").path("app").asText()).isEqualTo("db");
            assertThat(object.path("metadata").path("annotations").path("owner").asText()).isEqualTo("team-a");
            assertThat(object.path("metadata").path("annotations")
                    .has("kubectl.kubernetes.io/last-applied-configuration")).isFalse();
            assertThat(object.path("metadata").has("managedFields")).isFalse();
        }
        assertThat(kafka.allBytes()).allSatisfy(bytes -> assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                .doesNotContain(encoded).doesNotContain(value).doesNotContain("plain-token-99"));

        // And: the API server was asked for metadata only
        List<RecordedRequest> secretRequests = new ArrayList<>();
        int count = server.getRequestCount();
        for (int i = 0; i < count; i++) {
            RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
            if (request != null && request.getPath().startsWith("/api/v1/secrets")) {
                secretRequests.add(request);
            }
        }
        assertThat(secretRequests).isNotEmpty().allSatisfy(request -> assertThat(request.getHeader("Accept"))
                .startsWith("application/json;as=PartialObjectMetadata").endsWith(";g=meta.k8s.io;v=v1"));
        assertThat(secretRequests).anySatisfy(request -> assertThat(request.getHeader("Accept"))
                .isEqualTo("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"));
    }

    @Test
    void shouldPublishDeletesThatHappenedWhileTheCollectorWasDown() {
        // Given: the cluster as it is now
        Pod kept = client.pods().inNamespace("shop").resource(pod("shop", "kept")).create();
        Role changed = client.rbac().roles().inNamespace("shop").resource(role("shop", "changed", "get")).create();
        // And: what the topic said when the collector went down
        kafka.prime("test-cluster/Pod/shop/kept",
                published("Pod", "v1", "shop", "kept", kept.getMetadata().getResourceVersion()));
        kafka.prime("test-cluster/Role/shop/changed", published("Role", "rbac.authorization.k8s.io/v1", "shop",
                "changed", "0"));
        ResourceChange gone = published("Pod", "v1", "shop", "gone", "3");
        kafka.prime("test-cluster/Pod/shop/gone", gone);
        kafka.prime("test-cluster/Pod/shop/long-gone", published("Pod", "v1", "shop", "long-gone", "2"));
        kafka.primeTombstone("test-cluster/Pod/shop/long-gone");
        kafka.prime("other-cluster/Pod/shop/gone", published("Pod", "v1", "shop", "gone", "3"));
        kafka.prime("test-cluster/ConfigMap/shop/settings", published("ConfigMap", "v1", "shop", "settings", "4"));
        int before = kafka.resourceChanges().size();

        // When
        ResourceCollector collector = start(config(LeaderElection.disabled()), new IngestMetrics());
        await().until(collector::isSynced);

        // Then: the vanished pod is deleted with its last known state, unchanged objects are SYNC, changed MODIFIED
        await().untilAsserted(() -> assertThat(newRecords(before)).extracting(Published::key, Published::type)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("test-cluster/Pod/shop/gone", ChangeType.DELETED),
                        org.assertj.core.groups.Tuple.tuple("test-cluster/Pod/shop/gone", null),
                        org.assertj.core.groups.Tuple.tuple("test-cluster/Pod/shop/kept", ChangeType.SYNC),
                        org.assertj.core.groups.Tuple.tuple("test-cluster/Role/shop/changed", ChangeType.MODIFIED)));
        List<Published> goneRecords = newRecords(before).stream()
                .filter(p -> p.key().equals("test-cluster/Pod/shop/gone")).toList();
        assertThat(goneRecords.get(0).type()).isEqualTo(ChangeType.DELETED);
        assertThat(goneRecords.get(1).tombstone()).isTrue();
        ResourceChange recovered = goneRecords.get(0).value();
        assertThat(recovered.getFinalStateUnknown()).isTrue();
        assertThat(recovered.getObject()).isEqualTo(gone.getObject());
        assertThat(recovered.getUid()).isEqualTo("uid-gone");
        assertThat(recovered.getObservedAt()).isEqualTo(CLOCK.instant());
        assertThat(collector.metrics().recoveredDeleteCount("Pod")).isEqualTo(1.0);
        assertThat(changed.getMetadata().getResourceVersion()).isNotEqualTo("0");
    }

    @Test
    void shouldDeadLetterAnOversizedObjectAndKeepPublishing() {
        // Given
        IngestMetrics metrics = new IngestMetrics();
        ResourceCollector collector = start(config(LeaderElection.disabled()).withMaxObjectBytes(2048), metrics);
        await().until(collector::isSynced);
        Pod huge = new PodBuilder(pod("shop", "huge")).editMetadata()
                .addToAnnotations("notes", "x".repeat(4000)).endMetadata().build();

        // When
        client.pods().inNamespace("shop").resource(huge).create();
        client.pods().inNamespace("shop").resource(pod("shop", "small")).create();

        // Then
        await().untilAsserted(() -> assertThat(types("test-cluster/Pod/shop/small")).containsExactly(ChangeType.ADDED));
        await().untilAsserted(() -> assertThat(kafka.deadLetters()).hasSize(1));
        DeadLetter letter = kafka.deadLetters().get(0);
        assertThat(letter.getSource()).isEqualTo(ResourceCollector.SOURCE);
        assertThat(letter.getErrorType()).isEqualTo(ErrorTypes.OVERSIZED);
        assertThat(letter.getReason()).contains("Pod shop/huge").contains("2048");
        assertThat(letter.getPayloadSize()).isGreaterThan(4000);
        assertThat(types("test-cluster/Pod/shop/huge")).isEmpty();
        assertThat(metrics.deadLetterCount(ResourceCollector.SOURCE, ErrorTypes.OVERSIZED)).isEqualTo(1.0);
        assertThat(collector.isLive()).isTrue();
    }

    @Test
    void shouldLetOnlyTheLeaderPublishAndFailOverWhenItStops() {
        // Given: two replicas, the first one leading
        IngestMetrics firstMetrics = new IngestMetrics();
        IngestMetrics secondMetrics = new IngestMetrics();
        ResourceCollector first = start(config(election("collector-a")), firstMetrics);
        await().until(() -> first.isLeader() && first.isSynced());
        ResourceCollector second = start(config(election("collector-b")), secondMetrics);
        await().until(() -> "collector-a".equals(second.currentLeader()));
        assertThat(second.isLeader()).isFalse();
        assertThat(second.isReady()).as("a standby is ready to take over").isTrue();
        assertThat(first.role()).isEqualTo("leader (collector-a)");
        assertThat(second.role()).isEqualTo("standby (leader: collector-a)");

        // When
        client.pods().inNamespace("shop").resource(pod("shop", "before-failover")).create();

        // Then: published once, by the leader
        await().untilAsserted(() -> assertThat(types("test-cluster/Pod/shop/before-failover"))
                .containsExactly(ChangeType.ADDED));
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(types("test-cluster/Pod/shop/before-failover")).hasSize(1));
        assertThat(first.metrics().changeCount("Pod", "ADDED")).isEqualTo(1.0);
        assertThat(second.metrics().changeCount("Pod", "ADDED")).isZero();

        // When: the leader stops (releasing its Lease) and the cluster changes meanwhile
        first.close();
        client.pods().inNamespace("shop").withName("before-failover").delete();

        // Then: the standby takes over, and publishes what happened
        await().until(() -> second.isLeader() && second.isSynced());
        client.pods().inNamespace("shop").resource(pod("shop", "after-failover")).create();
        await().untilAsserted(() -> assertThat(types("test-cluster/Pod/shop/after-failover"))
                .containsExactly(ChangeType.ADDED));
        await().untilAsserted(() -> assertThat(types("test-cluster/Pod/shop/before-failover"))
                .containsExactly(ChangeType.ADDED, ChangeType.DELETED, null));
        assertThat(second.metrics().changeCount("Pod", "ADDED")).isEqualTo(1.0);
        assertThat(first.metrics().changeCount("Pod", "ADDED")).isEqualTo(1.0);
        Lease lease = client.leases().inNamespace("kubeproof").withName("test-lease").get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("collector-b");
    }

    @Test
    void shouldStopPublishingWhenItLosesTheLease() {
        // Given
        ResourceCollector collector = start(config(election("collector-a")), new IngestMetrics());
        await().until(() -> collector.isLeader() && collector.isSynced());

        // When: someone else holds the Lease (e.g. the collector was paused past its lease duration)
        // (retried: the edit conflicts whenever the collector renews in between)
        await().ignoreExceptions().untilAsserted(() -> client.leases().inNamespace("kubeproof").withName("test-lease")
                .edit(lease -> new LeaseBuilder(lease).editSpec().withHolderIdentity("intruder")
                        .withLeaseDurationSeconds(3600).withRenewTime(java.time.ZonedDateTime.now(ZoneOffset.UTC))
                        .endSpec().build()));

        // Then
        await().until(() -> !collector.isLeader());
        client.pods().inNamespace("shop").resource(pod("shop", "unwatched")).create();
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(types("test-cluster/Pod/shop/unwatched")).isEmpty());
        assertThat(collector.isReady()).as("a standby that campaigns is ready").isTrue();
    }

    @Test
    void shouldSkipVulnerabilityReportsWhenTheCrdIsAbsent() {
        // Given
        ResourceCollector collector = start(config(LeaderElection.disabled())
                .withKinds(List.of("Pod", "VulnerabilityReport")), new IngestMetrics());

        // When
        await().until(collector::isSynced);
        client.pods().inNamespace("shop").resource(pod("shop", "web")).create();

        // Then
        await().untilAsserted(() -> assertThat(types("test-cluster/Pod/shop/web")).containsExactly(ChangeType.ADDED));
    }

    @Test
    void shouldPublishVulnerabilityReportsWhenTheCrdExists() {
        // Given
        client.apiextensions().v1().customResourceDefinitions().resource(vulnerabilityReportCrd()).create();
        List<GenericKubernetesResource> seen = new CopyOnWriteArrayList<>();
        ResourceCollector collector = new ResourceCollector(config(LeaderElection.disabled())
                .withKinds(List.of("VulnerabilityReport")), client.getConfiguration(),
                kafka.publisher(new IngestMetrics()), kafka, new IngestMetrics(), CLOCK,
                (kind, report, change) -> seen.add(report));
        collectors.add(collector);
        collector.start();
        await().until(collector::isSynced);
        ResourceDefinitionContext reports = vulnerabilityReports();

        // When
        client.genericKubernetesResources(reports).inNamespace("shop").resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("aquasecurity.github.io/v1alpha1").withKind("VulnerabilityReport")
                .withNewMetadata().withNamespace("shop").withName("replicaset-web-main").endMetadata()
                .addToAdditionalProperties("report", Map.of("artifact", Map.of("repository", "library/nginx",
                        "tag", "1.27"), "summary", Map.of("criticalCount", 1)))
                .build()).create();

        // Then
        String key = "test-cluster/VulnerabilityReport/shop/replicaset-web-main";
        await().untilAsserted(() -> assertThat(types(key)).containsExactly(ChangeType.ADDED));
        assertThat(kafka.resourceChanges(key).get(0).value().getApiVersion()).isEqualTo("aquasecurity.github.io/v1alpha1");
        assertThat(kafka.resourceChanges(key).get(0).value().getObject()).contains("\"repository\":\"library/nginx\"");
        assertThat(seen).extracting(r -> r.getMetadata().getName()).containsExactly("replicaset-web-main");
    }

    @Test
    void shouldPublishTrivyOperatorReportsAsImageScansKeyedByImage() throws Exception {
        // Given: the Trivy Operator CRD, and the collector publishing reports as image scans too
        client.apiextensions().v1().customResourceDefinitions().resource(vulnerabilityReportCrd()).create();
        IngestMetrics metrics = new IngestMetrics();
        ResourceCollectorConfig config = config(LeaderElection.disabled()).withKinds(List.of("VulnerabilityReport"));
        RecordPublisher publisher = kafka.publisher(metrics);
        DeadLetterPublisher deadLetters = new DeadLetterPublisher(publisher, kafka.topics, CLOCK);
        ResourceCollector collector = new ResourceCollector(config, client.getConfiguration(), publisher, kafka,
                metrics, CLOCK, new VulnerabilityReportScans(CLUSTER, publisher, deadLetters,
                kafka.topics.imageScans(), ResourceCollector.SOURCE));
        collectors.add(collector);
        collector.start();
        await().until(collector::isSynced);
        Path fixtures = Path.of(System.getProperty("kubeproof.fixtures", "missing"));
        assertThat(fixtures.resolve("trivy-operator")).as("shared fixtures (kubeproof.fixtures)").isDirectory();
        GenericKubernetesResource report = client.getKubernetesSerialization().unmarshal(Files.readString(
                fixtures.resolve("trivy-operator/vulnerabilityreport_single_vuln.json")), GenericKubernetesResource.class);
        report.getMetadata().setResourceVersion(null);
        report.getMetadata().setUid(null);
        GenericKubernetesResource broken = new GenericKubernetesResourceBuilder()
                .withApiVersion("aquasecurity.github.io/v1alpha1").withKind("VulnerabilityReport")
                .withNewMetadata().withNamespace("default").withName("no-artifact").endMetadata()
                .addToAdditionalProperties("report", Map.of("summary", Map.of("criticalCount", 0)))
                .build();

        // When
        client.genericKubernetesResources(vulnerabilityReports()).inNamespace("default").resource(report).create();
        client.genericKubernetesResources(vulnerabilityReports()).inNamespace("default").resource(broken).create();

        // Then: the report as a resource change, and as an image scan keyed by repository:tag (it has no digest)
        String reportKey = "test-cluster/VulnerabilityReport/default/replicaset-nginx-deployment-965685897-nginx";
        await().untilAsserted(() -> assertThat(types(reportKey)).containsExactly(ChangeType.ADDED));
        await().untilAsserted(() -> assertThat(kafka.imageScans()).hasSize(1));
        Map.Entry<String, ImageScan> scan = kafka.imageScans().get(0);
        assertThat(scan.getKey()).isEqualTo("index.docker.io/library/nginx:alpine");
        assertThat(scan.getValue().getClusterId()).isEqualTo(CLUSTER);
        assertThat(scan.getValue().getVulnerabilities()).singleElement()
                .satisfies(vulnerability -> assertThat(vulnerability.getId()).isEqualTo("CVE-2023-23914"));
        // And: a report the parser rejects is still a resource change, and its scan is dead-lettered
        await().untilAsserted(() -> assertThat(types("test-cluster/VulnerabilityReport/default/no-artifact"))
                .containsExactly(ChangeType.ADDED));
        await().untilAsserted(() -> assertThat(kafka.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo(ErrorTypes.MISSING_FIELD);
            assertThat(letter.getReason()).contains("default/no-artifact").contains("report.artifact");
        }));
    }

    @Test
    void shouldServeHealthAndMetrics() throws Exception {
        // Given
        IngestMetrics metrics = new IngestMetrics();
        try (HealthServer health = new HealthServer("127.0.0.1", 0, metrics.registry())) {
            ResourceCollector collector = new ResourceCollector(config(LeaderElection.disabled()),
                    client.getConfiguration(), kafka.publisher(metrics), kafka, metrics, CLOCK,
                    VulnerabilityReportListener.NONE);
            collectors.add(collector);
            collector.registerHealthChecks(health);
            health.start();
            HttpClient http = HttpClient.newHttpClient();
            assertThat(get(http, health, "/readyz").statusCode()).as("not started yet").isEqualTo(503);

            // When
            collector.start();
            await().until(collector::isSynced);
            client.pods().inNamespace("shop").resource(pod("shop", "web")).create();
            await().untilAsserted(() -> assertThat(types("test-cluster/Pod/shop/web")).hasSize(1));

            // Then
            assertThat(get(http, health, "/readyz").statusCode()).isEqualTo(200);
            assertThat(get(http, health, "/readyz").body()).contains("leader election: off");
            assertThat(get(http, health, "/healthz").statusCode()).isEqualTo(200);
            await().untilAsserted(() -> assertThat(get(http, health, "/metrics").body())
                    .contains("kubeproof_ingest_resources_changes_total{change_type=\"ADDED\",kind=\"Pod\"} 1.0")
                    .contains("kubeproof_ingest_resources_synced{identity=\"" + collector.identity() + "\"} 1.0"));
        }
    }

    private static CustomResourceDefinition vulnerabilityReportCrd() {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("vulnerabilityreports.aquasecurity.github.io").endMetadata()
                .withNewSpec().withGroup("aquasecurity.github.io").withScope("Namespaced")
                .withNewNames().withKind("VulnerabilityReport").withPlural("vulnerabilityreports")
                .withSingular("vulnerabilityreport").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true).endVersion()
                .endSpec().build();
    }

    private static ResourceDefinitionContext vulnerabilityReports() {
        return new ResourceDefinitionContext.Builder().withGroup("aquasecurity.github.io").withVersion("v1alpha1")
                .withKind("VulnerabilityReport").withPlural("vulnerabilityreports").withNamespaced(true).build();
    }

    private static HttpResponse<String> get(HttpClient http, HealthServer health, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(health.baseUri() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private ResourceCollector start(ResourceCollectorConfig config, IngestMetrics metrics) {
        ResourceCollector collector = new ResourceCollector(config, client.getConfiguration(), kafka.publisher(metrics),
                kafka, metrics, CLOCK, VulnerabilityReportListener.NONE);
        collectors.add(collector);
        collector.start();
        return collector;
    }

    private static ResourceCollectorConfig config(LeaderElection election) {
        return ResourceCollectorConfig.of(CLUSTER, "localhost:9092", "http://localhost:8081")
                .withTopicPrefix("test.")
                .withKinds(List.of("Pod", "Role", "Namespace", "Secret"))
                .withResyncPeriod(Duration.ZERO)
                .withLeaderElection(election);
    }

    private static LeaderElection election(String identity) {
        // Long enough that a loaded build machine does not lose the lease by accident; failover after a
        // graceful stop does not wait for it (the Lease is released).
        return new LeaderElection(true, "kubeproof", "test-lease", identity, Duration.ofSeconds(10),
                Duration.ofSeconds(8), Duration.ofMillis(500));
    }

    private List<ChangeType> types(String key) {
        return kafka.resourceChanges(key).stream().map(Published::type).toList();
    }

    private List<Published> newRecords(int before) {
        List<Published> all = kafka.resourceChanges();
        return all.subList(before, all.size());
    }
}
