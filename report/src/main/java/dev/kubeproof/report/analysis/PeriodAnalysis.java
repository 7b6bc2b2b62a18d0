package dev.kubeproof.report.analysis;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.kubeproof.report.model.ChainCheck;
import dev.kubeproof.report.model.KeyTimeline;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.Transition;

/**
 * Turns keys' evidence into what a period came to, one key at a time: memory grows with the number of controls,
 * frameworks, days, exceptions and runtime actors, never with the number of resources or records.
 * <p>
 * Time semantics: the status at {@code from} is the key's last record before it (a FAIL from September counts in
 * October); each record's status lasts from its {@code since} until the next record's, the resource's deletion
 * (CLOSED) or {@code to}; records at or after {@code to} are not read. Compliance is the share of PASS in the
 * resource-time assessed PASS, FAIL or ERROR; EXEMPT and NOT_APPLICABLE time is reported apart. A violation opens
 * with a FAIL and stays open through FAIL and ERROR (as the topology's {@code openViolationSince} says) until any
 * other status; its time to remediate runs from the FAIL that opened it.
 */
public final class PeriodAnalysis implements Consumer<KeyTimeline> {
    /** Time-to-remediate buckets of the distribution chart: upper bounds, the last open-ended. */
    public static final List<Duration> REMEDIATION_BUCKETS = List.of(Duration.ofHours(1), Duration.ofDays(1),
            Duration.ofDays(7), Duration.ofDays(30));
    private static final List<String> SEVERITIES = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO");

    private final Period period;
    private final ControlScope scope;
    private final PeriodListener listener;
    private final Map<String, ControlResult> controls = new LinkedHashMap<>();
    private final List<LocalDate> days = new ArrayList<>();
    /** framework → per day [pass millis, assessed millis] */
    private final Map<String, long[][]> daily = new TreeMap<>();
    /** severity → per day: violations open at the day's end */
    private final Map<String, int[]> openAtDayEnd = new LinkedHashMap<>();
    private final long[] remediationHistogram = new long[REMEDIATION_BUCKETS.size() + 1];
    private final Map<String, ExceptionUse> exceptions = new TreeMap<>();
    private final Map<String, AttestationUse> attestations = new TreeMap<>();
    /** runtime control → actor → detections in the period */
    private final Map<String, Map<String, Integer>> runtime = new TreeMap<>();
    private long keys;
    private long records;
    private long anchors;
    private final List<String> chainProblems = new ArrayList<>();
    private long chainProblemCount;

    public PeriodAnalysis(Period period, ControlScope scope, PeriodListener listener) {
        this.period = period;
        this.scope = scope;
        this.listener = listener;
        scope.ordered().forEach(control -> controls.put(control.id(), new ControlResult(control)));
        for (LocalDate day = day(period.from()); day.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(period.to());
             day = day.plusDays(1)) {
            days.add(day);
        }
        scope.frameworks().forEach(f -> daily.put(f.key(), new long[days.size()][2]));
        SEVERITIES.forEach(s -> openAtDayEnd.put(s, new int[days.size()]));
    }

