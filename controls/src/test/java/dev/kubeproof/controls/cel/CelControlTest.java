package dev.kubeproof.controls.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.controls.catalog.CatalogException;
import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Status;
import dev.kubeproof.controls.check.Subject;

/** Custom controls in CEL: control files and ValidatingAdmissionPolicies, compiled by CEL-Java. */
class CelControlTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path GOOD = Path.of("src/test/resources/custom-controls/good");
    private static final Path BROKEN = Path.of("src/test/resources/custom-controls/broken");

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static CelControl control(String yaml) {
        return CelControlFiles.parse(yaml, "test.yaml").get(0);
    }

    @Test
    void shouldJudgeAControlFileAsItsOwnCasesExpect() throws Exception {
        // Given the cost-center control file and its four cases (variables, a match condition, namespaceObject)
        List<CelControl> controls = CelControlFiles.read(List.of(GOOD.resolve("cost-center.yaml")));

        // When its cases run through the engine
        List<CelControlCases.Outcome> outcomes = CelControlCases.run(controls, ControlSettings.defaults());

        // Then each gives its expected status, and the failure says why
        assertThat(outcomes).hasSize(4).allSatisfy(outcome -> assertThat(outcome.passed()).as(outcome.toString()).isTrue());
        assertThat(outcomes.get(1).message()).isEqualTo("no cost-center label on Deployment web");
        assertThat(outcomes.get(2).message()).isEqualTo("the cost center is not one the namespace allows");
        assertThat(controls.get(0).definition().dependsOn()).as("re-judged when its Namespace changes")
                .containsExactly("Namespace");
    }

    @Test
    void shouldImportAValidatingAdmissionPolicyAsItIs() throws Exception {
        // Given the documentation's demo policy, unchanged
        CelControl policy = CelControlFiles.read(List.of(GOOD.resolve("replica-limit-vap.yaml"))).get(0);
        ControlEngine engine = ControlEngine.load(ControlSettings.defaults(), List.of(policy));

        // Then it is a control of the kinds its rules name, with the id derived from its name
        assertThat(policy.id()).isEqualTo("VAP-DEMO-POLICY-EXAMPLE-COM");
        assertThat(policy.definition().appliesTo()).containsExactly("Deployment");
        assertThat(policy.definition().severity().name()).isEqualTo("LOW");
        // and judges existing objects as the API server would have admitted them
        assertThat(result(engine, policy.id(), "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
                + "\"big\",\"namespace\":\"shop\"},\"spec\":{\"replicas\":6}}").status()).isEqualTo(Status.FAIL);
        ControlResult small = result(engine, policy.id(), "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":"
                + "{\"name\":\"small\",\"namespace\":\"shop\"},\"spec\":{\"replicas\":3}}");
        assertThat(small.status()).isEqualTo(Status.PASS);
    }

    @Test
    void shouldNameTheFileControlExpressionAndPositionOfACompileError() {
        assertThatThrownBy(() -> CelControlFiles.read(List.of(BROKEN.resolve("syntax.yaml"))))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("syntax.yaml")
                .hasMessageContaining("control ACME-BAD-001 validations[0].expression line 1, column")
                .hasMessageContaining("object.metadata.name == ");
    }

    @Test
    void shouldRejectAValidationThatIsNotABooleanExpression() {
        assertThatThrownBy(() -> CelControlFiles.read(List.of(BROKEN.resolve("not-bool.yaml"))))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("control ACME-BAD-002 validations[0].expression: must be a bool expression, is string");
    }

    @Test
    void shouldRejectUnknownFieldsKubeproofIdsAndUnknownFrameworks() {
        assertThatThrownBy(() -> control("""
                id: KP-POD-999
                title: t
                severity: low
                appliesTo: [Pod]
                remediation: r
                frameworks: {iso27001: [A.8]}
                validate: []
                validations: [{expression: "true"}]
                """)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("unknown field 'validate'")
                .hasMessageContaining("KP- ids are kubeproof's own")
                .hasMessageContaining("unknown framework 'iso27001'");
    }

    @Test
    void shouldMakeARuntimeErrorThatResultsErrorWhileTheOtherControlsAreJudged() throws Exception {
        // Given a control that reads a field without has()
        CelControl careless = control("""
                id: ACME-ERR-001
                title: Reads a field that may be absent
                severity: low
                appliesTo: [Deployment]
                remediation: use has()
                validations: [{expression: "object.spec.template.spec.hostNetwork == false"}]
                """);
        ControlEngine engine = ControlEngine.load(ControlSettings.defaults(), List.of(careless));

        // When a Deployment without the field is judged
        List<ControlResult> results = engine.evaluate(json("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                + "\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\"},\"spec\":{}}"), ClusterView.empty());

        // Then that result is ERROR, naming the expression, and the built-in controls still judged the object
        ControlResult error = results.stream().filter(r -> r.control().id().equals("ACME-ERR-001")).findFirst().orElseThrow();
        assertThat(error.status()).isEqualTo(Status.ERROR);
        assertThat(error.message()).contains("validations[0].expression");
        assertThat(results).filteredOn(r -> r.control().id().startsWith("KP-")).isNotEmpty()
                .noneMatch(r -> r.status() == Status.ERROR);
    }

    @Test
    void shouldStopAnExpressionThatExceedsTheCostLimit() throws Exception {
        // Given a quadratic expression over a list of 1,500 items: about 4.5 million steps
        CelControl quadratic = control("""
                id: ACME-COST-001
                title: Quadratic on purpose
                severity: low
                appliesTo: [ConfigMap]
                remediation: none
                validations: [{expression: "object.data.items.split(',').all(a, object.data.items.split(',').all(b, a == b || a != b))"}]
                """);
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            items.append(i == 0 ? "" : ",").append("i").append(i);
        }
        JsonNode configMap = json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":"
                + "\"shop\"},\"data\":{\"items\":\"" + items + "\"}}");

        // When judged with Kubernetes' per-expression limit
        ControlResult result = ControlEngine.load(ControlSettings.defaults(), List.of(quadratic))
                .evaluate(configMap, ClusterView.empty()).stream()
                .filter(r -> r.control().id().equals("ACME-COST-001")).findFirst().orElseThrow();

        // Then it stops with ERROR, saying so
        assertThat(result.status()).isEqualTo(Status.ERROR);
        assertThat(result.message()).contains("exceeded the cost limit of 1000000");
        // and the same expression on a short list passes
        JsonNode small = json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":"
                + "\"shop\"},\"data\":{\"items\":\"a,b,c\"}}");
        assertThat(CelCheck.compile(quadratic).evaluate(new Subject(small, ClusterView.empty(), ControlSettings.defaults()))
                .status()).isEqualTo(Status.PASS);
    }

    private static ControlResult result(ControlEngine engine, String id, String object) throws Exception {
        return engine.evaluate(json(object), ClusterView.empty()).stream().filter(r -> r.control().id().equals(id))
                .findFirst().orElseThrow();
    }
}
