package dev.kubeproof.report.analysis;

import static dev.kubeproof.avro.EvidenceStatus.CLOSED;
import static dev.kubeproof.avro.EvidenceStatus.EXEMPT;
import static dev.kubeproof.avro.EvidenceStatus.FAIL;
import static dev.kubeproof.avro.EvidenceStatus.PASS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.report.model.ChainCheck;
import dev.kubeproof.report.model.KeyTimeline;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.report.support.Chains;
import dev.kubeproof.report.support.ListEvidenceSource;

class PeriodAnalysisTest {
    static final Instant FROM = Instant.parse("2026-10-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-10-05T00:00:00Z");
    static final Period PERIOD = new Period(FROM, TO);
    static final String PRIVILEGED = "KP-POD-001";

    private final List<ViolationInterval> violations = new ArrayList<>();
    private final List<ChainCheck> chains = new ArrayList<>();

    private PeriodSummary analyse(Chains... keys) {
        ControlEngine engine = ControlEngine.withDefaults();
        ControlScope scope = ControlScope.of(engine.controls(), engine.frameworks(), ReportFilter.ALL);
        PeriodAnalysis analysis = new PeriodAnalysis(PERIOD, scope, new PeriodListener() {
            @Override
            public void key(KeyTimeline timeline, ChainCheck chain, KeyOutcome outcome) {
                chains.add(chain);
            }

            @Override
            public void violation(ViolationInterval violation) {
                violations.add(violation);
            }
        });
        new ListEvidenceSource().add(keys).read(PERIOD, scope.controls().keySet(), ReportFilter.ALL, analysis, n -> { });
        return analysis.summary();
    }

    private static ControlResult control(PeriodSummary summary, String id) {
        return summary.controls().stream().filter(c -> c.control().id().equals(id)).findFirst().orElseThrow();
    }

    private static Instant day(int dayOfOctober) {
        return Instant.parse(String.format("2026-10-%02dT00:00:00Z", dayOfOctober));
    }

