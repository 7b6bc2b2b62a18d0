package dev.kubeproof.controls.exceptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.Status;
import dev.kubeproof.controls.scan.Manifest;
import dev.kubeproof.controls.scan.ManifestScanner;
import dev.kubeproof.controls.scan.ScanReport;

import org.junit.jupiter.api.Test;

class ControlExceptionsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    private static final String PRIVILEGED_POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: debug, namespace: tools, labels: {owner: sre}}
            spec:
              containers:
                - name: shell
                  image: registry.k8s.io/debug:1.0
                  securityContext: {privileged: true}
            """;

    private static String exception(String controlId, String expiresAt) {
        return """
                apiVersion: kubeproof.dev/v1alpha1
                kind: ControlException
                metadata: {name: ex-1}
                spec:
                  controlId: %s
                  match: {namespace: tools, kind: Pod, name: debug}
                  reason: node debugging during incident INC-42
                  ticket: CHG-1234
                  approvedBy: security-lead
                  expiresAt: %s
                """.formatted(controlId, expiresAt);
    }

    private ScanReport scan(String... documents) throws Exception {
        List<Manifest> manifests = new ArrayList<>();
        for (String document : documents) {
            manifests.add(new Manifest(yaml(document), "test.yaml", 1));
        }
        return new ManifestScanner(ControlEngine.withDefaults()).scan(manifests, List.of(), NOW);
    }

    @Test
    void shouldTurnACoveredFailIntoExemptWithTheReasonAndApprover() throws Exception {
        // Given a privileged pod and an unexpired exception for the privileged control on it
        // When scanned together
        ScanReport report = scan(PRIVILEGED_POD, exception("KP-POD-001", "2027-01-31T00:00:00Z"));

        // Then the privileged control is EXEMPT, saying why and who approved it, and other failures stay FAIL
        ScanReport.Entry privileged = report.entries().filter(e -> e.result().control().id().equals("KP-POD-001"))
                .findFirst().orElseThrow();
        assertThat(privileged.result().status()).isEqualTo(Status.EXEMPT);
        assertThat(privileged.result().message()).contains("INC-42").contains("security-lead").contains("ex-1");
        assertThat(report.count(Status.FAIL)).isPositive();
        // And the exception itself is not reported as a scanned resource
        assertThat(report.resources()).extracting(r -> r.manifest().kind()).containsExactly("Pod");
    }

    @Test
    void shouldIgnoreAnExpiredExceptionAndWarnAboutIt() throws Exception {
        // Given an exception that expired before now
        ScanReport report = scan(PRIVILEGED_POD, exception("KP-POD-001", "2026-01-01T00:00:00Z"));

        // Then the failure stands, and the report says the exception expired
        assertThat(report.entries().filter(e -> e.result().control().id().equals("KP-POD-001")))
                .extracting(e -> e.result().status()).containsExactly(Status.FAIL);
        assertThat(report.warnings()).anyMatch(w -> w.contains("ex-1") && w.contains("expired"));
    }

    @Test
    void shouldNotCoverAnotherControlOrObject() throws Exception {
        // Given an exception for another control
        ScanReport report = scan(PRIVILEGED_POD, exception("KP-POD-002", "2027-01-31T00:00:00Z"));

        // Then the privileged control still fails
        assertThat(report.entries().filter(e -> e.result().control().id().equals("KP-POD-001")))
                .extracting(e -> e.result().status()).containsExactly(Status.FAIL);
    }

    @Test
    void shouldRejectUnknownKeysAndMissingApproverNamingThem() throws Exception {
        JsonNode unknown = yaml("""
                apiVersion: kubeproof.dev/v1alpha1
                kind: ControlException
                metadata: {name: ex-2}
                spec: {controlId: KP-POD-001, reason: r, approvedBy: a, approver: typo}
                """);
        assertThatThrownBy(() -> ControlExceptions.parse(unknown)).hasMessageContaining("spec.approver").hasMessageContaining("ex-2");
        JsonNode unapproved = yaml("""
                apiVersion: kubeproof.dev/v1alpha1
                kind: ControlException
                metadata: {name: ex-3}
                spec: {controlId: KP-POD-001, reason: r}
                """);
        assertThatThrownBy(() -> ControlExceptions.parse(unapproved)).hasMessageContaining("approvedBy").hasMessageContaining("ex-3");
    }

    @Test
    void shouldReadSeveralControlsAndNamesAndSurviveTheTopicsRecord() throws Exception {
        // Given an exception for two controls on two named pods
        ExceptionRule rule = ControlExceptions.parse(yaml("""
                apiVersion: kubeproof.dev/v1alpha1
                kind: ControlException
                metadata: {name: ex-many}
                spec:
                  controlIds: [KP-POD-001, KP-POD-002]
                  match: {namespace: tools, names: [debug, shell]}
                  reason: incident tooling
                  approvedBy: security-lead
                  createdBy: alice
                  expiresAt: 2027-01-01T00:00:00Z
                """));

        // When it goes through the exceptions topic's record and back
        ExceptionRule read = ExceptionRule.of(rule.toRecord(NOW));

        // Then nothing is lost, and it covers exactly the named pods for both controls
        assertThat(read).isEqualTo(new ExceptionRule("ex-many", rule.controlIds(), null, "tools", null, rule.names(),
                java.util.Map.of(), "incident tooling", null, null, "security-lead", "alice", NOW,
                Instant.parse("2027-01-01T00:00:00Z"), false));
        assertThat(read.controlIds()).containsExactlyInAnyOrder("KP-POD-001", "KP-POD-002");
        assertThat(read.covers("KP-POD-002", "c1", "Pod", "tools", "shell", java.util.Map.of())).isTrue();
        assertThat(read.covers("KP-POD-002", "c1", "Pod", "tools", "other", java.util.Map.of())).isFalse();
        assertThat(read.covers("KP-POD-003", "c1", "Pod", "tools", "debug", java.util.Map.of())).isFalse();
        assertThat(read.revoke().activeAt(NOW)).isFalse();
    }
}
