package dev.kubeproof.controls;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import dev.kubeproof.controls.catalog.Catalog;
import dev.kubeproof.controls.catalog.CatalogException;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Catalog TWO_CONTROLS = Catalog.parse("""
            controls:
              - {id: KP-TST-001, version: 1, title: t, description: d, severity: high, phase: deploy, category: c,
                 appliesTo: [Pod], dependsOn: [NetworkPolicy], remediation: r}
              - {id: KP-TST-002, version: 2, title: t, description: d, severity: low, phase: deploy, category: c,
                 appliesTo: [Pod, Deployment], remediation: r}
              - {id: KP-TST-003, version: 1, title: t, description: d, severity: low, phase: runtime, category: c,
                 remediation: r, observable: false, notObservableReason: needs audit events}
            practices:
              - {id: p, phase: deploy, practice: p, controls: [KP-TST-001, KP-TST-002, KP-TST-003]}
            """, "test catalog");
    private static final Check PASSES = subject -> Verdict.pass("fine");

    @Test
    void shouldRefuseAnObservableControlWithoutEvaluationCode() {
        assertThatThrownBy(() -> ControlEngine.create(TWO_CONTROLS, Map.of("KP-TST-001", PASSES), ControlSettings.defaults()))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("control KP-TST-002: observable but no evaluation code is registered for it");
    }

    @Test
    void shouldRefuseEvaluationCodeWithoutAnObservableControl() {
        Map<String, Check> checks = Map.of("KP-TST-001", PASSES, "KP-TST-002", PASSES, "KP-TST-003", PASSES, "KP-TST-404", PASSES);

        assertThatThrownBy(() -> ControlEngine.create(TWO_CONTROLS, checks, ControlSettings.defaults()))
                .hasMessageContaining("control KP-TST-003: field 'observable' is false but evaluation code is registered for it")
                .hasMessageContaining("evaluation code is registered for KP-TST-404, which the catalog does not declare");
    }

    @Test
    void shouldRecordAThrowingCheckAsAnErrorResultAndStillEvaluateTheOthers() throws Exception {
        // Given a control whose code throws
        Check broken = subject -> {
            throw new IllegalStateException("boom");
        };
        ControlEngine engine = ControlEngine.create(TWO_CONTROLS, Map.of("KP-TST-001", broken, "KP-TST-002", PASSES), ControlSettings.defaults());

        // When a Pod is evaluated
        List<ControlResult> results = engine.evaluate(JSON.readTree("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}"), ClusterView.empty());

        // Then the failure is an ERROR result naming the cause, and the other control still ran
        assertThat(results).extracting(r -> r.control().id(), ControlResult::status)
                .containsExactly(tuple("KP-TST-001", Status.ERROR),
                        tuple("KP-TST-002", Status.PASS));
        assertThat(results.get(0).message()).isEqualTo("evaluation failed: IllegalStateException: boom");
    }

    @Test
    void shouldEvaluateOnlyTheControlsThatApplyToTheObjectsKind() throws Exception {
        ControlEngine engine = ControlEngine.create(TWO_CONTROLS, Map.of("KP-TST-001", PASSES, "KP-TST-002", PASSES), ControlSettings.defaults());

        assertThat(engine.evaluate(JSON.readTree("{\"kind\":\"Deployment\"}"), ClusterView.empty()))
                .extracting(r -> r.control().id()).containsExactly("KP-TST-002");
        assertThat(engine.evaluate(JSON.readTree("{\"kind\":\"ConfigMap\"}"), ClusterView.empty())).isEmpty();
        assertThat(engine.evaluate(JSON.readTree("{\"metadata\":{}}"), ClusterView.empty())).isEmpty();
        assertThat(engine.controls()).hasSize(3);
    }

    @Test
    void shouldReevaluateOnlyTheControlsThatDependOnTheChangedKind() throws Exception {
        // Given a Pod judged by a control that reads NetworkPolicies and by one that does not
        ControlEngine engine = ControlEngine.create(TWO_CONTROLS, Map.of("KP-TST-001", PASSES, "KP-TST-002", PASSES), ControlSettings.defaults());
        JsonNode pod = JSON.readTree("{\"kind\":\"Pod\"}");

        // When a NetworkPolicy changes, and when an unrelated kind does
        // Then only the dependent control is evaluated again, and none for a kind nothing reads
        assertThat(engine.reevaluate(pod, ClusterView.empty(), "NetworkPolicy")).extracting(r -> r.control().id())
                .containsExactly("KP-TST-001");
        assertThat(engine.reevaluate(pod, ClusterView.empty(), "ConfigMap")).isEmpty();
        assertThat(engine.evaluate(pod, ClusterView.empty())).hasSize(2);
    }

    @Test
    void shouldNameTheKindsToReevaluateWhenADependencyChanges() {
        // Given the built-in catalog
        ControlEngine engine = ControlEngine.withDefaults();

        // Then NetworkPolicy changes re-evaluate namespaces and workloads, scans re-evaluate workloads
        assertThat(engine.kindsToReevaluate("NetworkPolicy")).contains("Namespace", "Deployment", "Pod", "CronJob");
        assertThat(engine.kindsToReevaluate("ImageScan")).containsExactlyInAnyOrder(
                "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob");
        assertThat(engine.kindsToReevaluate("ResourceQuota")).containsExactly("Namespace");
        assertThat(engine.kindsToReevaluate("ClusterRole")).containsExactly("ClusterRoleBinding");
        assertThat(engine.kindsToReevaluate("ConfigMap")).isEmpty();
        assertThat(engine.dependencyKinds()).contains("ServiceAccount", "LimitRange");
        assertThat(engine.evaluatedKinds()).contains("Node", "Ingress", "Secret", "Role");
    }

    @Test
    void shouldApplyTheSettingsItWasLoadedWith() throws Exception {
        // Given an engine trusting only one registry
        ControlSettings settings = ControlSettings.defaults().with(JSON.readTree("{\"trustedRegistries\":[\"registry.example.com\"]}"));
        ControlEngine engine = ControlEngine.load(settings);
        JsonNode pod = JSON.readTree("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"shop\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\"}]}}");

        // When a Docker Hub image is evaluated
        ControlResult trusted = engine.evaluate(pod, ClusterView.empty()).stream()
                .filter(r -> r.control().id().equals("KP-IMG-001")).findFirst().orElseThrow();

        // Then it is not trusted any more
        assertThat(engine.settings()).isEqualTo(settings);
        assertThat(trusted.status()).isEqualTo(Status.FAIL);
        assertThat(trusted.findings()).singleElement().extracting(Finding::path).isEqualTo("spec.containers[0].image");
    }
}
