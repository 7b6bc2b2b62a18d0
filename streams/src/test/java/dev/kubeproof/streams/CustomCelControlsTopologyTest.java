package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.cel.CelControl;
import dev.kubeproof.controls.cel.CelControlFiles;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;

/** Custom controls in CEL as evidence: a control file and a ValidatingAdmissionPolicy imported as it is. */
class CustomCelControlsTopologyTest {
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-01T10:05:00Z");

    @TempDir
    Path stateDir;

    private TopologyHarness topology;

    @AfterEach
    void close() {
        if (topology != null) {
            topology.close();
        }
    }

    private static final String CONTROLS = """
            id: ACME-LBL-001
            title: Workloads name a cost center
            severity: medium
            appliesTo: [Deployment]
            remediation: Add the label cost-center.
            validations:
              - expression: "has(object.metadata.labels) && 'cost-center' in object.metadata.labels"
                messageExpression: "'no cost-center label on ' + object.metadata.name"
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: replica-limit}
            spec:
              matchConstraints:
                resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
              validations:
                - expression: "!has(object.spec.replicas) || object.spec.replicas <= 5"
                  message: more than 5 replicas
            ---
            id: ACME-ERR-001
            title: Reads a field that may be absent
            severity: low
            appliesTo: [Deployment]
            remediation: use has()
            validations: [{expression: "object.spec.template.spec.hostNetwork == false"}]
            """;