    @Override
    public void accept(KeyTimeline timeline) {
        Transition any = timeline.any();
        ControlResult result = controls.get(any.controlId());
        if (result == null) {
            return;
        }
        keys++;
        records += timeline.records().size();
        ChainCheck chain = ChainCheck.of(timeline.key(), timeline.anchor(), timeline.records());
        if (!chain.ok()) {
            chainProblemCount++;
            if (chainProblems.size() < 100) {
                chainProblems.add(chain.problem());
            }
        }
        Transition anchor = timeline.anchor();
        if (anchor != null) {
            anchors++;
        }
        Transition current = anchor == null || anchor.isClosed() ? null : anchor;
        Instant start = period.from();
        Violation open = current != null && continuesViolation(current) ? Violation.from(current) : null;
        long pass = 0;
        long fail = 0;
        long observed = 0;
        boolean failed = open != null;
        List<Transition> all = timeline.records();
        Instant effective = anchor == null ? null : anchor.since();
        for (Transition record : all) {
            // a record takes effect no earlier than the one before it (see KeyTimeline.cut)
            effective = effective == null || record.since().isAfter(effective) ? record.since() : effective;
            Instant at = period.clamp(effective);
            if (current != null) {
                long[] added = segment(result, current, start, at, open);
                pass += added[0];
                fail += added[1];
                observed += added[2];
            }
            // violation bookkeeping
            boolean violating = record.isFail() || ("ERROR".equals(record.status()) && open != null);
            if (violating && open == null) {
                open = Violation.from(record);
                result.open();
                failed = true;
            } else if (violating) {
                open = open.updatedBy(record);
            } else if (open != null) {
                Instant began = record.openViolationSince() != null ? record.openViolationSince() : open.since;
                result.close(Math.max(0, Duration.between(began, record.since()).toMillis()), record.isClosed());
                remediationHistogram[bucket(Duration.between(began, record.since()))]++;
                emitViolation(result, timeline.key(), open, record.since(), record.status());
                open = null;
            }
            if ("EXEMPT".equals(record.status()) && record.exemption() != null) {
                exceptionUse(record).resources++;
            }
            if (record.attestationId() != null) {
                attestations.computeIfAbsent(record.attestationId(), AttestationUse::new).add(record);
            }
            if (record.isFail() && "runtime".equals(result.control().phase())) {
                runtime.computeIfAbsent(record.controlId(), c -> new TreeMap<>())
                        .merge(record.actor() == null ? "(unknown)" : record.actor(), 1, Integer::sum);
            }
            current = record.isClosed() ? null : record;
            start = at;
        }
        if (current != null) {
            long[] added = segment(result, current, start, period.to(), open);
            pass += added[0];
            fail += added[1];
            observed += added[2];
        }
        if (open != null) {
            emitViolation(result, timeline.key(), open, null, null);
        }
        emitExemptions(result, timeline);
        String statusAtEnd = current == null ? null : current.status();
        result.resource(statusAtEnd);
        listener.key(timeline, chain, new PeriodListener.KeyOutcome(statusAtEnd, pass, fail, observed, failed));
    }

    /** Adds one status interval's resource-time; returns {pass, fail-or-error, observed} millis. */
    private long[] segment(ControlResult result, Transition status, Instant start, Instant end, Violation open) {
        long millis = Math.max(0, Duration.between(start, end).toMillis());
        if (millis == 0) {
            return new long[3];
        }
        result.addTime(status.status(), millis);
        boolean assessed = switch (status.status()) {
            case "PASS", "FAIL", "ERROR" -> true;
            default -> false;
        };
        for (String framework : scope.frameworksOf(status.controlId())) {
            long[][] perDay = daily.get(framework);
            splitByDay(start, end, (dayIndex, dayMillis) -> {
                if (assessed) {
                    perDay[dayIndex][1] += dayMillis;
                    if ("PASS".equals(status.status())) {
                        perDay[dayIndex][0] += dayMillis;
                    }
                }
            });
        }
        boolean violating = status.isFail() || ("ERROR".equals(status.status()) && open != null);
        if (violating) {
            int[] counts = openAtDayEnd.get(status.severity());
            for (int i = 0; i < days.size() && counts != null; i++) {
                Instant dayEnd = dayEnd(i).minusMillis(1);
                if (!dayEnd.isBefore(start) && dayEnd.isBefore(end)) {
                    counts[i]++;
                }
            }
        }
        long failing = "FAIL".equals(status.status()) || "ERROR".equals(status.status()) ? millis : 0;
        return new long[] {"PASS".equals(status.status()) ? millis : 0, failing, millis};
    }

    private void splitByDay(Instant start, Instant end, DayConsumer consumer) {
        int index = (int) (day(start).toEpochDay() - days.get(0).toEpochDay());
        Instant cursor = start;
        while (cursor.isBefore(end) && index < days.size()) {
            Instant next = dayEnd(index);
            Instant until = next.isBefore(end) ? next : end;
            consumer.accept(index, Duration.between(cursor, until).toMillis());
            cursor = until;
            index++;
        }
    }

    private Instant dayEnd(int index) {
        Instant end = days.get(index).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return end.isAfter(period.to()) ? period.to() : end;
    }

    private void emitViolation(ControlResult result, String key, Violation open, Instant until, String closedBy) {
        ViolationInterval violation = new ViolationInterval(result.control().id(), open.latest.severity(), key,
                open.latest.clusterId(), open.latest.resourceLabel(), open.since, until, closedBy, open.actor,
                open.latest.message(), open.latest.remediation(), open.latest.evidenceId());
        result.violation(violation);
        listener.violation(violation);
    }

