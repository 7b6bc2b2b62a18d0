package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.siem.ViolationFormatter;
import dev.kubeproof.streams.errors.DeadLetteringDeserializationHandler;
import dev.kubeproof.streams.errors.DeadLetteringProcessingHandler;
import dev.kubeproof.streams.evaluation.EvaluationProcessor;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.streams.support.FakeEvaluator;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;

/** The topology's mechanics with a small fake evaluator, in a TopologyTestDriver. */
class EvidenceTopologyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER = "prod-eu";
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-01T10:05:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T10:10:00Z");

    @TempDir
    Path stateDir;

    private TopologyHarness harness;

    private TopologyHarness start(ViolationFormatter formatter) {
        harness = new TopologyHarness(stateDir, new FakeEvaluator(), formatter);
        return harness;
    }

    private TopologyHarness start() {
        return start(ViolationFormats.named("ecs"));
    }

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private static ResourceChange pod(ChangeType type, boolean privileged, String resourceVersion, Instant at) {
        return Resources.change(CLUSTER, type, Resources.pod("shop", "web", "uid-web", privileged, "nginx:1.27"),
                resourceVersion, at);
    }

    private static List<EvidenceRecord> ofControl(List<EvidenceRecord> records, String controlId) {
        return records.stream().filter(r -> r.getControlId().equals(controlId)).toList();
    }

    @Test
    void shouldEmitFirstEvaluationThenEachTransitionPassFailPass() {
        // Given
        TopologyHarness topology = start();

        // When
        topology.pipe(pod(ChangeType.ADDED, false, "10", T1));
        topology.pipe(pod(ChangeType.MODIFIED, true, "11", T2));
        topology.pipe(pod(ChangeType.MODIFIED, false, "12", T3));

        // Then
        List<EvidenceRecord> privileged = ofControl(topology.evidence(), FakeEvaluator.PRIVILEGED.id());
        assertThat(privileged).extracting(EvidenceRecord::getStatus)
                .containsExactly(EvidenceStatus.PASS, EvidenceStatus.FAIL, EvidenceStatus.PASS);
        assertThat(privileged).extracting(EvidenceRecord::getPreviousStatus)
                .containsExactly(null, EvidenceStatus.PASS, EvidenceStatus.FAIL);
        assertThat(privileged).extracting(r -> r.getChain().getSequence()).containsExactly(1L, 2L, 3L);
        assertThat(privileged).extracting(EvidenceRecord::getSince).containsExactly(T1, T2, T3);
        assertThat(privileged).as("when the previous status began: the failure's start for the fix (time to remediate)")
                .extracting(EvidenceRecord::getPreviousSince).containsExactly(null, T1, T2);
        assertThat(privileged.get(1).getMessage()).isEqualTo("container c0 runs privileged");
        assertThat(privileged.get(1).getDetails()).singleElement().satisfies(finding -> {
            assertThat(finding.getPath()).isEqualTo("spec.containers[0].securityContext.privileged");
            assertThat(finding.getContainer()).isEqualTo("c0");
            assertThat(finding.getValue()).isEqualTo("true");
        });
        assertThat(EvidenceChain.verify(privileged).valid()).isTrue();
        // each of the three evaluations was counted and timed
        assertThat(topology.metrics.registry().find(EvidenceMetrics.EVALUATION_LATENCY).tag("kind", "Pod").timer())
                .isNotNull().extracting(io.micrometer.core.instrument.Timer::count).isEqualTo(3L);
    }

    @Test
    void shouldWriteLatestStateAndOnlyFailTransitionsAsViolations() throws Exception {
        // Given
        TopologyHarness topology = start();

        // When
        topology.pipe(pod(ChangeType.ADDED, false, "10", T1));
        topology.pipe(pod(ChangeType.MODIFIED, true, "11", T2));
        topology.pipe(pod(ChangeType.MODIFIED, false, "12", T3));

        // Then
        List<KeyValue<String, EvidenceRecord>> state = topology.evidenceState.readKeyValuesToList();
        String key = EvidenceKey.of(CLUSTER, FakeEvaluator.PRIVILEGED.id(), "uid-web");
        assertThat(state).filteredOn(kv -> kv.key.equals(key)).extracting(kv -> kv.value.getStatus())
                .containsExactly(EvidenceStatus.PASS, EvidenceStatus.FAIL, EvidenceStatus.PASS);
        List<KeyValue<String, String>> violations = topology.violations.readKeyValuesToList();
        assertThat(violations).hasSize(2).allSatisfy(kv -> assertThat(kv.key).isEqualTo(key));
        JsonNode into = JSON.readTree(violations.get(0).value);
        JsonNode outOf = JSON.readTree(violations.get(1).value);
        assertThat(into.toString()).contains(FakeEvaluator.PRIVILEGED.id()).contains("uid-web");
        assertThat(into.toString()).contains("\"FAIL\"");
        assertThat(outOf.toString()).contains("\"PASS\"");
    }

    @Test
    void shouldKeepOneViolationOpenThroughEvaluationErrorsAndCloseItWhenFixed() throws Exception {
        // Given a privileged pod that fails, then cannot be evaluated, fails again, errors again and is fixed
        TopologyHarness topology = start();
        ObjectNode broken = Resources.labelled(Resources.pod("shop", "web", "uid-web", true, "nginx:1.27"),
                Map.of("explode", "yes"));

        // When
        topology.pipe(pod(ChangeType.ADDED, true, "10", T1));
        topology.pipe(Resources.change(CLUSTER, ChangeType.MODIFIED, broken, "11", T2));
        topology.pipe(pod(ChangeType.MODIFIED, true, "12", T3));
        topology.pipe(Resources.change(CLUSTER, ChangeType.MODIFIED, broken, "13", T3.plusSeconds(60)));
        topology.pipe(pod(ChangeType.MODIFIED, false, "14", T3.plusSeconds(120)));

        // Then every record of the key says since when the violation it continues was open
        String key = EvidenceKey.of(CLUSTER, FakeEvaluator.PRIVILEGED.id(), "uid-web");
        List<EvidenceRecord> privileged = ofControl(topology.evidence(), FakeEvaluator.PRIVILEGED.id());
        assertThat(privileged).extracting(EvidenceRecord::getStatus).containsExactly(EvidenceStatus.FAIL,
                EvidenceStatus.ERROR, EvidenceStatus.FAIL, EvidenceStatus.ERROR, EvidenceStatus.PASS);
        assertThat(privileged).extracting(EvidenceRecord::getOpenViolationSince).containsExactly(null, T1, T1, T1, T1);
        // and the violations feed carries all five: one finding, created once and closed by the fix
        List<KeyValue<String, String>> violations = topology.violations.readKeyValuesToList();
        assertThat(violations).hasSize(5).allSatisfy(kv -> assertThat(kv.key).isEqualTo(key));
        dev.kubeproof.siem.OcsfComplianceFindingFormatter ocsf = new dev.kubeproof.siem.OcsfComplianceFindingFormatter();
        assertThat(privileged).extracting(r -> ocsf.toJson(r).path("activity_name").asText())
                .containsExactly("Create", "Update", "Update", "Update", "Close");
        assertThat(EvidenceChain.verify(privileged).valid()).isTrue();
    }

    @Test
    void shouldEmitNothingWhenReevaluationDoesNotChangeStatus() {
        // Given
        TopologyHarness topology = start();
        topology.pipe(pod(ChangeType.ADDED, true, "10", T1));
        assertThat(topology.evidence()).as("privileged FAIL; the scan control does not apply yet: no record")
                .singleElement().extracting(EvidenceRecord::getControlId).isEqualTo(FakeEvaluator.PRIVILEGED.id());

        // When
        topology.pipe(pod(ChangeType.SYNC, true, "10", T2));
        topology.pipe(pod(ChangeType.MODIFIED, true, "11", T3));

        // Then
        assertThat(topology.evidence.isEmpty()).isTrue();
        assertThat(topology.evidenceState.readValuesToList()).hasSize(1);
        assertThat(topology.violations.readValuesToList()).hasSize(1);
    }

    @Test
    void shouldRecordNotApplicableOnlyAsATransitionFromAnotherStatus() {
        // Given a pod without containers: the privileged control does not apply
        TopologyHarness topology = start();
        ObjectNode empty = Resources.pod("shop", "web", "uid-web", false);
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, empty, "1", T1));
        assertThat(ofControl(topology.evidence(), FakeEvaluator.PRIVILEGED.id())).as("a first N/A is no record").isEmpty();

        // When it gets a privileged container, then loses it again
        topology.pipe(pod(ChangeType.MODIFIED, true, "2", T2));
        List<EvidenceRecord> failed = ofControl(topology.evidence(), FakeEvaluator.PRIVILEGED.id());
        topology.pipe(Resources.change(CLUSTER, ChangeType.MODIFIED, empty.deepCopy(), "3", T3));
        List<EvidenceRecord> notApplicable = ofControl(topology.evidence(), FakeEvaluator.PRIVILEGED.id());

        // Then: FAIL opens the chain, N/A is recorded as the transition out of FAIL
        assertThat(failed).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.FAIL);
            assertThat(r.getChain().getSequence()).isEqualTo(1L);
        });
        assertThat(notApplicable).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(EvidenceStatus.NOT_APPLICABLE);
            assertThat(r.getPreviousStatus()).isEqualTo(EvidenceStatus.FAIL);
            assertThat(r.getChain().getSequence()).isEqualTo(2L);
        });
        assertThat(topology.violations.readValuesToList()).as("into FAIL, out of FAIL").hasSize(2);
    }

    @Test
    void shouldCloseOpenEvidenceWhenResourceIsDeletedAndIgnoreTheTombstone() {
        // Given
        TopologyHarness topology = start();
        topology.pipe(pod(ChangeType.ADDED, true, "10", T1));
        topology.evidence();
        topology.violations.readValuesToList();

        // When
        ResourceChange deleted = pod(ChangeType.DELETED, true, "12", T2);
        deleted.setAuditId("audit-delete-1");
        deleted.setActor("alice@example.com");
        topology.pipe(deleted);
        topology.tombstone(deleted);

        // Then
        List<EvidenceRecord> closed = topology.evidence();
        assertThat(closed).hasSize(1).allSatisfy(record -> {
            assertThat(record.getStatus()).isEqualTo(EvidenceStatus.CLOSED);
            assertThat(record.getChain().getSequence()).isEqualTo(2L);
            assertThat(record.getCause().getChangeType()).isEqualTo("DELETED");
            assertThat(record.getCause().getAuditId()).isEqualTo("audit-delete-1");
            assertThat(record.getActor()).isEqualTo("alice@example.com");
            assertThat(record.getMessage()).isEqualTo("resource deleted");
        });
        assertThat(ofControl(closed, FakeEvaluator.PRIVILEGED.id())).singleElement()
                .extracting(EvidenceRecord::getPreviousStatus).isEqualTo(EvidenceStatus.FAIL);
        assertThat(ofControl(closed, FakeEvaluator.SCANNED.id())).as("never recorded, so nothing to close").isEmpty();
        assertThat(topology.violations.readValuesToList()).as("out of FAIL by deletion").hasSize(1);

        // When deleted again (a replayed delete), nothing more is closed
        topology.pipe(pod(ChangeType.DELETED, true, "12", T3));
        assertThat(topology.evidence.isEmpty()).isTrue();
    }

    @Test
    void shouldReevaluateNamespaceWhenNetworkPolicyAppearsAndGoes() {
        // Given
        TopologyHarness topology = start();
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, Resources.namespace("shop", "uid-ns"), "1", T1));
        assertThat(topology.evidence()).singleElement().extracting(EvidenceRecord::getStatus)
                .isEqualTo(EvidenceStatus.FAIL);

        // When
        ResourceChange policy = Resources.change(CLUSTER, ChangeType.ADDED,
                Resources.networkPolicy("shop", "default-deny", "uid-np"), "2", T2);
        policy.setAuditId("audit-np-1");
        policy.setActor("bob");
        topology.pipe(policy);

        // Then
        EvidenceRecord passed = topology.evidence().get(0);
        assertThat(passed.getStatus()).isEqualTo(EvidenceStatus.PASS);
        assertThat(passed.getResource().getKind()).isEqualTo("Namespace");
        assertThat(passed.getResource().getUid()).isEqualTo("uid-ns");
        assertThat(passed.getCause().getChangeType()).isEqualTo(EvaluationProcessor.CAUSE_DEPENDENCY);
        assertThat(passed.getCause().getAuditId()).isEqualTo("audit-np-1");
        assertThat(passed.getCause().getResourceVersion()).as("of the evaluated namespace").isEqualTo("1");
        assertThat(passed.getActor()).isEqualTo("bob");
        assertThat(passed.getSince()).isEqualTo(T2);

        // When the policy goes, the namespace fails again; a policy elsewhere changes nothing
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED,
                Resources.networkPolicy("other", "deny", "uid-np-other"), "3", T2));
        assertThat(topology.evidence.isEmpty()).isTrue();
        topology.pipe(Resources.change(CLUSTER, ChangeType.DELETED,
                Resources.networkPolicy("shop", "default-deny", "uid-np"), "4", T3));
        assertThat(topology.evidence()).singleElement().satisfies(record -> {
            assertThat(record.getStatus()).isEqualTo(EvidenceStatus.FAIL);
            assertThat(record.getChain().getSequence()).isEqualTo(3L);
        });
    }

    @Test
    void shouldReevaluatePodsWhenTheirImageIsScanned() {
        // Given a pod running an image known under another spelling of its reference
        TopologyHarness topology = start();
        topology.pipe(pod(ChangeType.ADDED, false, "10", T1));
        assertThat(ofControl(topology.evidence(), FakeEvaluator.SCANNED.id())).as("not applicable until scanned").isEmpty();

        // When
        topology.scans.pipeInput("index.docker.io/library/nginx:1.27", Resources.scan("scan-1",
                "index.docker.io/library/nginx:1.27", "index.docker.io/library/nginx", "1.27", 3, T2));

        // Then
        EvidenceRecord failed = topology.evidence().get(0);
        assertThat(failed.getControlId()).isEqualTo(FakeEvaluator.SCANNED.id());
        assertThat(failed.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(failed.getCause().getChangeType()).isEqualTo(EvaluationProcessor.CAUSE_SCAN);
        assertThat(failed.getCause().getScanId()).isEqualTo("scan-1");
        assertThat(failed.getSince()).isEqualTo(T2);
        assertThat(failed.getPreviousStatus()).isNull();
        assertThat(failed.getChain().getSequence()).isEqualTo(1L);

        // When a scan of an image no pod runs arrives, nothing is re-evaluated
        topology.scans.pipeInput("redis:7", Resources.scan("scan-2", "redis:7", "redis", "7", 9, T3));
        assertThat(topology.evidence.isEmpty()).isTrue();
    }

    @Test
    void shouldCarryControlResourceCauseActorAndDeterministicIds() {
        // Given
        TopologyHarness topology = start();
        ObjectNode deployment = Resources.labelled(Resources.deployment("shop", "api", "uid-api", true, "nginx:1.27"),
                Map.of("team", "payments", "tier", "backend"));
        ResourceChange added = Resources.change(CLUSTER, ChangeType.ADDED, deployment, "77", T1);
        added.setAuditId("audit-add-1");
        added.setActor("system:serviceaccount:ci:deployer");

        // When
        topology.pipe(added);

        // Then
        EvidenceRecord record = topology.evidence().get(0);
        String key = EvidenceKey.of(CLUSTER, FakeEvaluator.PRIVILEGED.id(), "uid-api");
        assertThat(record.getEvidenceId()).isEqualTo(EvidenceChain.evidenceId(key, 1));
        assertThat(record.getControlId()).isEqualTo("TEST-POD-001");
        assertThat(record.getControlVersion()).isEqualTo(2);
        assertThat(record.getControlTitle()).isEqualTo("No privileged containers");
        assertThat(record.getSeverity()).isEqualTo(ControlSeverity.HIGH);
        assertThat(record.getRemediation()).isEqualTo("Fix TEST-POD-001.");
        assertThat(record.getObservedAt()).isEqualTo(TopologyHarness.NOW);
        assertThat(record.getSince()).isEqualTo(T1);
        assertThat(record.getResource().getClusterId()).isEqualTo(CLUSTER);
        assertThat(record.getResource().getApiGroup()).isEqualTo("apps");
        assertThat(record.getResource().getApiVersion()).isEqualTo("apps/v1");
        assertThat(record.getResource().getKind()).isEqualTo("Deployment");
        assertThat(record.getResource().getNamespace()).isEqualTo("shop");
        assertThat(record.getResource().getName()).isEqualTo("api");
        assertThat(record.getResource().getResourceVersion()).isEqualTo("77");
        assertThat(record.getResource().getOwnerLabels()).containsExactly(Map.entry("team", "payments"));
        assertThat(record.getCause().getChangeType()).isEqualTo("ADDED");
        assertThat(record.getCause().getResourceVersion()).isEqualTo("77");
        assertThat(record.getCause().getAuditId()).isEqualTo("audit-add-1");
        assertThat(record.getCause().getScanId()).isNull();
        assertThat(record.getActor()).isEqualTo("system:serviceaccount:ci:deployer");
        assertThat(record.getChain().getPreviousHash()).isNull();
        assertThat(record.getChain().getHash()).isEqualTo(EvidenceChain.hashOf(record)).hasSize(64);
    }

    @Test
    void shouldDeadLetterBytesThatAreNotAvroAndProcessTheNextRecord() {
        // Given
        TopologyHarness topology = start();
        byte[] garbage = "{\"kind\":\"Pod\"} is not wire-format Avro".getBytes(StandardCharsets.UTF_8);

        // When
        topology.rawChanges.pipeInput("prod-eu/Pod/shop/broken", garbage);
        topology.pipe(pod(ChangeType.ADDED, true, "10", T1));

        // Then
        assertThat(topology.handlerDeadLetters.letters()).singleElement().satisfies(letter -> {
            assertThat(letter.getSource()).isEqualTo(DeadLetteringDeserializationHandler.SOURCE);
            assertThat(letter.getErrorType()).isEqualTo("DESERIALIZATION");
            assertThat(letter.getReason()).contains("not Confluent wire format");
            assertThat(letter.getTopic()).isEqualTo(topology.topics.resourceChanges().name());
            assertThat(letter.getOffset()).isEqualTo(0L);
            assertThat(StandardCharsets.UTF_8.decode(letter.getKey()).toString()).isEqualTo("prod-eu/Pod/shop/broken");
            assertThat(letter.getPayload().remaining()).isEqualTo(garbage.length);
        });
        assertThat(topology.evidence()).singleElement().extracting(EvidenceRecord::getStatus).isEqualTo(EvidenceStatus.FAIL);
    }

    @Test
    void shouldDeadLetterAnObjectThatIsNotJsonAndKeepGoing() {
        // Given
        TopologyHarness topology = start();
        ResourceChange broken = pod(ChangeType.ADDED, false, "10", T1);
        broken.setObject("{\"kind\": \"Pod\", truncated");

        // When
        topology.pipe(broken);
        topology.pipe(pod(ChangeType.MODIFIED, true, "11", T2));

        // Then
        List<DeadLetter> letters = topology.deadLetters.readValuesToList();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.getSource()).isEqualTo(EvaluationProcessor.DEAD_LETTER_SOURCE);
            assertThat(letter.getErrorType()).isEqualTo("MALFORMED_JSON");
            assertThat(letter.getReason()).contains("shop/web").contains("not JSON");
        });
        assertThat(ofControl(topology.evidence(), FakeEvaluator.PRIVILEGED.id())).singleElement()
                .extracting(EvidenceRecord::getStatus).isEqualTo(EvidenceStatus.FAIL);
    }

    @Test
    void shouldRecordErrorEvidenceWhenTheEvaluatorThrows() {
        // Given
        TopologyHarness topology = start();
        ObjectNode exploding = Resources.labelled(Resources.pod("shop", "bad", "uid-bad", false, "nginx:1.27"),
                Map.of("explode", "yes"));

        // When
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED, exploding, "1", T1));
        topology.pipe(pod(ChangeType.ADDED, false, "10", T2));

        // Then
        List<EvidenceRecord> records = topology.evidence();
        assertThat(records).filteredOn(r -> r.getResource().getUid().equals("uid-bad"))
                .hasSize(2)
                .allSatisfy(r -> {
                    assertThat(r.getStatus()).isEqualTo(EvidenceStatus.ERROR);
                    assertThat(r.getMessage()).contains("boom: the evaluator broke");
                });
        assertThat(records).filteredOn(r -> r.getResource().getUid().equals("uid-web")).as("PASS; scan N/A unrecorded")
                .hasSize(1);
        assertThat(topology.metrics.count(EvidenceMetrics.EVALUATION_ERRORS, "kind", "Pod")).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterARecordWhoseProcessingThrowsAndProcessTheNext() {
        // Given a formatter that fails on one resource
        TopologyHarness topology = start(new ViolationFormatter() {
            @Override
            public String name() {
                return "fragile";
            }

            @Override
            public String format(EvidenceRecord transition) {
                if (transition.getResource().getName().equals("web")) {
                    throw new IllegalArgumentException("cannot format " + transition.getResource().getName());
                }
                return "{\"ok\":true}";
            }
        });

        // When
        topology.pipe(pod(ChangeType.ADDED, true, "10", T1));
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED,
                Resources.pod("shop", "other", "uid-other", true, "nginx:1.27"), "1", T2));

        // Then
        assertThat(topology.handlerDeadLetters.letters()).singleElement().satisfies(letter -> {
            assertThat(letter.getSource()).isEqualTo(DeadLetteringProcessingHandler.SOURCE);
            assertThat(letter.getErrorType()).isEqualTo("PROCESSING");
            assertThat(letter.getReason()).contains(EvidenceTopology.FORMAT_VIOLATIONS).contains("cannot format web");
        });
        assertThat(topology.violations.readValuesToList()).containsExactly("{\"ok\":true}");
        assertThat(topology.evidence()).as("two FAILs (the scan control does not apply)").hasSize(2);
    }

    @Test
    void shouldEvaluateOnlyTheConfiguredCluster() {
        // Given
        harness = new TopologyHarness(stateDir, new FakeEvaluator(), ViolationFormats.named("ocsf"),
                Optional.of(CLUSTER));

        // When
        harness.pipe(Resources.change("staging", ChangeType.ADDED,
                Resources.pod("shop", "web", "uid-staging", true, "nginx:1.27"), "1", T1));
        harness.pipe(pod(ChangeType.ADDED, true, "10", T1));

        // Then
        assertThat(harness.evidence()).extracting(r -> r.getResource().getClusterId()).containsOnly(CLUSTER)
                .hasSize(1);
        assertThat(harness.metrics.count(EvidenceMetrics.SKIPPED, "reason", "other-cluster")).isEqualTo(1.0);
    }

    @Test
    void shouldNameEveryProcessorStoreAndRepartitionTopic() {
        // Given
        TopologyHarness topology = start();

        // When
        TopologyDescription description = topology.topology.describe();

        // Then
        assertThat(description.toString()).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
        assertThat(description.toString())
                .contains(EvidenceTopology.REPARTITION_CHANGES + "-repartition")
                .contains(EvidenceTopology.REPARTITION_SCANS + "-repartition")
                .contains(EvidenceTopology.EVALUATE)
                .contains(EvidenceTopology.INVENTORY_STORE, EvidenceTopology.IMAGE_INDEX_STORE,
                        EvidenceTopology.SCAN_STORE, EvidenceTopology.EVIDENCE_STORE)
                .contains(EvidenceTopology.SPLIT_OUTPUTS + EvidenceTopology.BRANCH_EVIDENCE)
                .contains(EvidenceTopology.SPLIT_OUTPUTS + EvidenceTopology.BRANCH_DEAD_LETTERS)
                .contains(EvidenceTopology.SINK_EVIDENCE, EvidenceTopology.SINK_EVIDENCE_STATE,
                        EvidenceTopology.SINK_VIOLATIONS, EvidenceTopology.SINK_DEAD_LETTERS);
    }
}
