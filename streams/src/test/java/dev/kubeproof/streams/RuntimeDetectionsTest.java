package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.runtime.AuditRules;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.streams.support.AuditEvents;
import dev.kubeproof.streams.support.TopologyHarness;
import dev.kubeproof.siem.ControlCatalog;

/** The runtime controls, judged by the topology from audit events as the collector publishes them (fixed clock). */
class RuntimeDetectionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final String PRIVILEGED_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"shop"},
             "spec":{"containers":[{"name":"sh","image":"busybox","securityContext":{"privileged":true}}]}}""";

    @TempDir
    Path stateDir;

    private TopologyHarness topology;

    @BeforeEach
    void start() {
        start(ControlSettings.defaults());
    }

    private void start(ControlSettings settings) {
        if (topology != null) {
            topology.close();
        }
        ControlEngine engine = ControlEngine.load(settings);
        topology = new TopologyHarness(stateDir, engine, ViolationFormats.named("ecs", ControlCatalog.of(engine)));
    }

    @AfterEach
    void close() {
        topology.close();
    }

    /** Runtime findings (every record but the audit stream's own liveness). */
    private List<EvidenceRecord> findings() {
        return topology.evidence().stream().filter(r -> !r.getControlId().equals(AuditRules.AUDIT_SILENCE)).toList();
    }

    @Test
    void shouldRecordAnExecWithPodContainerCommandAndActorOnceAcrossItsStages() {
        // Given an exec session: ResponseStarted (101) and, when it ends, ResponseComplete (101)
        AuditEvents.Builder exec = AuditEvents.event("alice", "create",
                        "/api/v1/namespaces/shop/pods/web-1/exec?command=sh&command=-c&command=id&container=app&stdin=true")
                .object("pods", "shop", "web-1").subresource("exec").code(101);

        // When both stages arrive
        topology.audit(exec.stage("ResponseStarted").build());
        topology.audit(exec.stage("ResponseComplete").build());

        // Then one FAIL on the pod names who ran what where, with the actor in full
        List<EvidenceRecord> findings = findings();
        assertThat(findings).hasSize(1);
        EvidenceRecord exec1 = findings.get(0);
        assertThat(exec1.getControlId()).isEqualTo(AuditRules.EXEC);
        assertThat(exec1.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(exec1.getMessage()).isEqualTo("alice exec into pod shop/web-1 container app: sh -c id");
        assertThat(exec1.getResource().getKind()).isEqualTo("Pod");
        assertThat(exec1.getResource().getNamespace()).isEqualTo("shop");
        assertThat(exec1.getActor()).isEqualTo("alice");
        assertThat(exec1.getAttribution().getMethod()).isEqualTo(AttributionMethod.REQUEST);
        assertThat(exec1.getAttribution().getSourceIps()).containsExactly("10.0.0.7");
        assertThat(exec1.getAttribution().getUserAgent()).isEqualTo("kubectl/v1.32.0");
        assertThat(exec1.getCause().getChangeType()).isEqualTo("AUDIT");
        assertThat(exec1.getCause().getAuditId()).isEqualTo(exec1.getAttribution().getAuditId()).isNotNull();
        assertThat(topology.violations.readValuesToList()).anySatisfy(v -> assertThat(v).contains("alice exec into pod"));
    }

    @Test
    void shouldRecordEverySessionAsItsOwnOccurrenceAndCloseAfterTheQuietPeriod() {
        // Given two exec sessions into the same pod, a minute apart
        topology.audit(exec("bob", T0).build());
        topology.audit(exec("bob", T0.plusSeconds(60)).build());

        // When a day passes without another
        topology.advance(Duration.ofHours(25));

        // Then: FAIL, FAIL (a second occurrence), PASS - one chain that verifies
        List<EvidenceRecord> records = findings();
        assertThat(records).extracting(EvidenceRecord::getStatus)
                .containsExactly(EvidenceStatus.FAIL, EvidenceStatus.FAIL, EvidenceStatus.PASS);
        assertThat(records.get(2).getMessage()).startsWith("no new detection for 24 h");
        assertThat(records.get(2).getSince()).isEqualTo(records.get(1).getSince().plus(Duration.ofHours(24)));
        assertThat(EvidenceChain.verify(records).valid()).isTrue();
    }

    @Test
    void shouldCloseADetectionOlderThanTheQuietPeriodAtOnceAsOfTheEndOfItsPeriod() {
        // Given an exec two days old (a replayed log)
        topology.audit(exec("bob", T0.minus(Duration.ofDays(2))).build());

        // Then it is recorded, and closed at once as of a day later: the same evidence whenever it is read
        List<EvidenceRecord> records = findings();
        assertThat(records).extracting(EvidenceRecord::getStatus).containsExactly(EvidenceStatus.FAIL, EvidenceStatus.PASS);
        assertThat(records.get(1).getSince()).isEqualTo(records.get(0).getSince().plus(Duration.ofHours(24)));
    }

    @Test
    void shouldNotRepeatAnIdenticalFindingOfAReplayedLogWithinItsQuietPeriod() {
        // Given a replayed log two days old: alice reads the same secret three times within a minute, then again
        // two days later (yesterday)
        for (int i = 0; i < 3; i++) {
            topology.audit(AuditEvents.event("alice", "get", "/api/v1/namespaces/shop/secrets/db").object("secrets", "shop", "db")
                    .at(T0.minus(Duration.ofDays(3)).plusSeconds(20L * i)).build());
        }
        topology.audit(AuditEvents.event("alice", "get", "/api/v1/namespaces/shop/secrets/db").object("secrets", "shop", "db")
                .at(T0.minus(Duration.ofDays(1)).minus(Duration.ofHours(1))).build());

        // Then two findings, each closed: the three reads of one minute are one
        assertThat(findings()).extracting(EvidenceRecord::getStatus).containsExactly(EvidenceStatus.FAIL,
                EvidenceStatus.PASS, EvidenceStatus.FAIL, EvidenceStatus.PASS);
    }

    @Test
    void shouldRecordADeniedPrivilegedPodAsAnAttemptWithTheResponse() {
        // Given a privileged pod that admission refused
        topology.audit(AuditEvents.event("mallory", "create", "/api/v1/namespaces/shop/pods")
                .object("pods", "shop", "debug").request(PRIVILEGED_POD).code(403).build());

        // Then it is a KP-RUN-005 attempt naming the actor and the refusal, never a running workload
        EvidenceRecord attempt = findings().get(0);
        assertThat(attempt.getControlId()).isEqualTo(AuditRules.PRIVILEGED_WORKLOAD);
        assertThat(attempt.getMessage()).startsWith("attempt denied (403 Forbidden): mallory created Pod shop/debug:")
                .contains("container sh runs privileged");
        assertThat(attempt.getDetails()).anySatisfy(f -> assertThat(f.getPath()).isEqualTo("responseStatus"));
        assertThat(attempt.getActor()).isEqualTo("mallory");
    }

    @Test
    void shouldRecordAnAllowedPrivilegedPodAndStaySilentForAPlainOne() {
        // Given a privileged pod created, and a plain one
        topology.audit(AuditEvents.event("alice", "create", "/api/v1/namespaces/shop/pods")
                .object("pods", "shop", "debug").request(PRIVILEGED_POD).response(PRIVILEGED_POD).code(201).build());
        topology.audit(AuditEvents.event("alice", "create", "/api/v1/namespaces/shop/pods")
                .object("pods", "shop", "plain").request(PRIVILEGED_POD.replace("true", "false")
                        .replace("debug", "plain")).code(201).build());

        // Then only the privileged one is found, and not as an attempt
        assertThat(findings()).singleElement().satisfies(r -> {
            assertThat(r.getMessage()).startsWith("alice created Pod shop/debug: container sh runs privileged");
            assertThat(r.getResource().getName()).isEqualTo("debug");
        });
    }

    @Test
    void shouldRecordWildcardRolesAndClusterAdminBindingsButNotAReadOnlyRole() {
        // Given a wildcard ClusterRole, a cluster-admin binding and a read-only Role
        topology.audit(AuditEvents.event("alice", "create", "/apis/rbac.authorization.k8s.io/v1/clusterroles")
                .object("clusterroles", null, "everything")
                .request("{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"everything\"},\"rules\":[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]}")
                .code(201).build());
        topology.audit(AuditEvents.event("alice", "create", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")
                .object("clusterrolebindings", null, "bob-admin")
                .request("{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"bob-admin\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\",\"apiGroup\":\"rbac.authorization.k8s.io\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"bob\"}]}")
                .code(201).build());
        topology.audit(AuditEvents.event("alice", "create", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles")
                .object("roles", "shop", "reader")
                .request("{\"kind\":\"Role\",\"metadata\":{\"name\":\"reader\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}]}")
                .code(201).build());

        // Then the first two are KP-RUN-003 findings saying what they grant
        assertThat(findings()).extracting(EvidenceRecord::getControlId, EvidenceRecord::getMessage).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AuditRules.RBAC_ESCALATION,
                        "alice created ClusterRole everything: grants every verb (*) (+1 more)"),
                org.assertj.core.groups.Tuple.tuple(AuditRules.RBAC_ESCALATION,
                        "alice created ClusterRoleBinding bob-admin: binds cluster-admin to User bob"));
    }

    @Test
    void shouldTreatABindingToARoleGrantingEverythingLikeOneToClusterAdmin() {
        // Given a ClusterRole "root" created with * on * (seen in the audit stream), and a narrower "reader"
        topology.audit(AuditEvents.event("alice", "create", "/apis/rbac.authorization.k8s.io/v1/clusterroles")
                .object("clusterroles", null, "root")
                .request("{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"root\"},\"rules\":[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]}")
                .code(201).build());

        // When bob gets bound to it, and carol to a role nobody saw
        topology.audit(AuditEvents.event("alice", "create", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")
                .object("clusterrolebindings", null, "bob-root")
                .request("{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"bob-root\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"root\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"bob\"}]}")
                .code(201).build());
        topology.audit(AuditEvents.event("alice", "create", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")
                .object("clusterrolebindings", null, "carol-x")
                .request("{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"carol-x\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"x\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"carol\"}]}")
                .code(201).build());

        // Then the role and bob's binding are findings; carol's is not
        assertThat(findings()).extracting(EvidenceRecord::getMessage).containsExactly(
                "alice created ClusterRole root: grants every verb (*) (+1 more)",
                "alice created ClusterRoleBinding bob-root: binds ClusterRole root (grants * on *) to User bob");
    }

    @Test
    void shouldReportSecretReadsByPeopleOnceWhileOpenAndNeverByAutomation() {
        // Given a person reading one secret twice, and the token controller and a node reading secrets
        topology.audit(AuditEvents.event("alice", "get", "/api/v1/namespaces/shop/secrets/db").object("secrets", "shop", "db").build());
        topology.audit(AuditEvents.event("alice", "get", "/api/v1/namespaces/shop/secrets/db").object("secrets", "shop", "db").build());
        topology.audit(AuditEvents.event("system:serviceaccount:kube-system:tokens-controller", "get",
                "/api/v1/namespaces/shop/secrets/db").groups("system:serviceaccounts").object("secrets", "shop", "db").build());
        topology.audit(AuditEvents.event("system:node:worker-1", "get", "/api/v1/namespaces/shop/secrets/db")
                .groups("system:nodes").object("secrets", "shop", "db").build());

        // Then one finding on alice
        assertThat(findings()).singleElement().satisfies(r -> {
            assertThat(r.getControlId()).isEqualTo(AuditRules.SECRET_READ);
            assertThat(r.getMessage()).isEqualTo("alice read secret shop/db (get)");
            assertThat(r.getResource().getKind()).isEqualTo("User");
            assertThat(r.getResource().getName()).isEqualTo("alice");
        });
    }

    @Test
    void shouldReportAllowedAnonymousRequestsButNotThePublicHealthAndVersionPaths() {
        // Given anonymous requests: /version (public), and a list of pods that was allowed
        topology.audit(AuditEvents.event("system:anonymous", "get", "/version").groups("system:unauthenticated").build());
        topology.audit(AuditEvents.event("system:anonymous", "list", "/api/v1/pods").groups("system:unauthenticated")
                .object("pods", null, null).build());

        // Then only the pod list is a finding
        assertThat(findings()).singleElement().satisfies(r -> {
            assertThat(r.getControlId()).isEqualTo(AuditRules.ANONYMOUS);
            assertThat(r.getMessage()).isEqualTo("anonymous request allowed: list /api/v1/pods (200)");
        });
    }

    @Test
    void shouldNameWhoImpersonatedWhom() {
        // Given alice acting as bob
        topology.audit(AuditEvents.event("alice", "get", "/api/v1/namespaces/shop/pods").impersonating("bob")
                .object("pods", "shop", null).build());

        // Then the impersonation is a finding on alice, and the attribution says as whom
        EvidenceRecord record = findings().get(0);
        assertThat(record.getControlId()).isEqualTo(AuditRules.IMPERSONATION);
        assertThat(record.getMessage()).isEqualTo("alice impersonated bob: get /api/v1/namespaces/shop/pods");
        assertThat(record.getAttribution().getImpersonatedUser()).isEqualTo("bob");
    }

    @Test
    void shouldReportOneFindingPerBurstOfDenialsAndANewOneAfterAQuietWindow() {
        // Given mallory denied 12 times within 2 minutes, then again 10 times an hour later
        for (int i = 0; i < 12; i++) {
            topology.audit(AuditEvents.event("mallory", "get", "/api/v1/namespaces/kube-system/secrets/s" + i)
                    .object("secrets", "kube-system", "s" + i).code(403).at(T0.plusSeconds(10L * i)).build());
        }
        for (int i = 0; i < 10; i++) {
            topology.audit(AuditEvents.event("mallory", "get", "/api/v1/nodes").object("nodes", null, null)
                    .code(403).at(T0.plus(Duration.ofHours(1)).plusSeconds(i)).build());
        }
        // and 9 denials of carol: below the threshold
        for (int i = 0; i < 9; i++) {
            topology.audit(AuditEvents.event("carol", "get", "/api/v1/nodes").object("nodes", null, null)
                    .code(403).at(T0.plusSeconds(i)).build());
        }

        // Then two bursts for mallory, none for carol
        List<EvidenceRecord> bursts = findings().stream().filter(r -> r.getControlId().equals(AuditRules.DENIAL_BURST)).toList();
        assertThat(bursts).hasSize(2).allSatisfy(r -> assertThat(r.getResource().getName()).isEqualTo("mallory"));
        assertThat(bursts.get(0).getMessage()).startsWith("mallory was denied 10 times within 5 min");
        assertThat(bursts.get(0).getSince()).isEqualTo(T0.plusSeconds(90).plusMillis(5));
    }

    @Test
    void shouldReportRequestsFromOutsideTheAllowedNetworksOnlyForPeople() throws Exception {
        // Given the bastion network 10.0.0.0/8
        JsonNode settings = JSON.readTree("{\"runtime\":{\"allowedSourceCidrs\":[\"10.0.0.0/8\"]}}");
        start(ControlSettings.defaults().with(settings));

        // When alice comes through the bastion, then from a cafe; a node comes from anywhere
        topology.audit(AuditEvents.event("alice", "get", "/api/v1/pods").object("pods", null, null).sourceIp("10.1.2.3").build());
        topology.audit(AuditEvents.event("alice", "get", "/api/v1/pods").object("pods", null, null).sourceIp("203.0.113.9").build());
        topology.audit(AuditEvents.event("system:node:n1", "get", "/api/v1/pods").groups("system:nodes")
                .object("pods", null, null).sourceIp("198.51.100.1").build());

        // Then one finding: alice from 203.0.113.9
        assertThat(findings()).singleElement().satisfies(r -> {
            assertThat(r.getControlId()).isEqualTo(AuditRules.SOURCE_NETWORK);
            assertThat(r.getMessage()).startsWith("alice reached the API server from 203.0.113.9");
        });
    }

    @Test
    void shouldJudgeTheAuditStreamSilentAfterTheLimitAndAliveAgainWhenEventsResume() {
        // Given one event, then 16 minutes (wall clock) without any
        topology.audit(AuditEvents.event("system:node:n1", "get", "/api/v1/nodes/n1").groups("system:nodes")
                .object("nodes", null, "n1").build());
        topology.advance(Duration.ofMinutes(16));

        // When an event arrives again
        topology.audit(AuditEvents.event("system:node:n1", "get", "/api/v1/nodes/n1").groups("system:nodes")
                .object("nodes", null, "n1").build());

        // Then the cluster's KP-RUN-009 evidence went PASS, FAIL, PASS, and nothing else was found
        List<EvidenceRecord> records = topology.evidence();
        assertThat(records).allSatisfy(r -> assertThat(r.getControlId()).isEqualTo(AuditRules.AUDIT_SILENCE));
        assertThat(records).extracting(EvidenceRecord::getStatus)
                .containsExactly(EvidenceStatus.PASS, EvidenceStatus.FAIL, EvidenceStatus.PASS);
        assertThat(records.get(1).getMessage()).startsWith("no audit event from cluster prod-eu since");
        assertThat(records.get(2).getMessage()).isEqualTo("audit events resumed after 16 min of silence");
        assertThat(records.get(0).getResource().getKind()).isEqualTo("Cluster");
    }

    @Test
    void shouldStaySilentForRoutineControlPlaneTraffic() {
        // Given a node's get of a pod, a lease renewal, the token controller creating a token secret, and kubeadm
        // creating a bootstrap token in kube-system
        topology.audit(AuditEvents.event("system:node:n1", "get", "/api/v1/namespaces/shop/pods/web-1")
                .groups("system:nodes").object("pods", "shop", "web-1").build());
        topology.audit(AuditEvents.event("system:kube-controller-manager", "update",
                "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager")
                .object("leases", "kube-system", "kube-controller-manager").build());
        topology.audit(AuditEvents.event("system:serviceaccount:kube-system:tokens-controller", "create",
                "/api/v1/namespaces/shop/secrets").groups("system:serviceaccounts").object("secrets", "shop", "web-token")
                .code(201).build());
        topology.audit(AuditEvents.event("kubernetes-admin", "create", "/api/v1/namespaces/kube-system/secrets")
                .groups("system:masters").object("secrets", "kube-system", "bootstrap-token-abcdef").code(201).build());

        // Then nothing but the stream's own liveness is recorded
        assertThat(findings()).isEmpty();
    }

    private static AuditEvents.Builder exec(String user, Instant at) {
        return AuditEvents.event(user, "create", "/api/v1/namespaces/shop/pods/web-1/exec?command=sh&container=app")
                .object("pods", "shop", "web-1").subresource("exec").code(101).stage("ResponseStarted").at(at);
    }
}
