package dev.kubeproof.controls.catalog;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.kubeproof.controls.ControlDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogTest {

    private static final String VALID_CONTROL = """
            - id: KP-TST-001
              version: 1
              title: A test control
              description: What it checks.
              severity: high
              phase: deploy
              category: test
              appliesTo: [Pod]
              remediation: Fix it.
            """;
    private static final String PRACTICES = """
            practices:
              - {id: a-practice, phase: deploy, practice: "something", controls: [KP-TST-001]}
            """;

    @Test
    void shouldLoadTheBuiltInCatalogWithCompleteMetadata() {
        // When the shipped catalog is loaded
        Catalog catalog = Catalog.builtIn();

        // Then ids are unique and every control carries the metadata an auditor needs
        List<ControlDefinition> controls = catalog.entries().stream().map(CatalogEntry::definition).toList();
        assertThat(controls).hasSize(92);
        assertThat(controls.stream().map(ControlDefinition::id)).doesNotHaveDuplicates();
        assertThat(controls).allSatisfy(c -> {
            assertThat(c.title()).isNotBlank();
            assertThat(c.description()).isNotBlank();
            assertThat(c.remediation()).isNotBlank();
            assertThat(c.references()).isNotEmpty();
            assertThat(c.frameworks()).as("frameworks of %s", c.id()).isNotEmpty();
            assertThat(Catalog.PHASES).contains(c.phase());
        });
        assertThat(controls.stream().filter(ControlDefinition::observable)).hasSize(87);
        assertThat(controls.stream().filter(ControlDefinition::auditEvaluated).map(ControlDefinition::id))
                .as("runtime controls judged from audit events").containsExactlyElementsOf(
                        java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(n -> String.format("KP-RUN-%03d", n)).toList());
        assertThat(controls.stream().filter(c -> !c.observable()))
                .allSatisfy(c -> assertThat(c.notObservableReason()).isNotBlank());
        assertThat(controls.stream().filter(ControlDefinition::attestation).map(ControlDefinition::id))
                .as("practices people attest").containsExactly("KP-INF-011", "KP-ATT-001", "KP-ATT-002", "KP-ATT-003", "KP-ATT-004");
    }

    @Test
    void shouldNameTheEditionOfEveryStandardTheControlsMapTo() {
        // When the shipped catalog is loaded
        Catalog catalog = Catalog.builtIn();

        // Then every framework key a control uses is declared, with the edition its ids refer to
        assertThat(catalog.entries()).allSatisfy(entry ->
                assertThat(catalog.frameworks()).containsKeys(entry.definition().frameworks().keySet().toArray(String[]::new)));
        assertThat(catalog.frameworks().get("cis").title()).isEqualTo("CIS Kubernetes Benchmark v1.9.0");
        assertThat(catalog.frameworks().get("nsa").title()).isEqualTo("NSA/CISA Kubernetes Hardening Guidance v1.2");
        assertThat(catalog.frameworks().get("mitre").version()).isEqualTo("16.1");
        assertThat(catalog.frameworks().get("soc2").title()).isEqualTo("SOC 2 Trust Services Criteria (2017, points of focus 2022)");
        assertThat(catalog.frameworks().get("pss").title()).as("not versioned").isEqualTo("Kubernetes Pod Security Standards");
        assertThat(catalog.frameworks().values()).allSatisfy(f -> assertThat(f.url()).startsWith("https://"));
    }

    @Test
    void shouldRejectAFrameworkWithoutANameOrWithAnUnquotedVersion() {
        String yaml = "frameworks:\n  cis: {version: 1.9, url: \"https://example.com\"}\ncontrols:\n" + VALID_CONTROL.indent(2) + PRACTICES;

        assertThatThrownBy(() -> Catalog.parse(yaml, "test.yaml"))
                .hasMessageContaining("framework cis: field 'name'")
                .hasMessageContaining("framework cis: field 'version' must be a string");
    }

    @Test
    void shouldCoverEveryPracticeOfTheHardeningGuidesWithKnownControls() {
        // Given the practices of issue 4, by the ids the catalog gives them
        Set<String> expected = Set.of("build-minimal-base", "build-no-unnecessary-components", "build-up-to-date-images",
                "build-images-scanned", "deploy-sensitive-namespaces", "deploy-default-deny", "deploy-namespace-isolation",
                "deploy-ingress-tls", "deploy-egress-controlled", "deploy-secrets-minimal", "deploy-non-root",
                "deploy-read-only-root", "deploy-no-host-namespaces", "deploy-capabilities", "deploy-no-privileged",
                "deploy-no-privilege-escalation", "deploy-seccomp", "deploy-trusted-registries", "deploy-no-latest",
                "deploy-owner-labels", "deploy-requests-limits", "deploy-quota-limitrange", "deploy-sensitive-node-affinity",
                "deploy-psa-enforced", "deploy-pod-security-standards", "deploy-rbac-least-privilege", "deploy-rbac-no-cluster-admin", "deploy-rbac-no-wildcards",
                "deploy-rbac-no-secret-read", "deploy-rbac-no-anonymous", "deploy-rbac-careful-crb", "deploy-token-rotation",
                "deploy-no-literal-credentials",
                "runtime-exec-attach", "runtime-anonymous-access", "runtime-rbac-escalation", "runtime-secret-reads",
                "runtime-privileged-requests", "runtime-impersonation", "runtime-denials", "runtime-bastion-only",
                "runtime-audit-alive", "runtime-system-namespace-workloads",
                "infra-supported-version", "infra-apiserver-anonymous-auth", "infra-apiserver-authorization",
                "infra-apiserver-audit", "infra-apiserver-encryption", "infra-apiserver-authentication",
                "infra-apiserver-profiling", "infra-etcd-tls", "infra-apiserver-not-public", "governance-rbac-review",
                "governance-mfa", "governance-backup-restore", "governance-patch-cadence");

        // When the catalog is loaded
        Catalog catalog = Catalog.builtIn();

        // Then each practice maps to controls of the catalog, and each control serves some practice
        assertThat(catalog.practices()).extracting(Practice::id).containsAll(expected);
        Set<String> used = new HashSet<>();
        catalog.practices().forEach(p -> used.addAll(p.controls()));
        assertThat(used).containsExactlyInAnyOrderElementsOf(catalog.entries().stream().map(CatalogEntry::id).toList());
    }

    @Test
    void shouldLinkTrivyChecksToTheControlsThatJudgeTheSameThingAndRejectAnythingElse() {
        // Given the built-in catalog, Then Trivy's privileged-container check links to the house rule and the PSS check
        dev.kubeproof.controls.ControlEngine engine = dev.kubeproof.controls.ControlEngine.withDefaults();
        assertThat(engine.controlsOfTrivyCheck("KSV017")).containsExactly("KP-POD-001", "KP-PSS-003");
        assertThat(engine.controlsOfTrivyCheck("KSV999")).isEmpty();
        assertThat(Catalog.builtIn().entries()).filteredOn(e -> !e.trivyChecks().isEmpty()).hasSize(32);

        // Given a control naming something that is not a KSV id, When the catalog loads, Then it names the problem
        String yaml = "controls:\n" + (VALID_CONTROL + "  trivyChecks: [KSV17, AVD-KSV-0017]\n").indent(2) + PRACTICES;
        assertThatThrownBy(() -> Catalog.parse(yaml, "test.yaml")).isInstanceOf(CatalogException.class)
                .hasMessageContaining("trivyChecks names 'KSV17', which is not a Trivy Kubernetes check id like KSV017")
                .hasMessageContaining("'AVD-KSV-0017'");
    }

    @Test
    void shouldRejectAnUnknownSeverityNamingTheControlAndField() {
        String yaml = "controls:\n" + VALID_CONTROL.replace("severity: high", "severity: extreme").indent(2) + PRACTICES;

        assertThatThrownBy(() -> Catalog.parse(yaml, "test.yaml"))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("control KP-TST-001: field 'severity' is 'extreme'");
    }

    @Test
    void shouldRejectDuplicateIdsUnknownFieldsAndUnknownPhases() {
        String second = VALID_CONTROL.replace("phase: deploy", "phase: someday").replace("category: test", "category: test\n  colour: red");
        String yaml = "controls:\n" + VALID_CONTROL.indent(2) + second.indent(2) + PRACTICES;

        assertThatThrownBy(() -> Catalog.parse(yaml, "test.yaml"))
                .isInstanceOfSatisfying(CatalogException.class, e -> assertThat(e.problems()).anySatisfy(p ->
                        assertThat(p).contains("KP-TST-001").contains("'phase' is 'someday'"))
                        .anySatisfy(p -> assertThat(p).contains("unknown field 'colour'")));
        String duplicate = "controls:\n" + VALID_CONTROL.indent(2) + VALID_CONTROL.indent(2) + PRACTICES;
        assertThatThrownBy(() -> Catalog.parse(duplicate, "test.yaml")).hasMessageContaining("control KP-TST-001: duplicate id");
    }

    @Test
    void shouldRequireAReasonAndNoKindsForNonObservableControls() {
        String yaml = "controls:\n" + VALID_CONTROL.replace("appliesTo: [Pod]", "appliesTo: [Pod]\n  observable: false").indent(2) + PRACTICES;

        assertThatThrownBy(() -> Catalog.parse(yaml, "test.yaml"))
                .isInstanceOfSatisfying(CatalogException.class, e -> assertThat(e.problems())
                        .contains("control KP-TST-001: field 'notObservableReason' is required when observable is false",
                                "control KP-TST-001: field 'appliesTo' must be empty for a non-observable control (nothing is evaluated)"));
    }

    @Test
    void shouldRejectPracticesNamingUnknownControlsAndUnknownFrameworks() {
        String yaml = "frameworks:\n  cis: {name: CIS, url: \"https://example.com\"}\ncontrols:\n"
                + VALID_CONTROL.replace("remediation: Fix it.", "remediation: Fix it.\n  frameworks: {iso: [A.1]}").indent(2)
                + PRACTICES.replace("[KP-TST-001]", "[KP-TST-001, KP-TST-999]");

        assertThatThrownBy(() -> Catalog.parse(yaml, "test.yaml"))
                .hasMessageContaining("practice a-practice: field 'controls' names unknown control KP-TST-999")
                .hasMessageContaining("control KP-TST-001: field 'frameworks' has unknown framework 'iso'");
    }
}
