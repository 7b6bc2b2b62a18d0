package dev.kubeproof.controls.scan;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.Status;

import static org.assertj.core.api.Assertions.assertThat;

class RenderersTest {

    /** A failing pod whose name needs escaping in XML, and a hardened namespace next to it. */
    private static final ScanReport REPORT = report("""
            apiVersion: v1
            kind: Pod
            metadata: {name: "a<b>&\\"c", namespace: shop}
            spec:
              hostNetwork: true
              containers:
                - {name: app, image: "nginx:latest", securityContext: {privileged: true}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}
            """);

    private static ScanReport report(String yaml) {
        ManifestReader reader = new ManifestReader(null, InputStreams.empty());
        List<Manifest> manifests = reader.parse(new StringReader(yaml), "deploy/app.yaml");
        return new ManifestScanner(ControlEngine.withDefaults()).scan(manifests, List.of());
    }

    @Test
    void shouldWriteStructurallyValidSarif() throws Exception {
        // When the report is rendered as SARIF
        StringWriter out = new StringWriter();
        new SarifRenderer().render(REPORT, out);
        JsonNode sarif = new ObjectMapper().readTree(out.toString());

        // Then it has SARIF 2.1.0's required structure, rules are unique and results point at them and at the file
        assertThat(sarif.path("version").asText()).isEqualTo("2.1.0");
        assertThat(sarif.path("$schema").asText()).isEqualTo(SarifRenderer.SCHEMA);
        assertThat(sarif.path("runs")).hasSize(1);
        JsonNode run = sarif.path("runs").get(0);
        assertThat(run.path("tool").path("driver").path("name").asText()).isEqualTo("kubeproof");
        JsonNode rules = run.path("tool").path("driver").path("rules");
        Set<String> ruleIds = new HashSet<>(rules.findValuesAsText("id"));
        assertThat(ruleIds).hasSize(rules.size()).hasSize(77);
        JsonNode results = run.path("results");
        long failingFindings = REPORT.entries().filter(e -> e.result().status() == Status.FAIL)
                .mapToLong(e -> e.result().findings().size()).sum();
        assertThat(results).hasSize((int) failingFindings);
        for (JsonNode result : results) {
            int index = result.path("ruleIndex").asInt();
            assertThat(rules.get(index).path("id").asText()).isEqualTo(result.path("ruleId").asText());
            assertThat(result.path("level").asText()).isIn("error", "warning", "note");
            assertThat(result.path("message").path("text").asText()).isNotBlank();
            JsonNode physical = result.path("locations").get(0).path("physicalLocation");
            assertThat(physical.path("artifactLocation").path("uri").asText()).isEqualTo("deploy/app.yaml");
            String resource = result.path("locations").get(0).path("logicalLocations").get(0).path("fullyQualifiedName").asText();
            // The pod's document starts on line 1, the namespace's on line 9.
            assertThat(physical.path("region").path("startLine").asInt()).isEqualTo(resource.startsWith("Pod/") ? 1 : 9);
            assertThat(result.path("partialFingerprints").path("kubeproofFinding/v1").asText()).hasSize(32);
        }
        assertThat(results.findValuesAsText("ruleId")).contains("KP-POD-001", "KP-POD-002", "KP-IMG-002");
        assertThat(run.path("invocations").get(0).path("executionSuccessful").asBoolean()).isTrue();
    }

    @Test
    void shouldWriteJUnitXmlThatParsesWithConsistentCounts() throws Exception {
        // When the report is rendered as JUnit XML
        StringWriter out = new StringWriter();
        new JUnitRenderer().render(REPORT, out);

        // Then it parses (names escaped), has a suite per applied control and counts that match its test cases
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.UTF_8)));
        Element root = xml.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("testsuites");
        NodeList cases = xml.getElementsByTagName("testcase");
        assertThat(Integer.parseInt(root.getAttribute("tests"))).isEqualTo(cases.getLength()).isEqualTo((int) REPORT.entries().count());
        assertThat(Integer.parseInt(root.getAttribute("failures"))).isEqualTo(xml.getElementsByTagName("failure").getLength())
                .isEqualTo((int) REPORT.count(Status.FAIL));
        assertThat(Integer.parseInt(root.getAttribute("skipped"))).isEqualTo(xml.getElementsByTagName("skipped").getLength());
        NodeList suites = xml.getElementsByTagName("testsuite");
        for (int i = 0; i < suites.getLength(); i++) {
            Element suite = (Element) suites.item(i);
            assertThat(Integer.parseInt(suite.getAttribute("tests"))).isEqualTo(suite.getElementsByTagName("testcase").getLength());
        }
        assertThat(((Element) cases.item(0)).getAttribute("name")).isEqualTo("Pod shop/a<b>&\"c");
        assertThat(out.toString()).contains("spec.containers[0].securityContext.privileged (container app)");
    }

    @Test
    void shouldListFailuresAndASummaryInTheTable() throws Exception {
        StringWriter out = new StringWriter();
        new TableRenderer(false).render(REPORT, out);

        assertThat(out.toString()).contains("FAIL").contains("critical").contains("KP-POD-001")
                .doesNotContain("PASS ")
                .contains("2 resources scanned:");
    }
}
