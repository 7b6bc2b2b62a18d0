package dev.kubeproof.sink.policyreport;

import static dev.kubeproof.sink.TestEvidence.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ExceptionRef;
import dev.kubeproof.avro.HashChain;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ControlInfo;
import dev.kubeproof.sink.config.PolicyReportConfig;
import dev.kubeproof.testkit.MutableClock;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

@EnableKubernetesMockClient(crud = true)
class PolicyReportWriterTest {
    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final ControlCatalog CATALOG = ControlCatalog.of(List.of(
            new ControlInfo("KP-POD-001", "Pod Security", "no privileged containers", Map.of(), List.of()),
            new ControlInfo("KP-RBAC-001", "RBAC", "no wildcard verbs", Map.of(), List.of())));

    KubernetesClient client;

    private MutableClock clock;
    private PolicyReportWriter writer;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(T0);
        writer = writer(PolicyReportConfig.DEFAULT_MAX_RESULTS);
    }

    private PolicyReportWriter writer(int maxResults) {
        return new PolicyReportWriter(client, CATALOG, new PolicyReportConfig(true, "c1", maxResults, INTERVAL, null), clock);
    }

    @Test
    void shouldWriteOneReportPerNamespaceAndAClusterReportWithSummaries() {
        // Given: evidence in two namespaces and on a cluster-scoped ClusterRole, plus one of another cluster
        accept(pod("c1", "payments", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.FAIL));
        accept(pod("c1", "payments", "api", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.PASS));
        accept(pod("c1", "payments", "job", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.NOT_APPLICABLE));
        accept(pod("c1", "shop", "cart", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.ERROR));
        accept(clusterRole("c1", "admin-all", EvidenceStatus.FAIL));
        accept(pod("c2", "elsewhere", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.FAIL));

        // When
        int written = writer.flushDue();

        // Then
        assertThat(written).isEqualTo(3);
        GenericKubernetesResource payments = policyReport("payments");
        assertThat(payments.getKind()).isEqualTo("PolicyReport");
        assertThat(payments.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "kubeproof");
        assertThat(summary(payments)).containsExactlyInAnyOrderEntriesOf(
                Map.of("pass", 1, "fail", 1, "warn", 0, "error", 0, "skip", 1));
        List<Map<String, Object>> results = results(payments);
        assertThat(results).hasSize(3);
        Map<String, Object> failure = results.get(0);
        assertThat(failure).containsEntry("source", "kubeproof").containsEntry("policy", "KP-POD-001")
                .containsEntry("rule", "KP-POD-001").containsEntry("category", "Pod Security")
                .containsEntry("severity", "high").containsEntry("result", "fail")
                .containsEntry("message", "web: status FAIL")
                .containsEntry("timestamp", Map.of("seconds", (int) T0.getEpochSecond(), "nanos", 0));
        assertThat(failure.get("resources")).isEqualTo(List.of(Map.of("apiVersion", "v1", "kind", "Pod",
                "namespace", "payments", "name", "web", "uid", "uid-c1-payments-web-KP-POD-001")));
        assertThat((Map<String, Object>) failure.get("properties")).containsKey("evidenceId");

        assertThat(summary(policyReport("shop"))).containsEntry("error", 1).containsEntry("fail", 0);
        assertThat(policyReport("elsewhere")).as("evidence of another cluster").isNull();

        GenericKubernetesResource cluster = client.genericKubernetesResources(PolicyReportWriter.CLUSTER_POLICY_REPORTS)
                .withName("kubeproof-cluster").get();
        assertThat(cluster.getKind()).isEqualTo("ClusterPolicyReport");
        assertThat(cluster.getMetadata().getNamespace()).isNull();
        assertThat(summary(cluster)).containsEntry("fail", 1).containsEntry("pass", 0);
        assertThat(results(cluster)).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("category", "RBAC").containsEntry("severity", "critical");
            assertThat(r.get("resources")).isEqualTo(List.of(Map.of("apiVersion", "rbac.authorization.k8s.io/v1",
                    "kind", "ClusterRole", "name", "admin-all", "uid", "uid-admin-all")));
        });
    }

    @Test
    void shouldRewriteAChangedReportAtMostOncePerInterval() {
        // Given: a passing pod, written
        accept(pod("c1", "payments", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.PASS));
        assertThat(writer.flushDue()).isEqualTo(1);
        assertThat(summary(policyReport("payments"))).containsEntry("pass", 1).containsEntry("fail", 0);

        // When: it fails, before the interval has passed
        accept(pod("c1", "payments", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.FAIL));
        clock.advance(INTERVAL.minusSeconds(1));

        // Then: not yet written
        assertThat(writer.flushDue()).isZero();
        assertThat(summary(policyReport("payments"))).containsEntry("pass", 1);

        // When: the interval has passed
        clock.advance(Duration.ofSeconds(1));

        // Then: the report says fail
        assertThat(writer.flushDue()).isEqualTo(1);
        assertThat(summary(policyReport("payments"))).containsEntry("pass", 0).containsEntry("fail", 1);
        assertThat(results(policyReport("payments"))).singleElement().satisfies(r -> assertThat(r).containsEntry("result", "fail"));

        // And: replaying the same record changes nothing, so nothing is written
        clock.advance(INTERVAL);
        accept(pod("c1", "payments", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.FAIL));
        assertThat(writer.flushDue()).isZero();
        assertThat(writer.writes()).isEqualTo(2);
    }

    @Test
    void shouldRemoveResultsOfClosedRecordsAndTombstones() {
        // Given
        EvidenceRecord web = pod("c1", "payments", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.FAIL);
        EvidenceRecord api = pod("c1", "payments", "api", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.PASS);
        accept(web);
        accept(api);
        writer.flushDue();
        assertThat(results(policyReport("payments"))).hasSize(2);

        // When: web's resource is deleted (CLOSED)
        accept(pod("c1", "payments", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.CLOSED));
        clock.advance(INTERVAL);
        writer.flushDue();

        // Then
        assertThat(summary(policyReport("payments"))).containsEntry("fail", 0).containsEntry("pass", 1);
        assertThat(results(policyReport("payments"))).singleElement()
                .satisfies(r -> assertThat(r.get("resources").toString()).contains("name=api"));

        // When: api's key is compacted away (tombstone)
        assertThat(writer.accept(key(api), null)).isTrue();
        clock.advance(INTERVAL);
        writer.flushDue();

        // Then: the report stays, emptied
        assertThat(results(policyReport("payments"))).isEmpty();
        assertThat(summary(policyReport("payments"))).containsEntry("pass", 0);
    }

    @Test
    void shouldKeepFailuresFirstAndSayWhenAReportIsTruncated() {
        // Given: a limit of 3 and 6 results: 4 passes, a medium and a critical failure, arriving passes first
        writer = writer(3);
        for (int i = 0; i < 4; i++) {
            accept(pod("c1", "payments", "ok-" + i, "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.PASS));
        }
        accept(pod("c1", "payments", "medium", "KP-POD-002", ControlSeverity.MEDIUM, EvidenceStatus.FAIL));
        accept(pod("c1", "payments", "critical", "KP-POD-003", ControlSeverity.CRITICAL, EvidenceStatus.FAIL));

        // When
        writer.flushDue();

        // Then: both failures kept, the most severe first; the summary counts all six; annotations say so
        GenericKubernetesResource report = policyReport("payments");
        List<Map<String, Object>> results = results(report);
        assertThat(results).hasSize(3);
        assertThat(results).extracting(r -> r.get("result")).containsExactly("fail", "fail", "pass");
        assertThat(results).extracting(r -> r.get("severity")).startsWith("critical", "medium");
        assertThat(summary(report)).containsEntry("pass", 4).containsEntry("fail", 2);
        assertThat(report.getMetadata().getAnnotations())
                .containsEntry(PolicyReportWriter.TRUNCATED_ANNOTATION, "true")
                .containsEntry(PolicyReportWriter.TOTAL_ANNOTATION, "6");
    }

    @Test
    void shouldReportExemptionsAsSkipsNamingTheException() {
        // Given
        EvidenceRecord exempt = pod("c1", "payments", "legacy", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.EXEMPT);
        exempt.setException(ExceptionRef.newBuilder().setExceptionId("EX-42").setApprovedBy("ciso")
                .setExpiresAt(java.time.Instant.parse("2027-01-31T00:00:00Z")).setReason("legacy batch, replaced in Q1").build());
        accept(exempt);

        // When
        writer.flushDue();

        // Then
        assertThat(results(policyReport("payments"))).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("result", "skip");
            assertThat((Map<String, Object>) r.get("properties")).containsEntry("exceptionId", "EX-42")
                    .containsEntry("status", "exempt").containsEntry("evidenceId", exempt.getEvidenceId())
                    .containsEntry("exceptionReason", "legacy batch, replaced in Q1")
                    .containsEntry("exceptionExpiresAt", "2027-01-31T00:00:00Z");
        });
    }

    @Test
    void shouldEmptyReportsItWroteBeforeARestartWhoseResultsAreGone() {
        // Given: a report written by an earlier run, and a restarted writer whose rebuilt state has no result there
        accept(pod("c1", "gone", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.FAIL));
        writer.flushDue();
        PolicyReportWriter restarted = writer(PolicyReportConfig.DEFAULT_MAX_RESULTS);

        // When
        restarted.adoptExisting();
        restarted.flushDue();

        // Then
        assertThat(results(policyReport("gone"))).isEmpty();
        assertThat(summary(policyReport("gone"))).containsEntry("fail", 0);
    }

    private void accept(EvidenceRecord record) {
        writer.accept(key(record), record);
    }

    private static String key(EvidenceRecord record) {
        return EvidenceKey.of(record);
    }

    private GenericKubernetesResource policyReport(String namespace) {
        return client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace(namespace)
                .withName("kubeproof-" + namespace).get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(GenericKubernetesResource report) {
        return (Map<String, Object>) report.getAdditionalProperties().get("summary");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(GenericKubernetesResource report) {
        return (List<Map<String, Object>>) report.getAdditionalProperties().get("results");
    }

    static EvidenceRecord pod(String cluster, String namespace, String name, String control, ControlSeverity severity,
                              EvidenceStatus status) {
        return record(cluster, control, severity, status, ResourceRef.newBuilder().setClusterId(cluster).setApiGroup("")
                .setApiVersion("v1").setKind("Pod").setNamespace(namespace).setName(name)
                .setUid("uid-" + cluster + "-" + namespace + "-" + name + "-" + control).setResourceVersion("1")
                .setOwnerLabels(Map.of()).build(), name + ": status " + status);
    }

    static EvidenceRecord clusterRole(String cluster, String name, EvidenceStatus status) {
        return record(cluster, "KP-RBAC-001", ControlSeverity.CRITICAL, status, ResourceRef.newBuilder().setClusterId(cluster)
                .setApiGroup("rbac.authorization.k8s.io").setApiVersion("rbac.authorization.k8s.io/v1").setKind("ClusterRole")
                .setNamespace(null).setName(name).setUid("uid-" + name).setResourceVersion("1").setOwnerLabels(Map.of()).build(),
                "ClusterRole " + name + " grants every verb");
    }

    private static EvidenceRecord record(String cluster, String control, ControlSeverity severity, EvidenceStatus status,
                                         ResourceRef resource, String message) {
        String id = Integer.toHexString((cluster + control + resource.getUid() + status).hashCode());
        return EvidenceRecord.newBuilder()
                .setEvidenceId(id).setControlId(control).setControlVersion(1).setControlTitle(control)
                .setSeverity(severity).setStatus(status).setPreviousStatus(null)
                .setSince(T0).setObservedAt(T0).setResource(resource).setMessage(message).setDetails(List.of())
                .setRemediation(null).setCause(EvidenceCause.newBuilder().setChangeType("MODIFIED").build())
                .setActor(null).setException(null)
                .setChain(HashChain.newBuilder().setSequence(1).setPreviousHash(null).setHash(id).build())
                .build();
    }
}
