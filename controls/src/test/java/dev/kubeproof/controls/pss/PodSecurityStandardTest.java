package dev.kubeproof.controls.pss;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Status;
import dev.kubeproof.controls.k8s.PodSpec;
import dev.kubeproof.controls.view.InMemoryClusterView;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Pod Security Standards cases of {@code pss-cases/} (written from the standard's text): at every supported
 * version and both levels, the checks that forbid each case are exactly the expected ones; and the KP-PSS-* controls
 * give the same answer through the control engine.
 */
class PodSecurityStandardTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, PssCheck> CHECKS = PssChecks.all().stream()
            .collect(Collectors.toMap(PssCheck::id, Function.identity()));

    record Case(String file, List<String> checks, JsonNode content) {
        String name() {
            return content.path("name").asText();
        }

        /** The failing checks expected at {@code level} and {@code version}. */
        Set<String> expected(PssLevel level, PssVersion version) {
            JsonNode before = content.path("before");
            JsonNode source = before.isObject() && version.compareTo(PssVersion.parse(before.path("version").asText())) < 0
                    ? before : content;
            assertThat(source.has(level.label())).as("%s lists %s", this, level.label()).isTrue();
            Set<String> out = new TreeSet<>();
            source.path(level.label()).forEach(id -> out.add(id.asText()));
            return out;
        }

        @Override
        public String toString() {
            return file + ": " + name();
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(root())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                JsonNode content = YAML.readTree(file.toFile());
                List<String> checks = new ArrayList<>();
                content.path("checks").forEach(c -> checks.add(c.asText()));
                content.path("cases").forEach(c -> out.add(new Case(file.getFileName().toString(), checks, c)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldForbidEachCaseByExactlyTheExpectedChecksAtEveryVersionAndLevel(Case testCase) {
        // Given a case's object and its pod spec
        PodSpec pod = PodSpec.of(testCase.content().get("object")).orElseThrow();

        for (PssVersion version : PssVersion.supported()) {
            for (PssLevel level : PssLevel.values()) {
                // When admission's decision is computed at that level and version
                PodSecurityStandard.Decision decision = PodSecurityStandard.evaluate(pod, level, version);

                // Then exactly the expected checks forbid it, each naming at least one field
                Set<String> failing = decision.violations().stream().map(v -> v.check().id()).collect(Collectors.toCollection(TreeSet::new));
                assertThat(failing).as("%s at %s", testCase, decision.policy()).isEqualTo(testCase.expected(level, version));
                assertThat(decision.allowed()).isEqualTo(failing.isEmpty());
                decision.violations().forEach(v -> assertThat(v.findings()).allSatisfy(f -> {
                    assertThat(f.path()).startsWith(pod.path().equals("spec") ? "" : "spec.");
                    assertThat(f.message()).isNotBlank();
                }));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldGiveTheSameAnswerThroughTheKpPssControls(Case testCase) {
        // Given the default settings (podSecurityVersion latest)
        ControlEngine engine = ControlEngine.withDefaults();

        // When the case's object is evaluated by the catalog
        List<ControlResult> results = engine.evaluate(testCase.content().get("object"), InMemoryClusterView.builder().build());

        // Then each KP-PSS control fails exactly when its check is expected to forbid the object at the latest version
        Set<String> failingAtItsLevel = new TreeSet<>();
        for (PssCheck check : PssChecks.all()) {
            if (testCase.expected(check.level(), PssVersion.LATEST).contains(check.id())) {
                failingAtItsLevel.add(check.controlId());
            }
        }
        Set<String> failingControls = results.stream()
                .filter(r -> r.control().id().startsWith("KP-PSS-") && r.status() == Status.FAIL)
                .map(r -> r.control().id()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(failingControls).as("%s", testCase).isEqualTo(failingAtItsLevel);
        assertThat(results).filteredOn(r -> r.control().id().startsWith("KP-PSS-")).hasSize(PssChecks.all().size());
    }

    @Test
    void shouldHaveAControlAndCasesAtBothLevelsForEveryCheckOfEveryVersion() throws IOException {
        // Given the catalog and the cases
        Map<String, ControlDefinition> controls = ControlEngine.withDefaults().controls().stream()
                .collect(Collectors.toMap(ControlDefinition::id, Function.identity()));
        List<Case> cases = cases().toList();

        for (PssVersion version : PssVersion.supported()) {
            for (PssLevel level : PssLevel.values()) {
                for (PssCheck check : PodSecurityStandard.checks(level, version)) {
                    // Then every check admission runs has its control, mapped to exactly its clause of the standard
                    ControlDefinition control = controls.get(check.controlId());
                    assertThat(control).as("control of %s", check.id()).isNotNull();
                    assertThat(control.frameworks().get("pss")).as(check.controlId())
                            .containsExactly(check.level().label() + ": " + check.policy());

                    // and cases of its file where it forbids and where it allows, at this level and version
                    List<Case> own = cases.stream().filter(c -> c.checks().contains(check.id())).toList();
                    assertThat(own).as("cases of %s", check.id())
                            .anySatisfy(c -> assertThat(c.expected(level, version)).contains(check.id()))
                            .anySatisfy(c -> assertThat(c.expected(level, version)).doesNotContain(check.id()));
                }
            }
        }
        // and no KP-PSS control claims a check the standard does not have, nor a house rule a PSS clause
        assertThat(controls.values()).filteredOn(c -> c.frameworks().containsKey("pss") && c.id().startsWith("KP-POD-")).isEmpty();
        assertThat(controls.keySet().stream().filter(id -> id.startsWith("KP-PSS-")))
                .containsExactlyInAnyOrderElementsOf(PssChecks.all().stream().map(PssCheck::controlId).toList());
        assertThat(cases.stream().flatMap(c -> c.checks().stream())).allSatisfy(id -> assertThat(CHECKS).containsKey(id));
    }

    @Test
    void shouldRunTheChecksAdmissionRunsAtEachLevelAndVersion() {
        // Given the v1.23 and latest versions
        // When the checks of each level are listed
        List<String> baseline = ids(PodSecurityStandard.checks(PssLevel.BASELINE, PssVersion.OLDEST));
        List<String> restrictedOld = ids(PodSecurityStandard.checks(PssLevel.RESTRICTED, PssVersion.OLDEST));
        List<String> restrictedLatest = ids(PodSecurityStandard.checks(PssLevel.RESTRICTED, PssVersion.LATEST));

        // Then baseline has its 11 checks before v1.34 (host probes), restricted replaces hostPath, capabilities,
        // seccomp and (from v1.35) procMount by stricter checks of the same fields
        assertThat(baseline).hasSize(11).doesNotContain("hostProbesAndHostLifecycle");
        assertThat(restrictedOld).contains("restrictedVolumes", "capabilities_restricted", "seccompProfile_restricted", "procMount")
                .doesNotContain("hostPathVolumes", "capabilities_baseline", "seccompProfile_baseline", "procMount_restricted");
        assertThat(restrictedLatest).contains("procMount_restricted", "hostProbesAndHostLifecycle").doesNotContain("procMount");
        assertThat(restrictedLatest).as("12 baseline - 4 overridden + 7 restricted").hasSize(15);
    }

    @Test
    void shouldParseVersionsAsTheEnforceVersionLabelWritesThem() {
        assertThat(PssVersion.parse("latest")).isEqualTo(PssVersion.LATEST);
        assertThat(PssVersion.parse("v1.30")).isEqualTo(PssVersion.of(30));
        assertThat(PssVersion.parse("v1.99")).as("newer than known: evaluated as the latest, as admission does").isEqualTo(PssVersion.LATEST);
        assertThatThrownBy(() -> PssVersion.parse("v1.22")).hasMessageContaining("older than v1.23");
        assertThatThrownBy(() -> PssVersion.parse("1.30.1")).hasMessageContaining("'1.30.1'");
        assertThatThrownBy(() -> ControlSettings.defaults().with(YAML.valueToTree(Map.of("podSecurityVersion", "v2.0"))))
                .hasMessageContaining("podSecurityVersion");
    }

    @Test
    void shouldJudgeTheControlsAtTheConfiguredVersion() {
        // Given a pod whose liveness probe targets another host, and settings pinned to v1.33
        JsonNode pod = YAML.valueToTree(Map.of("apiVersion", "v1", "kind", "Pod",
                "metadata", Map.of("name", "p", "namespace", "app"),
                "spec", Map.of("containers", List.of(Map.of("name", "c", "image", "i",
                        "livenessProbe", Map.of("httpGet", Map.of("host", "10.0.0.1", "port", 80)))))));
        ControlEngine v133 = ControlEngine.load(ControlSettings.defaults().with(YAML.valueToTree(Map.of("podSecurityVersion", "v1.33"))));

        // When KP-PSS-007 judges it at v1.33 and at latest
        ControlResult atV133 = result(v133, pod, "KP-PSS-007");
        ControlResult atLatest = result(ControlEngine.withDefaults(), pod, "KP-PSS-007");

        // Then the check does not exist yet at v1.33 and fails at latest, naming the field
        assertThat(atV133.status()).isEqualTo(Status.NOT_APPLICABLE);
        assertThat(atV133.message()).contains("begins in v1.34");
        assertThat(atLatest.status()).isEqualTo(Status.FAIL);
        assertThat(atLatest.findings()).singleElement().satisfies(f ->
                assertThat(f.path()).isEqualTo("spec.containers[0].livenessProbe.httpGet.host"));
    }

    private static ControlResult result(ControlEngine engine, JsonNode object, String controlId) {
        return engine.evaluate(object, InMemoryClusterView.builder().build()).stream()
                .filter(r -> r.control().id().equals(controlId)).findFirst().orElseThrow();
    }

    private static List<String> ids(List<PssCheck> checks) {
        return checks.stream().map(PssCheck::id).toList();
    }

    private static Path root() {
        try {
            return Path.of(PodSecurityStandardTest.class.getResource("/pss-cases").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("the pss-cases test resources are missing", e);
        }
    }
}