    @Test
    void shouldCountAResourceFailingAQuarterOfThePeriodAsSeventyFivePercentCompliant() {
        // Given a Deployment passing since September, failing on 2 October for one day of the four-day period
        Chains web = Chains.of(PRIVILEGED, "shop", "web").then(PASS, Instant.parse("2026-09-20T10:00:00Z"))
                .then(FAIL, day(2)).then(PASS, day(3));

        // When
        PeriodSummary summary = analyse(web);

        // Then
        ControlResult result = control(summary, PRIVILEGED);
        assertThat(result.compliancePercent()).isCloseTo(75.0, within(1e-9));
        assertThat(result.millis("FAIL")).isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(result.opened()).isEqualTo(1);
        assertThat(result.closed()).isEqualTo(1);
        assertThat(result.meanRemediationMillis()).isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(result.compliancePercentAtEnd()).isEqualTo(100.0);
        assertThat(summary.openViolationsAtDayEnd().get("CRITICAL")).containsExactly(0, 1, 0, 0);
        assertThat(summary.frameworkCompliance("cis")).isCloseTo(75.0, within(1e-9));
        assertThat(summary.dailyCompliance()).filteredOn(d -> d.framework().equals("cis")).singleElement()
                .satisfies(d -> assertThat(d.percent()).containsExactly(100.0, 0.0, 100.0, 100.0));
        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.since()).isEqualTo(day(2));
            assertThat(v.until()).isEqualTo(day(3));
            assertThat(v.closedBy()).isEqualTo("PASS");
            assertThat(v.actor()).isEqualTo("alice@example.com");
        });
        assertThat(chains).singleElement().satisfies(c -> {
            assertThat(c.ok()).isTrue();
            assertThat(c.firstSequence()).isEqualTo(2);
            assertThat(c.anchorHash()).isEqualTo(web.records().get(0).getChain().getHash());
        });
    }

    @Test
    void shouldCountAFailureThatBeganBeforeThePeriodFromItsStart() {
        // Given a FAIL from September fixed on 3 October (half of the period failing)
        Chains web = Chains.of(PRIVILEGED, "shop", "web").then(FAIL, Instant.parse("2026-09-15T00:00:00Z")).then(PASS, day(3));

        // When
        PeriodSummary summary = analyse(web);

        // Then the period starts failing, nothing opened in it, one closed after 18 days
        ControlResult result = control(summary, PRIVILEGED);
        assertThat(result.compliancePercent()).isCloseTo(50.0, within(1e-9));
        assertThat(result.opened()).isZero();
        assertThat(result.closed()).isEqualTo(1);
        assertThat(result.worstRemediationMillis()).isEqualTo(Duration.ofDays(18).toMillis());
        assertThat(violations).singleElement().satisfies(v -> assertThat(v.since()).isEqualTo("2026-09-15T00:00:00Z"));
    }

    @Test
    void shouldCountAResourceCreatedAndDeletedInsideThePeriodOnlyWhileItExisted() {
        // Given a Deployment created failing on 2 October and deleted on 3 October, another passing all along
        Chains shortLived = Chains.of(PRIVILEGED, "shop", "tmp").then(FAIL, day(2)).then(CLOSED, day(3));
        Chains steady = Chains.of(PRIVILEGED, "shop", "web").then(PASS, Instant.parse("2026-09-01T00:00:00Z"));

        // When
        PeriodSummary summary = analyse(shortLived, steady);

        // Then one day failing out of five resource-days, the deleted one not counted at the end
        ControlResult result = control(summary, PRIVILEGED);
        assertThat(result.compliancePercent()).isCloseTo(80.0, within(1e-9));
        assertThat(result.resources()).isEqualTo(2);
        assertThat(result.resourcesAtEnd()).containsExactly(java.util.Map.entry("PASS", 1));
        assertThat(result.closedByDeletion()).isEqualTo(1);
        assertThat(violations).singleElement().satisfies(v -> assertThat(v.closedBy()).isEqualTo("CLOSED"));
    }

    @Test
    void shouldTakeATransitionAtTheStartAsInThePeriodAndOneAtTheEndAsAfterIt() {
        // Given a FAIL at exactly --from and a PASS at exactly --to
        Chains web = Chains.of(PRIVILEGED, "shop", "web").then(FAIL, FROM).then(PASS, TO);

        // When
        PeriodSummary summary = analyse(web);

        // Then the whole period fails, opened in it, still open at its end
        ControlResult result = control(summary, PRIVILEGED);
        assertThat(result.compliancePercent()).isZero();
        assertThat(result.opened()).isEqualTo(1);
        assertThat(result.closed()).isZero();
        assertThat(result.resourcesAtEnd()).containsEntry("FAIL", 1);
        assertThat(summary.records()).isEqualTo(1);
        assertThat(violations).singleElement().satisfies(v -> assertThat(v.until()).isNull());
    }

    @Test
    void shouldCountExemptTimeApartForExactlyTheExceptionsInterval() {
        // Given a failure exempted from 2 to 4 October by an exception that expired then
        Instant expiry = day(4);
        Chains web = Chains.of(PRIVILEGED, "shop", "web").then(FAIL, day(1))
                .then(EXEMPT, day(2), "bob@example.com", Chains.exception("EXC-7", "ciso@example.com", expiry))
                .then(FAIL, expiry);

        // When
        PeriodSummary summary = analyse(web);

        // Then two days exempt (apart), two failing: compliance 0 %, exempt 50 % of the time
        ControlResult result = control(summary, PRIVILEGED);
        assertThat(result.sharePercent("EXEMPT")).isCloseTo(50.0, within(1e-9));
        assertThat(result.compliancePercent()).isZero();
        assertThat(result.exemptions()).isEqualTo(1);
        assertThat(result.listedExemptions()).singleElement().satisfies(e -> {
            assertThat(e.since()).isEqualTo(day(2));
            assertThat(e.until()).isEqualTo(expiry);
            assertThat(e.approvedBy()).isEqualTo("ciso@example.com");
        });
        assertThat(summary.exceptions()).singleElement().satisfies(e -> {
            assertThat(e.expired()).isTrue();
            assertThat(e.approvedBy()).isEqualTo("ciso@example.com");
        });
    }

    @Test
    void shouldLetARecordWhoseSinceGoesBackTakeEffectAfterTheOneBeforeIt() {
        // Given a PASS on 2 October followed by a FAIL dated 15 September (a scan older than the change, as
        // evidence was recorded before the topology kept since from going back)
        Chains web = Chains.of(PRIVILEGED, "shop", "web").then(PASS, day(2)).then(FAIL, Instant.parse("2026-09-15T00:00:00Z"));

        // When
        PeriodSummary summary = analyse(web);

        // Then both records are in the period, unbroken, and the FAIL counts from 2 October
        assertThat(chains).singleElement().satisfies(c -> {
            assertThat(c.ok()).isTrue();
            assertThat(c.records()).isEqualTo(2);
        });
        assertThat(control(summary, PRIVILEGED).millis("FAIL")).isEqualTo(Duration.ofDays(3).toMillis());
    }

    @Test
    void shouldReportNothingAssessedForAnEmptyPeriod() {
        // Given no evidence at all
        // When
        PeriodSummary summary = analyse();

        // Then
        assertThat(summary.keys()).isZero();
        assertThat(control(summary, PRIVILEGED).compliancePercent()).isNull();
        assertThat(summary.frameworkCompliance("cis")).isNull();
    }

    @Test
    void shouldNameTheKeyAndSequenceOfABrokenChain() {
        // Given a chain whose second record is missing from the store
        Chains web = Chains.of(PRIVILEGED, "shop", "web").then(PASS, day(1)).then(FAIL, day(2)).then(PASS, day(3));
        List<dev.kubeproof.report.model.Transition> records = new ArrayList<>(web.transitions());
        records.remove(1);

        // When
        ChainCheck check = ChainCheck.of(web.key(), null, records);

        // Then
        assertThat(check.ok()).isFalse();
        assertThat(check.problem()).contains(web.key()).contains("sequence 2 missing before sequence 3");
    }
}
