package dev.kubeproof.report.analysis;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.kubeproof.report.model.Period;

/**
 * What a period came to: per control, per framework and day, the remediation distribution, exceptions,
 * attestations and runtime detections, and the chain check of the evidence read.
 *
 * @param dailyCompliance      per framework: compliance % of each day (null when nothing was assessed that day)
 * @param openViolationsAtDayEnd per severity: violations open at the end of each day
 * @param remediationHistogram closed violations per {@link PeriodAnalysis#REMEDIATION_BUCKETS} bucket
 * @param runtimeDetections    runtime control → actor → detections
 */
public record PeriodSummary(Period period, ControlScope scope, List<ControlResult> controls, List<LocalDate> days,
                            List<DailyCompliance> dailyCompliance, Map<String, List<Integer>> openViolationsAtDayEnd,
                            List<Long> remediationHistogram, List<ExceptionSummary> exceptions,
                            List<AttestationSummary> attestations, Map<String, Map<String, Integer>> runtimeDetections,
                            long keys, long records, long anchors, long chainProblemCount, List<String> chainProblems) {

    public record DailyCompliance(String framework, List<Double> percent) {
    }

    public record ExceptionSummary(String exceptionId, String approvedBy, Instant expiresAt, String reason, String ticket,
                                   List<String> controls, int resources, boolean expired) {
    }

    public record AttestationSummary(String attestationId, List<String> controls, int records) {
    }

    /** Compliance over the period of the controls of one framework (resource-time), 0..100; null if none assessed. */
    public Double frameworkCompliance(String framework) {
        long pass = 0;
        long assessed = 0;
        for (ControlResult control : controls) {
            if (control.control().frameworks().containsKey(framework)) {
                pass += control.millis("PASS");
                assessed += control.assessedMillis();
            }
        }
        return assessed == 0 ? null : 100.0 * pass / assessed;
    }

    /** Compliance at the period's end of one framework's controls (resources), 0..100; null if none assessed. */
    public Double frameworkComplianceAtEnd(String framework) {
        long pass = 0;
        long assessed = 0;
        for (ControlResult control : controls) {
            if (control.control().frameworks().containsKey(framework)) {
                Map<String, Integer> end = control.resourcesAtEnd();
                pass += end.getOrDefault("PASS", 0);
                assessed += end.getOrDefault("PASS", 0) + end.getOrDefault("FAIL", 0) + end.getOrDefault("ERROR", 0);
            }
        }
        return assessed == 0 ? null : 100.0 * pass / assessed;
    }
}
