package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.OwnerReference;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.runtime.AuditRules;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.support.AuditEvents;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;
import dev.kubeproof.siem.ControlCatalog;

/**
 * Who made each change: resource changes joined with the audit events of their writes, in both arrival orders, for
 * controller-made pods, and "unknown" when no write matches (fixed clock; the hold is the production default, 30 s).
 */
class EvidenceAttributionTest {
    private static final String CLUSTER = AuditEvents.CLUSTER;
    private static final String PRIVILEGED = "KP-POD-001";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyHarness topology;

    @BeforeEach
    void start() {
        ControlEngine engine = ControlEngine.withDefaults();
        topology = new TopologyHarness(stateDir, engine, ViolationFormats.named("ecs", ControlCatalog.of(engine)));
    }

    @AfterEach
    void close() {
        topology.close();
    }

    /** The evidence of Kubernetes objects (not the runtime controls' own records). */
    private List<EvidenceRecord> objectEvidence() {
        return topology.evidence().stream().filter(r -> !r.getControlId().startsWith("KP-RUN-")).toList();
    }

    private static EvidenceRecord privileged(List<EvidenceRecord> records, String name) {
        return records.stream().filter(r -> r.getControlId().equals(PRIVILEGED) && r.getResource().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + PRIVILEGED + " record for " + name + " in " + records));
    }

    @Test
    void shouldNameTheWriterWhenTheAuditEventArrivesBeforeTheChange() {
        // Given alice's create of a privileged pod, as the audit stream records it (resourceVersion 100)
        ObjectNode pod = Resources.pod("shop", "debug", "uid-debug", true, "busybox:1.36");
        topology.audit(create("alice", "pods", pod, "100").build());

        // When the informer's change with resourceVersion 100 arrives
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, pod, "100", T0));

        // Then its FAIL names alice, with the audit id and the request's details
        EvidenceRecord fail = privileged(objectEvidence(), "debug");
        assertThat(fail.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(fail.getActor()).isEqualTo("alice");
        assertThat(fail.getAttribution().getMethod()).isEqualTo(AttributionMethod.REQUEST);
        assertThat(fail.getAttribution().getSourceIps()).containsExactly("10.0.0.7");
        assertThat(fail.getAttribution().getUserAgent()).isEqualTo("kubectl/v1.32.0");
        assertThat(fail.getCause().getAuditId()).isEqualTo(fail.getAttribution().getAuditId()).isNotNull();
        assertThat(topology.violations.readValuesToList()).anySatisfy(v -> assertThat(v).contains("\"alice\""));
    }

    @Test
    void shouldHoldAChangeUntilItsAuditEventArrivesWhenTheChangeComesFirst() {
        // Given a cluster whose audit stream is known here (an earlier write), and a change that arrives first
        topology.audit(create("bob", "configmaps", Resources.namespace("other", "uid-other"), "1").build());
        ObjectNode pod = Resources.pod("shop", "debug", "uid-debug", true, "busybox:1.36");
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, pod, "200", T0));
        assertThat(objectEvidence()).as("held for its write").isEmpty();

        // When the write's audit event arrives 10 s later
        topology.advance(Duration.ofSeconds(10));
        topology.audit(create("carol", "pods", pod, "200").build());

        // Then the evidence is recorded, naming carol
        EvidenceRecord fail = privileged(objectEvidence(), "debug");
        assertThat(fail.getActor()).isEqualTo("carol");
        assertThat(fail.getAttribution().getMethod()).isEqualTo(AttributionMethod.REQUEST);
    }

    @Test
    void shouldNotHoldAnObjectSeenFirstButCreatedLongBeforeAsACollectorsFirstListSeesIt() {
        // Given an audited cluster, and two pods the collector sees for the first time: one created yesterday, one
        // created 5 s ago
        topology.audit(create("bob", "configmaps", Resources.namespace("other", "uid-other"), "1").build());
        ObjectNode old = Resources.pod("shop", "old", "uid-old", true, "busybox:1.36");
        ((ObjectNode) old.get("metadata")).put("creationTimestamp", T0.minus(Duration.ofDays(1)).toString());
        ObjectNode fresh = Resources.pod("shop", "fresh", "uid-fresh", true, "busybox:1.36");
        ((ObjectNode) fresh.get("metadata")).put("creationTimestamp", T0.minusSeconds(5).toString());

        // When both ADDED changes arrive
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, old, "400", T0));
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, fresh, "401", T0));

        // Then the old one is evaluated at once (its creation's audit event is not coming), the fresh one waits
        EvidenceRecord fail = privileged(objectEvidence(), "old");
        assertThat(fail.getAttribution().getMethod()).isEqualTo(AttributionMethod.UNKNOWN);
        assertThat(objectEvidence()).noneMatch(r -> r.getResource().getName().equals("fresh"));
        topology.advance(Duration.ofSeconds(40));
        assertThat(privileged(objectEvidence(), "fresh").getAttribution().getMethod()).isEqualTo(AttributionMethod.UNKNOWN);
    }

    @Test
    void shouldRecordTheActorLateWhenTheWriteOfAnEvaluatedStateArrivesAfterItsEvaluation() {
        // Given an audited cluster and a pod created yesterday, evaluated at once when first seen: actor unknown
        topology.audit(create("bob", "configmaps", Resources.namespace("other", "uid-other"), "1").build());
        ObjectNode pod = Resources.pod("shop", "old", "uid-old", true, "busybox:1.36");
        ((ObjectNode) pod.get("metadata")).put("creationTimestamp", T0.minus(Duration.ofDays(1)).toString());
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, pod, "400", T0));
        List<EvidenceRecord> first = objectEvidence();
        EvidenceRecord unattributed = privileged(first, "old");
        topology.violations.readValuesToList();

        // When alice's create that made resourceVersion 400 arrives late (an audit stream lagging, a log replayed)
        topology.advance(Duration.ofSeconds(5));
        topology.audit(create("alice", "pods", pod, "400").build());

        // Then each open status of the pod gets a record naming alice: same status and since, cause ATTRIBUTION
        List<EvidenceRecord> late = objectEvidence();
        assertThat(late).hasSameSizeAs(first).allSatisfy(record -> {
            assertThat(record.getActor()).isEqualTo("alice");
            assertThat(record.getAttribution().getMethod()).isEqualTo(AttributionMethod.REQUEST);
            assertThat(record.getCause().getChangeType()).isEqualTo("ATTRIBUTION");
            assertThat(record.getCause().getResourceVersion()).isEqualTo("400");
            assertThat(record.getPreviousStatus()).isEqualTo(record.getStatus());
        });
        EvidenceRecord attributed = privileged(late, "old");
        assertThat(attributed.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(attributed.getSince()).isEqualTo(unattributed.getSince());
        assertThat(attributed.getOpenViolationSince()).isEqualTo(unattributed.getSince());
        assertThat(attributed.getChain().getPreviousHash()).isEqualTo(unattributed.getChain().getHash());
        List<EvidenceRecord> both = new java.util.ArrayList<>(first);
        both.addAll(late);
        assertThat(EvidenceChain.verifyAll(both).values()).allSatisfy(v -> assertThat(v.valid()).isTrue());
        // each open finding of the SIEM is updated with the actor (a change of an open violation), none opened again
        // (the runtime controls judge alice's request itself, apart)
        List<String> violations = topology.violations.readValuesToList().stream()
                .filter(v -> !v.contains("\"id\":\"KP-RUN-")).toList();
        assertThat(violations).hasSize((int) late.stream().filter(r -> r.getStatus() == EvidenceStatus.FAIL).count())
                .allSatisfy(v -> assertThat(v).contains("\"user\":{\"name\":\"alice\"}")
                        .contains("\"type\":[\"change\"]").contains("\"previous_status\":\"FAIL\""));

        // And the same write delivered again, a write of an older resourceVersion, or one at Metadata level (no
        // resourceVersion: it may be the write of a change not seen yet) records nothing more
        topology.audit(create("alice", "pods", pod, "400").build());
        topology.audit(create("mallory", "pods", pod, "399").build());
        topology.audit(AuditEvents.event("mallory", "patch", "/api/v1/namespaces/shop/pods/old")
                .object("pods", "shop", "old").build());
        assertThat(objectEvidence()).isEmpty();
    }

    @Test
    void shouldAttributeANamespaceUpdateWhoseAuditEventNamesTheNamespaceAsItsOwn() {
        // Given an audited cluster and a Namespace change waiting for its write
        topology.audit(create("bob", "configmaps", Resources.namespace("other", "uid-other"), "1").build());
        ObjectNode namespace = Resources.namespace("shop", "uid-shop");
        topology.pipe(Resources.change(CLUSTER, ChangeType.MODIFIED, namespace, "800", T0));

        // When the apiserver's audit event of the patch arrives: for /api/v1/namespaces/shop its objectRef names
        // "shop" as the namespace too
        topology.audit(AuditEvents.event("erin", "patch", "/api/v1/namespaces/shop")
                .object("namespaces", "shop", "shop").response(withVersion(namespace, "800").toString()).build());

        // Then the Namespace's evidence names erin, not an unknown actor after the wait
        assertThat(objectEvidence()).filteredOn(r -> r.getResource().getKind().equals("Namespace")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.getActor()).isEqualTo("erin"));
    }

    @Test
    void shouldSayUnknownWhenNoWriteMatchesWithinTheWaitAndNeverGuess() {
        // Given an audited cluster; alice wrote the pod at resourceVersion 300, but the change is at 301
        ObjectNode pod = Resources.pod("shop", "debug", "uid-debug", true, "busybox:1.36");
        topology.audit(create("alice", "pods", pod, "300").build());
        topology.pipe(Resources.change(CLUSTER, ChangeType.MODIFIED, pod, "301", T0));

        // When the wait (30 s) passes without the write of 301
        topology.advance(Duration.ofSeconds(40));

        // Then the evidence is recorded with an unknown actor: alice's earlier write is not taken for it
        EvidenceRecord fail = privileged(objectEvidence(), "debug");
        assertThat(fail.getAttribution().getMethod()).isEqualTo(AttributionMethod.UNKNOWN);
        assertThat(fail.getActor()).isNull();
        assertThat(fail.getAttribution().getUsername()).isNull();
    }

    @Test
    void shouldMatchAMetadataLevelWriteByVerbAndTimeWhenItHasNoResourceVersion() {
        // Given a Metadata-level audit event (no response body) of dave's update
        ObjectNode pod = Resources.pod("shop", "debug", "uid-debug", true, "busybox:1.36");
        topology.audit(AuditEvents.event("dave", "update", "/api/v1/namespaces/shop/pods/debug")
                .object("pods", "shop", "debug").at(T0.minusSeconds(1)).build());

        // When the change it made arrives a second later
        topology.pipe(Resources.change(CLUSTER, ChangeType.MODIFIED, pod, "400", T0));

        // Then dave is named
        assertThat(privileged(objectEvidence(), "debug").getActor()).isEqualTo("dave");
    }

    @Test
    void shouldAttributeAControllerMadePodToTheLastPersonWhoWroteItsDeployment() {
        // Given erin's Deployment, the ReplicaSet the deployment controller made for it, and the pod the
        // ReplicaSet controller made, each with its audit event first
        ObjectNode deployment = Resources.deployment("shop", "web", "uid-web", true, "nginx:1.27");
        topology.audit(create("erin", "deployments", deployment, "10").build());
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, deployment, "10", T0));
        ObjectNode replicaSet = Resources.deployment("shop", "web-5f7", "uid-rs", true, "nginx:1.27");
        replicaSet.put("apiVersion", "apps/v1").put("kind", "ReplicaSet");
        topology.audit(create("system:serviceaccount:kube-system:deployment-controller", "replicasets", replicaSet, "11")
                .groups("system:serviceaccounts").build());
        topology.pipe(ownedBy(Resources.change(CLUSTER, ChangeType.ADDED, replicaSet, "11", T0), "Deployment", "web"));
        ObjectNode pod = Resources.pod("shop", "web-5f7-abcde", "uid-pod", true, "nginx:1.27");
        topology.audit(create("system:serviceaccount:kube-system:replicaset-controller", "pods", pod, "12")
                .groups("system:serviceaccounts").build());

        // When the pod's change arrives
        topology.pipe(ownedBy(Resources.change(CLUSTER, ChangeType.ADDED, pod, "12", T0), "ReplicaSet", "web-5f7"));

        // Then the pod's FAIL names erin, through the controller
        EvidenceRecord fail = privileged(objectEvidence(), "web-5f7-abcde");
        assertThat(fail.getActor()).isEqualTo("erin");
        assertThat(fail.getAttribution().getMethod()).isEqualTo(AttributionMethod.CONTROLLER);
        assertThat(fail.getAttribution().getVia())
                .isEqualTo("Deployment shop/web via system:serviceaccount:kube-system:replicaset-controller");
    }

    @Test
    void shouldEvaluateAtOnceWithoutAttributionWhenTheClusterHasNoAuditStream() {
        // Given no audit event of the cluster at all
        ObjectNode pod = Resources.pod("shop", "debug", "uid-debug", true, "busybox:1.36");

        // When a change arrives
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, pod, "500", T0));

        // Then it is evaluated at once, and attribution does not apply
        EvidenceRecord fail = privileged(objectEvidence(), "debug");
        assertThat(fail.getAttribution()).isNull();
        assertThat(fail.getActor()).isNull();
    }

    @Test
    void shouldKeepTheOrderOfAnObjectsChangesWhenAHeldOneIsFollowedByAnother() {
        // Given an audited cluster and a privileged pod change held for its write
        topology.audit(create("bob", "configmaps", Resources.namespace("other", "uid-other"), "1").build());
        ObjectNode pod = Resources.pod("shop", "debug", "uid-debug", true, "busybox:1.36");
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, pod, "600", T0));

        // When its fix (privileged removed) arrives with its write before the first one's write ever came
        ObjectNode fixed = Resources.pod("shop", "debug", "uid-debug", false, "busybox:1.36");
        topology.audit(AuditEvents.event("frank", "update", "/api/v1/namespaces/shop/pods/debug")
                .object("pods", "shop", "debug").response(withVersion(fixed, "601").toString()).build());
        topology.pipe(Resources.change(CLUSTER, ChangeType.MODIFIED, fixed, "601", T0.plusSeconds(5)));

        // Then FAIL (unknown actor) comes before PASS (frank): nothing is reordered or lost
        List<EvidenceRecord> chain = objectEvidence().stream().filter(r -> r.getControlId().equals(PRIVILEGED)).toList();
        assertThat(chain).extracting(EvidenceRecord::getStatus).containsExactly(EvidenceStatus.FAIL, EvidenceStatus.PASS);
        assertThat(chain.get(0).getAttribution().getMethod()).isEqualTo(AttributionMethod.UNKNOWN);
        assertThat(chain.get(1).getActor()).isEqualTo("frank");
    }

    @Test
    void shouldNotCountAnExecOrALogReadAsTheWriterOfAPod() {
        // Given an exec into the pod (a create of pods/exec), then the pod's change
        ObjectNode pod = Resources.pod("shop", "debug", "uid-debug", true, "busybox:1.36");
        topology.audit(AuditEvents.event("mallory", "create", "/api/v1/namespaces/shop/pods/debug/exec?command=sh")
                .object("pods", "shop", "debug").subresource("exec").code(101).stage("ResponseStarted").build());
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, pod, "700", T0));

        // Then the exec is a runtime finding, but not the pod's writer (no write of this cluster is known: no hold)
        List<EvidenceRecord> records = topology.evidence();
        assertThat(records).anySatisfy(r -> assertThat(r.getControlId()).isEqualTo(AuditRules.EXEC));
        assertThat(privileged(records, "debug").getActor()).isNull();
    }

    private static AuditEvents.Builder create(String user, String resource, ObjectNode object, String resourceVersion) {
        String namespace = object.path("metadata").path("namespace").asText(null);
        String name = object.path("metadata").path("name").asText();
        return AuditEvents.event(user, "create", "/apis/x/v1/" + (namespace == null ? "" : "namespaces/" + namespace + "/") + resource)
                .object(resource, namespace, name).request(object.toString())
                .response(withVersion(object, resourceVersion).toString()).code(201).at(T0.minusMillis(50));
    }

    private static ObjectNode withVersion(ObjectNode object, String resourceVersion) {
        ObjectNode copy = object.deepCopy();
        ((ObjectNode) copy.get("metadata")).put("resourceVersion", resourceVersion);
        return copy;
    }

    private static ResourceChange ownedBy(ResourceChange change, String kind, String name) {
        change.setOwnerReferences(List.of(OwnerReference.newBuilder().setApiVersion("apps/v1").setKind(kind).setName(name)
                .setUid("uid-" + name).setController(true).build()));
        return change;
    }
}
