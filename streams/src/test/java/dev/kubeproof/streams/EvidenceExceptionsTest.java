package dev.kubeproof.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.controls.exceptions.ExceptionRule;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.streams.evaluation.EvaluationProcessor;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.streams.support.FakeEvaluator;
import dev.kubeproof.streams.support.Resources;
import dev.kubeproof.streams.support.TopologyHarness;

/**
 * Accepted risks in the live pipeline: a FAIL covered by a control exception in force is EXEMPT, naming the
 * exception, its approver and expiry; approval, change of scope, revocation and expiry (by wall-clock punctuation,
 * with no other input) are transitions of the hash chain caused by the exception.
 */
class EvidenceExceptionsTest {
    private static final String CLUSTER = "prod-eu";
    private static final String PRIVILEGED = FakeEvaluator.PRIVILEGED.id();
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyHarness topology;

    @BeforeEach
    void start() {
        topology = new TopologyHarness(stateDir, new FakeEvaluator(), ViolationFormats.named("ecs"));
    }

    @AfterEach
    void close() {
        topology.close();
    }

    private void privilegedPod(String name, Map<String, String> labels) {
        topology.pipe(Resources.change(CLUSTER, ChangeType.ADDED,
                Resources.labelled(Resources.pod("tools", name, "uid-" + name, true, "nginx:1.27"), labels), "1", T1));
    }

    private static ExceptionRule rule(String id, Set<String> names, Map<String, String> labels, Instant expiresAt) {
        return new ExceptionRule(id, Set.of(PRIVILEGED), CLUSTER, "tools", "Pod", names, labels,
                "node debugging during incident INC-42", "https://tickets.example/CHG-1234", "sre-oncall",
                "security-lead", "alice", TopologyHarness.NOW, expiresAt, false);
    }

    private ControlException approve(ExceptionRule rule) {
        ControlException record = rule.toRecord(topology.clock.instant());
        topology.exception(rule.exceptionId(), record);
        return record;
    }

    private List<EvidenceRecord> privilegedEvidence() {
        return topology.evidence().stream().filter(r -> r.getControlId().equals(PRIVILEGED)).toList();
    }

    @Test
    void shouldExemptAResourceFromItsFirstEvaluationWhenTheExceptionCameFirst() {
        // Given an exception in force for the pod "debug"
        Instant expiry = TopologyHarness.NOW.plus(Duration.ofDays(30));
        approve(rule("ex-debug", Set.of("debug"), Map.of(), expiry));

        // When the privileged pod appears
        privilegedPod("debug", Map.of());

        // Then its first record is EXEMPT, with what the auditor asks: which exception, who approved, until when, why
        assertThat(privilegedEvidence()).singleElement().satisfies(record -> {
            assertThat(record.getStatus()).isEqualTo(EvidenceStatus.EXEMPT);
            assertThat(record.getMessage()).as("the failure itself stays on record").contains("privileged");
            assertThat(record.getDetails()).isNotEmpty();
            assertThat(record.getException().getExceptionId()).isEqualTo("ex-debug");
            assertThat(record.getException().getApprovedBy()).isEqualTo("security-lead");
            assertThat(record.getException().getExpiresAt()).isEqualTo(expiry);
            assertThat(record.getException().getReason()).contains("INC-42");
            assertThat(record.getException().getTicket()).isEqualTo("https://tickets.example/CHG-1234");
            assertThat(record.getCause().getChangeType()).isEqualTo("ADDED");
        });
        assertThat(topology.violations.readValuesToList()).as("never a violation").isEmpty();
    }