    @Test
    void shouldRecordCustomControlsAsEvidenceWithTransitionsAndErrorsThatDoNotStopThePipeline() {
        // Given the evidence topology with two custom controls and an imported admission policy
        List<CelControl> custom = CelControlFiles.parse(CONTROLS, "acme.yaml");
        ControlEngine engine = ControlEngine.load(ControlSettings.defaults(), custom);
        topology = new TopologyHarness(stateDir, engine, ViolationFormats.named("ecs", ControlCatalog.of(engine)));

        // When a Deployment without the label and with 6 replicas arrives, then is fixed
        ObjectNode deployment = Resources.deployment("shop", "web", "uid-web", false, "nginx:1.27");
        deployment.with("spec").put("replicas", 6);
        topology.pipe(Resources.change("prod", ChangeType.ADDED, deployment, "1", T1));
        ObjectNode fixed = deployment.deepCopy();
        fixed.with("metadata").with("labels").put("cost-center", "cc-7");
        fixed.with("spec").put("replicas", 3);
        topology.pipe(Resources.change("prod", ChangeType.MODIFIED, fixed, "2", T2));

        // Then both controls failed, then passed, hash-chained like the built-in ones
        List<EvidenceRecord> evidence = topology.evidence();
        assertThat(statuses(evidence, "ACME-LBL-001")).containsExactly(EvidenceStatus.FAIL, EvidenceStatus.PASS);
        assertThat(statuses(evidence, "VAP-REPLICA-LIMIT")).containsExactly(EvidenceStatus.FAIL, EvidenceStatus.PASS);
        assertThat(evidence).filteredOn(r -> r.getControlId().equals("ACME-LBL-001")).first()
                .satisfies(r -> assertThat(r.getMessage()).isEqualTo("no cost-center label on web"));
        // and the careless expression is an ERROR on the object, not a stopped pipeline
        assertThat(statuses(evidence, "ACME-ERR-001")).containsExactly(EvidenceStatus.ERROR);
        assertThat(topology.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldRecordAnExpressionThatExceedsTheCostLimitAsErrorAndGoOn() {
        // Given the evidence topology with a control whose expression is quadratic in a ConfigMap's list
        List<CelControl> custom = CelControlFiles.parse("""
                id: ACME-COST-001
                title: Quadratic on purpose
                severity: low
                appliesTo: [ConfigMap]
                remediation: Write expressions whose cost grows linearly with their input.
                validations:
                  - expression: "object.data.items.split(',').all(a, object.data.items.split(',').all(b, a == b || a != b))"
                """, "costly.yaml");
        ControlEngine engine = ControlEngine.load(ControlSettings.defaults(), custom);
        topology = new TopologyHarness(stateDir, engine, ViolationFormats.named("ecs", ControlCatalog.of(engine)));

        // When a ConfigMap with 1,500 items arrives, then one with 3
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            items.append(i == 0 ? "" : ",").append("i").append(i);
        }
        topology.pipe(Resources.change("prod", ChangeType.ADDED, configMap("long", "uid-long", items.toString()), "1", T1));
        topology.pipe(Resources.change("prod", ChangeType.ADDED, configMap("short", "uid-short", "a,b,c"), "1", T2));

        // Then the long one is ERROR evidence saying the limit was exceeded, and the next is judged as usual
        List<EvidenceRecord> evidence = topology.evidence().stream()
                .filter(r -> r.getControlId().equals("ACME-COST-001")).toList();
        assertThat(evidence).extracting(r -> r.getResource().getName() + " " + r.getStatus())
                .containsExactly("long ERROR", "short PASS");
        assertThat(evidence.get(0).getMessage()).contains("exceeded the cost limit of 1000000");
        assertThat(topology.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldGiveAControlItsObjectsOwnNamespaceAndJudgeAgainWhenThatNamespaceChanges() {
        // Given a control that reads namespaceObject, and two namespaces allowing different cost centers
        List<CelControl> custom = CelControlFiles.parse("""
                id: ACME-NS-001
                title: Workloads name a cost center their namespace allows
                severity: medium
                appliesTo: [Deployment]
                remediation: Use one of the namespace's allowed cost centers.
                validations:
                  - expression: >-
                      namespaceObject != null
                      && object.metadata.labels['cost-center'] in namespaceObject.metadata.annotations['allowed'].split(',')
                    messageExpression: "'cost center not allowed in ' + object.metadata.namespace"
                """, "namespaces.yaml");
        ControlEngine engine = ControlEngine.load(ControlSettings.defaults(), custom);
        topology = new TopologyHarness(stateDir, engine, ViolationFormats.named("ecs", ControlCatalog.of(engine)));
        topology.pipe(Resources.change("prod", ChangeType.ADDED, allowing("other", "uid-other", "cc-1"), "1", T1));
        topology.pipe(Resources.change("prod", ChangeType.ADDED, allowing("shop", "uid-shop", "cc-7"), "1", T1));

        // When a Deployment of cost center cc-1 arrives in shop, then shop comes to allow cc-1 as well
        ObjectNode deployment = Resources.labelled(Resources.deployment("shop", "web", "uid-web", false, "nginx:1.27"),
                java.util.Map.of("cost-center", "cc-1"));
        topology.pipe(Resources.change("prod", ChangeType.ADDED, deployment, "1", T1));
        topology.pipe(Resources.change("prod", ChangeType.MODIFIED, allowing("shop", "uid-shop", "cc-1,cc-7"), "2", T2));

        // Then it was judged by its own namespace (not the other that allows cc-1): FAIL, then PASS on the change
        List<EvidenceRecord> evidence = topology.evidence().stream()
                .filter(r -> r.getControlId().equals("ACME-NS-001")).toList();
        assertThat(evidence).extracting(EvidenceRecord::getStatus).containsExactly(EvidenceStatus.FAIL, EvidenceStatus.PASS);
        assertThat(evidence.get(0).getMessage()).isEqualTo("cost center not allowed in shop");
        assertThat(evidence.get(1).getCause().getChangeType()).isEqualTo("DEPENDENCY");
    }

    private static ObjectNode allowing(String name, String uid, String costCenters) {
        ObjectNode namespace = Resources.namespace(name, uid);
        namespace.with("metadata").with("annotations").put("allowed", costCenters);
        return namespace;
    }

    private static ObjectNode configMap(String name, String uid, String items) {
        ObjectNode configMap = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("apiVersion", "v1").put("kind", "ConfigMap");
        configMap.putObject("metadata").put("name", name).put("namespace", "shop").put("uid", uid)
                .put("resourceVersion", "1");
        configMap.putObject("data").put("items", items);
        return configMap;
    }

    private static List<EvidenceStatus> statuses(List<EvidenceRecord> evidence, String controlId) {
        return evidence.stream().filter(r -> r.getControlId().equals(controlId)).map(EvidenceRecord::getStatus).toList();
    }
}
