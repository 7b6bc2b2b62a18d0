package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Status;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.evaluation.EvaluationProcessor;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;
import dev.kubeproof.siem.ControlCatalog;

/** The topology with the real control engine and catalog: what an auditor would see for real objects. */
class EvidenceTopologyControlEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRIVILEGED = "KP-POD-001";
    private static final String HOST_NETWORK = "KP-POD-002";
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-01T10:05:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T10:10:00Z");

    @TempDir
    Path stateDir;

    /** Falco's pods are made by ReplicaSets: judged as objects of their own here, as that setting does. */
    private final ControlEngine engine = ControlEngine.load(ControlSettings.defaults().with(
            JsonNodeFactory.instance.objectNode().put("judgeOwnedWorkloads", true)));
    private TopologyHarness topology;

    @BeforeEach
    void start() {
        topology = new TopologyHarness(stateDir, engine,
                ViolationFormats.named("ecs", ControlCatalog.of(engine)));
    }

    @AfterEach
    void close() {
        topology.close();
    }

    /** The evidence of Kubernetes objects (the cluster's own attestation evidence is another spec's subject). */
    private List<EvidenceRecord> objectEvidence() {
        return topology.evidence().stream()
                .filter(r -> !r.getResource().getKind().equals(EvaluationProcessor.CLUSTER_KIND)).toList();
    }

    private static Map<String, EvidenceRecord> byControl(List<EvidenceRecord> records, String uid) {
        return records.stream().filter(r -> r.getResource().getUid().equals(uid))
                .collect(Collectors.toMap(EvidenceRecord::getControlId, r -> r));
    }

    /** A pod created as a Falco audit trace shows it, as the collector publishes it with the audit id. */
    private static ResourceChange fromAuditTrace(String file) throws IOException {
        Path fixtures = Path.of(System.getProperty("kubeproof.fixtures", "missing-kubeproof.fixtures"));
        Path trace = fixtures.resolve("k8s-audit/falco-traces").resolve(file);
        assertThat(trace).as("fixture (system property kubeproof.fixtures)").isRegularFile();
        JsonNode event = JSON.readTree(Files.readAllLines(trace).get(0));
        ObjectNode pod = (ObjectNode) event.get("responseObject");
        ResourceChange change = Resources.change("minikube", ChangeType.ADDED, pod,
                pod.path("metadata").path("resourceVersion").asText(), Instant.parse(event.get("timestamp").asText()));
        change.setAuditId(event.get("auditID").asText());
        change.setActor(event.path("user").path("username").asText());
        return change;
    }

    @Test
    void shouldTurnTheFalcoPodTracesIntoTheEvidenceAPersonExpects() throws IOException {
        // Given
        ResourceChange privileged = fromAuditTrace("create_nginx_pod_privileged.json");
        ResourceChange hostNetwork = fromAuditTrace("create_nginx_pod_hostnetwork.json");
        ResourceChange noHostNetwork = fromAuditTrace("create_nginx_pod_nohostnetwork.json");

        // When
        topology.pipe(privileged);
        topology.pipe(hostNetwork);
        topology.pipe(noHostNetwork);

        // Then
        List<EvidenceRecord> records = objectEvidence();
        EvidenceRecord privilegedFail = byControl(records, privileged.getUid()).get(PRIVILEGED);
        assertThat(privilegedFail.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(privilegedFail.getDetails()).isNotEmpty()
                .allSatisfy(finding -> assertThat(finding.getContainer()).isEqualTo("nginx"));
        assertThat(privilegedFail.getCause().getAuditId()).isEqualTo("a362d22b-db3c-4590-9505-23782f12925f");
        assertThat(privilegedFail.getActor()).isEqualTo("system:serviceaccount:kube-system:replicaset-controller");
        assertThat(privilegedFail.getCause().getResourceVersion()).isEqualTo("237252");
        assertThat(byControl(records, privileged.getUid()).get(HOST_NETWORK).getStatus()).isEqualTo(EvidenceStatus.PASS);

        assertThat(byControl(records, hostNetwork.getUid()).get(HOST_NETWORK).getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(byControl(records, hostNetwork.getUid()).get(PRIVILEGED).getStatus()).isEqualTo(EvidenceStatus.PASS);
        assertThat(byControl(records, noHostNetwork.getUid()).get(HOST_NETWORK).getStatus()).isEqualTo(EvidenceStatus.PASS);
        assertThat(byControl(records, noHostNetwork.getUid()).get(PRIVILEGED).getStatus()).isEqualTo(EvidenceStatus.PASS);
        assertThat(EvidenceChain.verifyAll(records).values()).allSatisfy(v -> assertThat(v.valid()).isTrue());
    }

    @Test
    void shouldRecordWhatWaitsForTheOrganisationsSettingsApartAndNotAsAViolation() {
        // Given a pod from a registry kubeproof cannot know to trust, and no trustedRegistries in the settings
        ObjectNode pod = Resources.pod("shop", "api", "uid-api", false, "registry.acme.example/shop/api:2.1.0");

        // When it is evaluated
        topology.pipe(Resources.change("prod", ChangeType.ADDED, pod, "1", T1));

        // Then the registry control records NEEDS_CONFIGURATION naming the setting, and the violation feed has nothing
        // of it
        EvidenceRecord registries = byControl(objectEvidence(), "uid-api").get("KP-IMG-001");
        assertThat(registries.getStatus()).isEqualTo(EvidenceStatus.NEEDS_CONFIGURATION);
        assertThat(registries.getMessage()).contains("`trustedRegistries`");
        assertThat(registries.getDetails()).extracting(d -> d.getPath()).containsExactly("settings.trustedRegistries");
        assertThat(topology.violations.readValuesToList()).noneMatch(v -> v.contains("KP-IMG-001"));
    }

    @Test
    void shouldReevaluateAPodWhenTheDigestItRunsIsScanned() {
        // Given a bare pod naming a tag nobody scanned, whose kubelet reports the digest it runs
        String digest = "sha256:" + "c".repeat(64);
        ObjectNode pod = Resources.pod("shop", "tool", "uid-tool", false, "ghcr.io/kubeproof/tool:2.0");
        pod.putObject("status").putArray("containerStatuses").addObject().put("name", "c0")
                .put("image", "ghcr.io/kubeproof/tool:2.0").put("imageID", "ghcr.io/kubeproof/tool@" + digest);
        topology.pipe(Resources.change("prod", ChangeType.ADDED, pod, "1", T1));
        assertThat(byControl(objectEvidence(), "uid-tool").get("KP-IMG-004").getStatus()).isEqualTo(EvidenceStatus.FAIL);

        // When a scan of that digest (not of the tag) arrives
        ImageScan scan = Resources.scan("scan-digest", "ghcr.io/kubeproof/tool@" + digest, "ghcr.io/kubeproof/tool", null, 0, T2);
        scan.setDigest(digest);
        topology.scans.pipeInput("ghcr.io/kubeproof/tool@" + digest, scan);

        // Then the pod is judged again by the scan of what it runs: scanned, caused by that scan
        List<EvidenceRecord> scanned = objectEvidence().stream().filter(r -> r.getResource().getUid().equals("uid-tool")
                && r.getControlId().equals("KP-IMG-004")).toList();
        assertThat(scanned).last().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.PASS);
            assertThat(r.getCause().getScanId()).isEqualTo("scan-digest");
        });
    }

    @Test
    void shouldRecordOneTransitionPerApplicableControlThenOnlyChanges() {
        // Given a pod whose second container turns privileged, then is fixed
        ObjectNode fine = Resources.pod("shop", "web", "uid-web", false, "nginx:1.27", "busybox:1.36");
        ObjectNode broken = fine.deepCopy();
        ((ObjectNode) broken.path("spec").path("containers").get(1)).putObject("securityContext").put("privileged", true);
        // every result but a first NOT_APPLICABLE is a record
        int applicable = (int) engine.evaluate(fine, ClusterView.empty()).stream()
                .filter(r -> r.status() != Status.NOT_APPLICABLE).count();

        // When
        topology.pipe(Resources.change("prod", ChangeType.ADDED, fine, "1", T1));
        List<EvidenceRecord> first = objectEvidence();
        topology.pipe(Resources.change("prod", ChangeType.MODIFIED, broken, "2", T2));
        List<EvidenceRecord> second = objectEvidence();
        topology.pipe(Resources.change("prod", ChangeType.SYNC, broken, "2", T2));
        List<EvidenceRecord> resync = objectEvidence();
        topology.pipe(Resources.change("prod", ChangeType.MODIFIED, fine.deepCopy(), "3", T3));
        List<EvidenceRecord> third = objectEvidence();

        // Then
        assertThat(first).hasSize(applicable).allSatisfy(r -> {
            assertThat(r.getPreviousStatus()).isNull();
            assertThat(r.getStatus()).isNotEqualTo(EvidenceStatus.NOT_APPLICABLE);
        });
        // the house rule and the standard's own check (KP-PSS-003) judge the privileged flag
        assertThat(second).extracting(EvidenceRecord::getControlId).containsExactlyInAnyOrder(PRIVILEGED, "KP-PSS-003");
        assertThat(second).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.FAIL);
            assertThat(r.getDetails()).isNotEmpty().allSatisfy(f -> assertThat(f.getContainer()).isEqualTo("c1"));
        });
        assertThat(resync).isEmpty();
        assertThat(third).extracting(EvidenceRecord::getControlId).containsExactlyInAnyOrder(PRIVILEGED, "KP-PSS-003");
        assertThat(third).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.PASS);
            assertThat(r.getPreviousStatus()).isEqualTo(EvidenceStatus.FAIL);
            assertThat(r.getChain().getSequence()).isEqualTo(3L);
        });
        long failedFirst = first.stream().filter(r -> r.getStatus() == EvidenceStatus.FAIL).count();
        assertThat(topology.violations.readValuesToList().stream().filter(v -> v.contains("\"uid-web\"")).count())
                .as("the pod's first failures, into and out of FAIL for both controls").isEqualTo(failedFirst + 4);
    }

    @Test
    void shouldCloseEveryOpenRecordWhenTheWorkloadIsDeleted() {
        // Given
        ObjectNode deployment = Resources.deployment("shop", "api", "uid-api", true, "nginx:1.27");
        // every result but a first NOT_APPLICABLE is a record
        int applicable = (int) engine.evaluate(deployment, ClusterView.empty()).stream()
                .filter(r -> r.status() != Status.NOT_APPLICABLE).count();
        topology.pipe(Resources.change("prod", ChangeType.ADDED, deployment, "1", T1));
        List<EvidenceRecord> opened = objectEvidence();

        // When
        topology.pipe(Resources.change("prod", ChangeType.DELETED, deployment, "2", T2));

        // Then
        List<EvidenceRecord> closed = objectEvidence();
        assertThat(opened).hasSize(applicable);
        assertThat(closed).hasSize(applicable).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.CLOSED);
            assertThat(r.getChain().getSequence()).isEqualTo(2L);
        });
        assertThat(closed).extracting(EvidenceRecord::getControlId)
                .containsExactlyInAnyOrderElementsOf(opened.stream().map(EvidenceRecord::getControlId).toList());
    }

    @Test
    void shouldReevaluateTheNamespaceAndItsPodsWhenADefaultDenyPolicyAppears() {
        // Given a namespace and a pod in it, neither covered by a NetworkPolicy
        topology.pipe(Resources.change("prod", ChangeType.ADDED, Resources.namespace("shop", "uid-ns"), "1", T1));
        topology.pipe(Resources.change("prod", ChangeType.ADDED,
                Resources.pod("shop", "web", "uid-web", false, "nginx:1.27"), "2", T1));
        List<EvidenceRecord> before = objectEvidence();
        assertThat(byControl(before, "uid-ns").get("KP-NS-002").getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(byControl(before, "uid-web").get("KP-NET-002").getStatus()).isEqualTo(EvidenceStatus.FAIL);

        // When a default-deny (ingress and egress) policy is created in the namespace
        ResourceChange policy = Resources.change("prod", ChangeType.ADDED,
                Resources.networkPolicy("shop", "default-deny", "uid-np"), "3", T2);
        policy.setAuditId("audit-np");
        topology.pipe(policy);

        // Then both dependents pass, caused by the policy's change
        List<EvidenceRecord> after = objectEvidence();
        EvidenceRecord namespace = byControl(after, "uid-ns").get("KP-NS-002");
        EvidenceRecord pod = byControl(after, "uid-web").get("KP-NET-002");
        assertThat(namespace.getStatus()).isEqualTo(EvidenceStatus.PASS);
        assertThat(pod.getStatus()).isEqualTo(EvidenceStatus.PASS);
        assertThat(List.of(namespace, pod)).allSatisfy(r -> {
            assertThat(r.getCause().getChangeType()).isEqualTo("DEPENDENCY");
            assertThat(r.getCause().getAuditId()).isEqualTo("audit-np");
            assertThat(r.getPreviousStatus()).isEqualTo(EvidenceStatus.FAIL);
        });
        assertThat(after).allSatisfy(r -> assertThat(r.getResource().getUid()).isIn("uid-ns", "uid-web", "uid-np"));
    }
}