    private void emitExemptions(ControlResult result, KeyTimeline timeline) {
        List<Transition> sequence = new ArrayList<>();
        if (timeline.anchor() != null) {
            sequence.add(timeline.anchor());
        }
        sequence.addAll(timeline.records());
        for (int i = 0; i < sequence.size(); i++) {
            Transition record = sequence.get(i);
            if (!"EXEMPT".equals(record.status()) || record.exemption() == null) {
                continue;
            }
            Instant since = period.clamp(record.since());
            Instant until = i + 1 < sequence.size() ? period.clamp(sequence.get(i + 1).since()) : null;
            if (until != null && !until.isAfter(since)) {
                continue;
            }
            if (i == 0 && timeline.anchor() != null) {
                exceptionUse(record).resources++;
            }
            Transition.Exemption exemption = record.exemption();
            ExemptionInterval interval = new ExemptionInterval(record.controlId(), timeline.key(), record.clusterId(),
                    record.resourceLabel(), since, until, exemption.exceptionId(), exemption.approvedBy(),
                    exemption.expiresAt(), exemption.reason(), exemption.ticket());
            result.exemption(interval);
            listener.exemption(interval);
        }
    }

    private ExceptionUse exceptionUse(Transition record) {
        Transition.Exemption exemption = record.exemption();
        ExceptionUse use = exceptions.computeIfAbsent(exemption.exceptionId(), id -> new ExceptionUse(exemption));
        use.controls.add(record.controlId());
        return use;
    }

    /** Whether a violation is open after this record: a FAIL, or an ERROR while one was open. */
    private static boolean continuesViolation(Transition record) {
        return record.isFail() || ("ERROR".equals(record.status()) && record.openViolationSince() != null);
    }

    static int bucket(Duration duration) {
        for (int i = 0; i < REMEDIATION_BUCKETS.size(); i++) {
            if (duration.compareTo(REMEDIATION_BUCKETS.get(i)) < 0) {
                return i;
            }
        }
        return REMEDIATION_BUCKETS.size();
    }

    private static LocalDate day(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The result, once every key has been read. */
    public PeriodSummary summary() {
        List<PeriodSummary.DailyCompliance> compliance = new ArrayList<>();
        daily.forEach((framework, perDay) -> {
            List<Double> values = new ArrayList<>();
            for (long[] day : perDay) {
                values.add(day[1] == 0 ? null : 100.0 * day[0] / day[1]);
            }
            compliance.add(new PeriodSummary.DailyCompliance(framework, values));
        });
        Map<String, List<Integer>> open = new LinkedHashMap<>();
        openAtDayEnd.forEach((severity, counts) -> open.put(severity, java.util.Arrays.stream(counts).boxed().toList()));
        return new PeriodSummary(period, scope, List.copyOf(controls.values()), List.copyOf(days), compliance, open,
                java.util.Arrays.stream(remediationHistogram).boxed().toList(),
                exceptions.values().stream().map(use -> use.summary(period)).toList(),
                attestations.values().stream().map(AttestationUse::summary).toList(), runtime, keys, records, anchors,
                chainProblemCount, List.copyOf(chainProblems));
    }

    @FunctionalInterface
    private interface DayConsumer {
        void accept(int dayIndex, long millis);
    }

    /** A violation being followed through a key's records. */
    private static final class Violation {
        final Instant since;
        final String actor;
        Transition latest;

        private Violation(Instant since, String actor, Transition latest) {
            this.since = since;
            this.actor = actor;
            this.latest = latest;
        }

        /** Opened by this record, or (for an anchor that updates an older FAIL) by the FAIL it names. */
        static Violation from(Transition record) {
            Instant since = record.openViolationSince() != null ? record.openViolationSince() : record.since();
            return new Violation(since, record.actor(), record);
        }

        Violation updatedBy(Transition record) {
            latest = record;
            return this;
        }
    }

    private static final class ExceptionUse {
        final Transition.Exemption exemption;
        final java.util.Set<String> controls = new java.util.TreeSet<>();
        int resources;

        ExceptionUse(Transition.Exemption exemption) {
            this.exemption = exemption;
        }

        PeriodSummary.ExceptionSummary summary(Period period) {
            boolean expired = exemption.expiresAt() != null && exemption.expiresAt().isBefore(period.to());
            return new PeriodSummary.ExceptionSummary(exemption.exceptionId(), exemption.approvedBy(), exemption.expiresAt(),
                    exemption.reason(), exemption.ticket(), List.copyOf(controls), resources, expired);
        }
    }

    private static final class AttestationUse {
        final String id;
        final java.util.Set<String> controls = new java.util.TreeSet<>();
        int records;

        AttestationUse(String id) {
            this.id = id;
        }

        void add(Transition record) {
            controls.add(record.controlId());
            records++;
        }

        PeriodSummary.AttestationSummary summary() {
            return new PeriodSummary.AttestationSummary(id, List.copyOf(controls), records);
        }
    }
}
