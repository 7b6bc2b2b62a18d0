package dev.kubeproof.sink.it;

import static dev.kubeproof.sink.it.SinkHarness.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.sink.SinkService;
import dev.kubeproof.sink.TestEvidence;
import dev.kubeproof.sink.config.SinkConfig.Input;
import dev.kubeproof.sink.elasticsearch.IndexTemplates;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

/** The sink on real Kafka, registry and Elasticsearch with security on (user and password from a file). */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class SinkIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private SinkHarness harness;

    @BeforeEach
    void setUp(RealServers servers, @TempDir Path dir) {
        harness = new SinkHarness(servers, dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void shouldMakeEvidencePostureViolationsAndAuditEventsFromKafkaSearchable() throws Exception {
        // Given a running sink
        harness.start(harness.config("main"));
        EvidenceRecord web1 = TestEvidence.failing("web-1");
        EvidenceRecord web2 = TestEvidence.failing("web-2");
        EvidenceRecord web3 = TestEvidence.transition("web-3", 1, null, EvidenceStatus.PASS, TestEvidence.T0);
        EvidenceRecord web2Closed = TestEvidence.transition("web-2", 2, EvidenceStatus.FAIL, EvidenceStatus.CLOSED,
                TestEvidence.T0.plusSeconds(60));

        // and a second sink that indexes only the violations, in OCSF
        harness.start(harness.config("main-ocsf").withInputs(Set.of(Input.VIOLATIONS)).withViolationsFormat("ocsf"));

        // When evidence, states (with a closing and a tombstone) and audit events arrive
        harness.evidence(harness.topics.evidence().name(), web1, web2, web3, web2Closed);
        harness.evidence(harness.topics.evidenceState().name(), web1, web2, web3);
        harness.evidence(harness.topics.evidenceState().name(), web2Closed);
        harness.tombstone(harness.topics.evidenceState().name(), TestEvidence.key(web3));
        harness.audit(TestEvidence.audit("audit-1", "create",
                        "{\"kind\":\"Pod\",\"spec\":{\"hostNetwork\":true,\"containers\":[{\"name\":\"x\",\"securityContext\":{\"privileged\":true}}]}}"),
                TestEvidence.audit("audit-2", "get", null));

        // Then the evidence history holds every transition, searchable by ECS and kubeproof fields
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(harness.names.evidence())).isEqualTo(4));
        assertThat(harness.count(harness.names.evidence(), term("kubeproof.status", "FAIL"))).isEqualTo(2);
        assertThat(harness.count(harness.names.evidence(), term("rule.id", "KP-POD-001"))).isEqualTo(4);
        assertThat(harness.count(harness.names.evidence(), term("orchestrator.namespace", "payments"))).isEqualTo(4);
        assertThat(harness.count(harness.names.evidence(), term("user.name", "alice"))).isEqualTo(4);
        assertThat(harness.count(harness.names.evidence(), term("kubeproof.resource.owner_labels.team", "payments"))).isEqualTo(4);
        // And the posture holds the current state only: web-2 closed and web-3 tombstoned are gone
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(harness.names.posture())).isEqualTo(1));
        assertThat(harness.count(harness.names.posture(), term("orchestrator.resource.name", "web-1"))).isEqualTo(1);
        // And every transition into or out of FAIL is a violation, made from the evidence, in its format's data stream
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(harness.names.violations())).isEqualTo(3));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(harness.names.ocsfViolations())).isEqualTo(3));
        assertThat(harness.count(harness.names.ocsfViolations(), term("compliance.control", "KP-POD-001"))).isEqualTo(3);
        // And the audit events answer the queries of Elastic's Kubernetes detection rules
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(harness.names.audit())).isEqualTo(2));
        String audit = harness.names.audit();
        assertThat(harness.count(audit, term("kubernetes.audit.annotations.authorization_k8s_io/decision", "allow"))).isEqualTo(2);
        assertThat(harness.count(audit, term("kubernetes.audit.requestObject.spec.containers.securityContext.privileged", "true")))
                .isEqualTo(1);
        assertThat(harness.count(audit, term("kubernetes.audit.requestObject.spec.hostNetwork", "true"))).isEqualTo(1);
        assertThat(harness.count(audit, term("kubernetes.audit.verb", "create"))).isEqualTo(1);
        assertThat(harness.count(audit, term("event.action", "get"))).isEqualTo(1);
        assertThat(harness.count(audit, term("event.outcome", "success"))).isEqualTo(2);
        assertThat(harness.count(audit, term("user.name", "alice"))).isEqualTo(2);
        assertThat(harness.count(audit, term("source.ip", "10.1.2.3"))).isEqualTo(2);
        assertThat(harness.count(audit, term("orchestrator.resource.type", "pods"))).isEqualTo(2);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void shouldKeepThePostureAsElasticMisconfigurationFindingsAndReStampThem() throws Exception {
        // Given a running sink with the built-in catalog, and a failing, a passing and an exempted key
        harness.start(harness.config("findings"));
        EvidenceRecord failing = TestEvidence.failing("web-1");
        EvidenceRecord passing = TestEvidence.transition("web-2", 1, null, EvidenceStatus.PASS, TestEvidence.T0);
        EvidenceRecord exempt = TestEvidence.transition("web-3", 1, null, EvidenceStatus.EXEMPT, TestEvidence.T0);

        // When their states arrive
        harness.evidence(harness.topics.evidenceState().name(), failing, passing, exempt);

        // Then the misconfiguration alias Kibana reads holds the PASS and the FAIL in its findings shape
        String findings = harness.names.misconfigurations();
        assertThat(findings).isEqualTo("security_solution-" + harness.names.prefix() + ".misconfiguration_latest");
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(findings)).isEqualTo(2));
        assertThat(harness.count(findings, term("result.evaluation", "failed"))).isEqualTo(1);
        assertThat(harness.count(findings, term("result.evaluation", "passed"))).isEqualTo(1);
        assertThat(harness.count(findings, term("observer.vendor", "kubeproof"))).isEqualTo(2);
        assertThat(harness.count(findings, term("rule.benchmark.posture_type", "kspm"))).isEqualTo(2);
        assertThat(harness.count(findings, term("resource.sub_type", "Pod"))).isEqualTo(2);
        assertThat(harness.count(findings, term("orchestrator.resource.type", "pods"))).isEqualTo(2);
        // within Kibana's freshness window (now-26h)
        co.elastic.clients.elasticsearch.core.CountResponse fresh = harness.client.count(c -> c.index(findings)
                .query(q -> q.range(r -> r.untyped(u -> u.field("@timestamp").gte(co.elastic.clients.json.JsonData.of("now-26h"))))));
        assertThat(fresh.count()).isEqualTo(2);

        // When the posture is recorded, twice for the same hour (a restart, a second replica)
        java.time.Instant hour = java.time.Instant.parse("2026-11-29T10:00:00Z");
        dev.kubeproof.sink.elasticsearch.PostureHistory history =
                new dev.kubeproof.sink.elasticsearch.PostureHistory(harness.client, harness.names, java.time.Clock.systemUTC());
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(harness.names.posture())).isEqualTo(3));
        assertThat(history.snapshot(hour)).isEqualTo(1);
        assertThat(history.snapshot(hour)).isEqualTo(1);
        // Then the history holds one snapshot of all controls: one each of PASS, FAIL and EXEMPT, 50 % compliant
        assertThat(harness.count(harness.names.postureHistory())).isEqualTo(1);
        ObjectNode snapshot = harness.client.search(s -> s.index(harness.names.postureHistory()), ObjectNode.class)
                .hits().hits().get(0).source();
        assertThat(snapshot.at("/kubeproof/framework").asText()).isEqualTo("all controls");
        assertThat(snapshot.at("/kubeproof/posture/pass").asLong()).isEqualTo(1);
        assertThat(snapshot.at("/kubeproof/posture/exempt").asLong()).isEqualTo(1);
        assertThat(snapshot.at("/kubeproof/posture/compliance_percent").asDouble()).isEqualTo(50.0);

        // When a re-stamp pass runs at a later time
        java.time.Instant later = java.time.Instant.now().plus(Duration.ofHours(12));
        long stamped = new dev.kubeproof.sink.elasticsearch.MisconfigurationRestamp(harness.client, findings,
                java.time.Clock.fixed(later, java.time.ZoneOffset.UTC)).restamp();

        // Then every finding carries the new time at its unchanged chain version, so a newer state still wins
        assertThat(stamped).isEqualTo(2);
        harness.client.indices().refresh(r -> r.index(findings));
        SearchResponse<ObjectNode> after = harness.client.search(s -> s.index(findings).version(true), ObjectNode.class);
        assertThat(after.hits().hits()).hasSize(2).allSatisfy(hit -> {
            assertThat(hit.source().path("@timestamp").asText()).isEqualTo(dev.kubeproof.siem.Transitions.iso(later));
            assertThat(hit.version()).isEqualTo(1L);
        });
        EvidenceRecord fixed = TestEvidence.transition("web-1", 2, EvidenceStatus.FAIL, EvidenceStatus.PASS,
                TestEvidence.T0.plusSeconds(60));
        harness.evidence(harness.topics.evidenceState().name(), fixed);
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(findings, term("result.evaluation", "passed"))).isEqualTo(2));
    }

    @Test
    void shouldKeepTrivysMisconfigurationsLinkedToTheControlsThatJudgeTheSameThing() throws Exception {
        // Given a running sink, and Trivy's verdicts of KSV017 (privileged) on two Deployments, one reported twice
        harness.start(harness.config("scanner-findings"));
        java.time.Instant first = TestEvidence.T0;
        harness.scannerFinding("prod/Deployment/shop/web/KSV017", TestEvidence.trivyFinding("web", "KSV017", false, first));
        harness.scannerFinding("prod/Deployment/shop/api/KSV017", TestEvidence.trivyFinding("api", "KSV017", false, first));
        harness.scannerFinding("prod/Deployment/shop/web/KSV017", TestEvidence.trivyFinding("web", "KSV017", true,
                first.plusSeconds(3600)));
        // ... and a late copy of the older report (a replay), and then the api Deployment's finding withdrawn
        harness.scannerFinding("prod/Deployment/shop/web/KSV017", TestEvidence.trivyFinding("web", "KSV017", false, first));
        harness.scannerFinding("prod/Deployment/shop/api/KSV017", null);

        // Then one finding per resource and check remains, the newest report's, found by the controls it links to
        // (awaited in one search, so that both facts come from one view of the index: two counts could each see another
        // refresh, one finding after the first report alone and a passed one while api's was still there)
        String index = harness.names.scannerFindings();
        await().atMost(WAIT).untilAsserted(() -> {
            harness.client.indices().refresh(r -> r.index(index));
            List<Hit<ObjectNode>> findings = harness.client.search(s -> s.index(index).size(10), ObjectNode.class)
                    .hits().hits();
            assertThat(findings).singleElement().satisfies(hit ->
                    assertThat(hit.source().at("/result/evaluation").asText()).isEqualTo("passed"));
        });
        assertThat(harness.count(index, term("kubeproof.control_ids", "KP-POD-001"))).isEqualTo(1);
        assertThat(harness.count(index, term("kubeproof.control_ids", "KP-PSS-003"))).isEqualTo(1);
        assertThat(harness.count(index, term("rule.id", "KSV017"))).isEqualTo(1);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void shouldLeaveCountsUnchangedWhenTheSameOffsetsAreReplayed() throws Exception {
        // Given 50 transitions, states and audit events indexed by a first sink, which committed them
        List<EvidenceRecord> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            records.add(TestEvidence.transition("pod-" + i, 1, null, i % 2 == 0 ? EvidenceStatus.FAIL : EvidenceStatus.PASS,
                    TestEvidence.T0.plusSeconds(i)));
        }
        harness.evidence(harness.topics.evidence().name(), records.toArray(EvidenceRecord[]::new));
        harness.evidence(harness.topics.evidenceState().name(), records.toArray(EvidenceRecord[]::new));
        harness.audit(TestEvidence.audit("a-1", "create", "{}"), TestEvidence.audit("a-2", "delete", null));
        SinkService first = harness.start(harness.config("first"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed("first")).isEqualTo(102));
        harness.stop(first);
        Map<String, Long> before = counts();
        assertThat(before).containsEntry("evidence", 50L).containsEntry("posture", 50L).containsEntry("audit", 2L)
                .containsEntry("violations", 25L);

        // When the same offsets are consumed again from the start by another group, twice
        for (String replay : List.of("replay-1", "replay-2")) {
            SinkService again = harness.start(harness.config(replay));
            await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed(replay)).isEqualTo(102));
            // Then every create was recognised as already done, and the counts did not move
            // (50 history documents, the 25 failures' violation documents, 2 audit events)
            assertThat(again.metrics().count("kubeproof.sink.writes", "outcome", "already_done")).isEqualTo(50 + 25 + 2);
            harness.stop(again);
            assertThat(counts()).isEqualTo(before);
        }
    }

    private Map<String, Long> counts() throws Exception {
        return Map.of("evidence", harness.count(harness.names.evidence()), "posture", harness.count(harness.names.posture()),
                "audit", harness.count(harness.names.audit()), "violations", harness.count(harness.names.violations()));
    }

    @Test
    void shouldDeadLetterTheDocumentThatFailsMappingAndIndexTheRestOfItsBatch() throws Exception {
        // Given a violations index whose mapping takes pod names as numbers, and ten failures of pods 100..109,
        // the fifth of which is named web-104: its violation document cannot be indexed
        harness.createIndex(harness.names.violations(), "{\"mappings\":{\"properties\":{\"orchestrator\":{\"properties\":"
                + "{\"resource\":{\"properties\":{\"name\":{\"type\":\"long\"}}}}}}}}");
        List<EvidenceRecord> failures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            failures.add(TestEvidence.failing(i == 4 ? "web-104" : Integer.toString(100 + i)));
        }
        harness.evidence(harness.topics.evidence().name(), failures.toArray(EvidenceRecord[]::new));

        // When a sink of violations takes them (one partition: one batch)
        harness.start(harness.config("dlq").withInputs(Set.of(Input.VIOLATIONS)));

        // Then nine are indexed, and the tenth is on the dead-letter topic with the reason
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed("dlq")).isEqualTo(10));
        assertThat(harness.count(harness.names.violations())).isEqualTo(9);
        List<DeadLetter> letters = harness.deadLetters();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo("MAPPING");
            assertThat(letter.getReason()).contains("orchestrator.resource.name");
            assertThat(letter.getSource()).isEqualTo("sink.elasticsearch");
            assertThat(letter.getTopic()).isEqualTo(harness.topics.evidence().name());
            assertThat(letter.getOffset()).isEqualTo(4L);
        });
    }

    @Test
    void shouldIndexTheTimeToRemediateThatTheRecordCarries() throws Exception {
        // Given a running sink
        harness.start(harness.config("ttr"));

        // When a fix arrives 45 minutes (of evidence time) after its failure began, as the topology records it
        harness.evidence(harness.topics.evidence().name(), EvidenceRecord.newBuilder(TestEvidence.transition("web-1", 2,
                EvidenceStatus.FAIL, EvidenceStatus.PASS, TestEvidence.T0.plus(Duration.ofMinutes(45))))
                .setPreviousSince(TestEvidence.T0).build());

        // Then the remediation carries the failure's duration
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.count(harness.names.evidence(),
                term("kubeproof.status", "PASS"))).isEqualTo(1));
        SearchResponse<ObjectNode> found = harness.client.search(s -> s.index(harness.names.evidence())
                .query(term("kubeproof.status", "PASS")), ObjectNode.class);
        Hit<ObjectNode> hit = found.hits().hits().get(0);
        assertThat(hit.source().at("/kubeproof/time_to_remediate_seconds").asLong()).isEqualTo(2700);
        assertThat(hit.source().at("/event/duration").asLong()).isEqualTo(Duration.ofMinutes(45).toNanos());
    }

    @Test
    void shouldInstallTemplatesIdempotentlyWithStrictMappings() throws Exception {
        // When the templates are installed twice
        IndexTemplates templates = new IndexTemplates(harness.client, harness.elasticsearch);
        IndexTemplates.Installed first = templates.install();
        IndexTemplates.Installed second = templates.install();
        // Then the first creates the plain indices and updates none of them (they were made from these templates);
        // the second creates nothing and brings the existing ones up to date in place
        List<String> plain = List.of(harness.names.posture(), harness.names.misconfigurationsIndex(),
                harness.names.scannerFindings());
        assertThat(first.created()).containsExactlyElementsOf(plain);
        assertThat(first.updated()).isEmpty();
        assertThat(second.created()).isEmpty();
        assertThat(second.updated()).containsExactlyInAnyOrderElementsOf(plain);
        // Then each index template exists, with kubeproof's version and priority
        for (String name : templates.indexTemplates().keySet()) {
            var template = harness.client.indices().getIndexTemplate(r -> r.name(name)).indexTemplates().get(0).indexTemplate();
            assertThat(template.version()).isEqualTo((long) IndexTemplates.VERSION);
            assertThat(template.indexPatterns()).containsExactly(name);
        }
        // And a document with a field the mapping does not know is refused, not silently mapped
        ElasticsearchException refused = org.junit.jupiter.api.Assertions.assertThrows(ElasticsearchException.class,
                () -> harness.client.index(i -> i.index(harness.names.posture()).id("x")
                        .withJson(new java.io.StringReader("{\"@timestamp\":\"2025-01-01T00:00:00Z\",\"surprise\":1}"))));
        assertThat(refused.error().type()).isEqualTo("strict_dynamic_mapping_exception");
        // And the indices refresh as Elasticsearch does by default (only while searched), not every second
        assertThat(harness.client.indices().getSettings(r -> r.index(harness.names.posture()))
                .get(harness.names.posture()).settings().index().refreshInterval()).isNull();
    }

    @Test
    void shouldAddTheNewFieldsOfAnUpgradeToIndicesAndDataStreamsThatExistAlready() throws Exception {
        // Given the posture index and the evidence data stream as an older version left them: strict, with fewer
        // fields, the posture refreshed every second
        String older = "{\"dynamic\":\"strict\",\"properties\":{\"@timestamp\":{\"type\":\"date\"}}}";
        harness.client.indices().create(r -> r.index(harness.names.posture()).mappings(m -> m.withJson(new java.io.StringReader(older)))
                .settings(settings -> settings.refreshInterval(t -> t.time("1s"))));
        harness.client.indices().putIndexTemplate(r -> r.name(harness.names.evidence()).indexPatterns(harness.names.evidence())
                .dataStream(d -> d).priority(250L).template(t -> t.mappings(m -> m.withJson(new java.io.StringReader(older)))));
        // (the data stream is created by its first document, as in production)
        harness.client.create(c -> c.index(harness.names.evidence()).id("old")
                .withJson(new java.io.StringReader("{\"@timestamp\":\"2025-01-01T00:00:00Z\"}")));

        // When this version installs its templates
        new IndexTemplates(harness.client, harness.elasticsearch).install();

        // Then both accept a document with this version's fields (e.g. the attestation behind a transition)
        String document = "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"kubeproof\":{\"cause\":{\"attestation_id\":\"att-1\"}}}";
        harness.client.index(i -> i.index(harness.names.posture()).id("p").withJson(new java.io.StringReader(document)));
        harness.client.create(c -> c.index(harness.names.evidence()).id("e").withJson(new java.io.StringReader(document)));
        harness.client.indices().refresh(r -> r.index(harness.names.posture(), harness.names.evidence()));
        assertThat(harness.count(harness.names.posture())).isEqualTo(1);
        assertThat(harness.count(harness.names.evidence())).isEqualTo(2);
        // And the posture refreshes as Elasticsearch does by default again (only while searched)
        assertThat(harness.client.indices().getSettings(r -> r.index(harness.names.posture()))
                .get(harness.names.posture()).settings().index().refreshInterval()).isNull();
    }
}