    @Test
    void shouldTurnAnExistingFailureExemptWhenApprovedAndFailAgainAtExpiryWithoutOtherInput() {
        // Given a failing pod
        privilegedPod("debug", Map.of());
        assertThat(privilegedEvidence()).singleElement().extracting(EvidenceRecord::getStatus).isEqualTo(EvidenceStatus.FAIL);
        topology.violations.readValuesToList();

        // When an exception valid for one hour is approved
        Instant approvedAt = topology.clock.instant();
        Instant expiry = approvedAt.plus(Duration.ofHours(1));
        approve(rule("ex-debug", Set.of("debug"), Map.of(), expiry));

        // Then FAIL → EXEMPT, caused by the exception, at the approval's time; the violation is closed
        EvidenceRecord exempt = privilegedEvidence().get(0);
        assertThat(exempt.getStatus()).isEqualTo(EvidenceStatus.EXEMPT);
        assertThat(exempt.getPreviousStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(exempt.getCause().getChangeType()).isEqualTo(EvaluationProcessor.CAUSE_EXCEPTION);
        assertThat(exempt.getCause().getExceptionId()).isEqualTo("ex-debug");
        assertThat(exempt.getActor()).as("who recorded the exception").isEqualTo("alice");
        assertThat(exempt.getSince()).isEqualTo(approvedAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(topology.violations.readValuesToList()).as("out of FAIL").hasSize(1);

        // When time passes beyond the expiry, with no input at all (only wall-clock punctuation)
        topology.advance(Duration.ofMinutes(59));
        assertThat(topology.evidence.isEmpty()).as("still in force").isTrue();
        topology.advance(Duration.ofMinutes(2).plus(TopologyHarness.EXCEPTION_CHECK));

        // Then EXEMPT → FAIL as of the expiry, caused by the exception; a violation opens again
        EvidenceRecord failing = privilegedEvidence().get(0);
        assertThat(failing.getStatus()).isEqualTo(EvidenceStatus.FAIL);
        assertThat(failing.getException()).isNull();
        assertThat(failing.getSince()).isEqualTo(expiry.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(failing.getCause().getExceptionId()).isEqualTo("ex-debug");
        assertThat(failing.getChain().getSequence()).isEqualTo(3L);
        assertThat(topology.violations.readValuesToList()).as("into FAIL").hasSize(1);

        // And later punctuations change nothing
        topology.advance(TopologyHarness.EXCEPTION_CHECK.multipliedBy(3));
        assertThat(topology.evidence.isEmpty()).isTrue();
    }

    @Test
    void shouldEndTheExemptionAtOnceWhenRevokedOrDeleted() {
        // Given two exempt pods, under two exceptions
        ExceptionRule debug = rule("ex-debug", Set.of("debug"), Map.of(), TopologyHarness.NOW.plus(Duration.ofDays(30)));
        ExceptionRule shell = rule("ex-shell", Set.of("shell"), Map.of(), TopologyHarness.NOW.plus(Duration.ofDays(30)));
        approve(debug);
        approve(shell);
        privilegedPod("debug", Map.of());
        privilegedPod("shell", Map.of());
        assertThat(privilegedEvidence()).extracting(EvidenceRecord::getStatus).containsOnly(EvidenceStatus.EXEMPT).hasSize(2);

        // When one is revoked and the other deleted from the topic (tombstone)
        approve(debug.revoke());
        topology.exception("ex-shell", null);

        // Then both fail again at once, each caused by its exception
        List<EvidenceRecord> failing = privilegedEvidence();
        assertThat(failing).extracting(EvidenceRecord::getStatus).containsOnly(EvidenceStatus.FAIL).hasSize(2);
        assertThat(failing).extracting(r -> r.getCause().getExceptionId()).containsExactly("ex-debug", "ex-shell");
        assertThat(failing).allSatisfy(r -> {
            assertThat(r.getPreviousStatus()).isEqualTo(EvidenceStatus.EXEMPT);
            assertThat(r.getChain().getSequence()).isEqualTo(2L);
            assertThat(r.getChain().getHash()).isEqualTo(EvidenceChain.hashOf(r));
        });
    }

    @Test
    void shouldMoveTheExemptionWhenTheScopeChanges() {
        // Given an exception for "debug", and two failing pods
        ExceptionRule debugOnly = rule("ex-tools", Set.of("debug"), Map.of(), TopologyHarness.NOW.plus(Duration.ofDays(30)));
        approve(debugOnly);
        privilegedPod("debug", Map.of());
        privilegedPod("shell", Map.of());
        topology.evidence();

        // When its scope changes to "shell"
        approve(rule("ex-tools", Set.of("shell"), Map.of(), TopologyHarness.NOW.plus(Duration.ofDays(30))));

        // Then debug fails again and shell is exempt, both caused by the exception's change
        List<EvidenceRecord> changed = privilegedEvidence();
        assertThat(changed).extracting(r -> r.getResource().getName() + " " + r.getStatus())
                .containsExactlyInAnyOrder("debug FAIL", "shell EXEMPT");
        assertThat(changed).allSatisfy(r -> assertThat(r.getCause().getExceptionId()).isEqualTo("ex-tools"));
    }

    @Test
    void shouldMatchLabelsOfTheStoredObject() {
        // Given an exception for pods labelled owner=sre
        approve(rule("ex-sre", Set.of(), Map.of("owner", "sre"), TopologyHarness.NOW.plus(Duration.ofDays(1))));

        // When a labelled and an unlabelled privileged pod appear
        privilegedPod("debug", Map.of("owner", "sre"));
        privilegedPod("shell", Map.of("owner", "web"));

        // Then only the labelled one is exempt
        assertThat(privilegedEvidence()).extracting(r -> r.getResource().getName() + " " + r.getStatus())
                .containsExactlyInAnyOrder("debug EXEMPT", "shell FAIL");
    }

    @Test
    void shouldLeaveAFixedResourceAloneWhenItsExceptionExpires() {
        // Given an exempt pod that is then fixed
        Instant expiry = TopologyHarness.NOW.plus(Duration.ofMinutes(5));
        approve(rule("ex-debug", Set.of("debug"), Map.of(), expiry));
        privilegedPod("debug", Map.of());
        topology.pipe(Resources.change(CLUSTER, ChangeType.MODIFIED,
                Resources.pod("tools", "debug", "uid-debug", false, "nginx:1.27"), "2", T1.plusSeconds(60)));
        assertThat(privilegedEvidence()).extracting(EvidenceRecord::getStatus)
                .containsExactly(EvidenceStatus.EXEMPT, EvidenceStatus.PASS);

        // When the exception expires
        topology.advance(Duration.ofMinutes(6));

        // Then nothing happens: the exemption ended when the pod passed
        assertThat(topology.evidence.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAnInvalidExceptionAndKeepGoing() {
        // Given a record without an approver
        ControlException invalid = rule("ex-bad", Set.of("debug"), Map.of(), null).toRecord(TopologyHarness.NOW);
        invalid.setApprovedBy(" ");

        // When it arrives, then a failing pod
        topology.exception("ex-bad", invalid);
        privilegedPod("debug", Map.of());

        // Then it is dead-lettered with the reason, and exempts nothing
        assertThat(topology.deadLetters.readValuesToList()).singleElement().satisfies(letter -> {
            assertThat(letter.getErrorType()).isEqualTo("INVALID_EXCEPTION");
            assertThat(letter.getReason()).contains("ex-bad").contains("approvedBy");
        });
        assertThat(privilegedEvidence()).singleElement().extracting(EvidenceRecord::getStatus).isEqualTo(EvidenceStatus.FAIL);
    }
}
