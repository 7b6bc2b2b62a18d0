package dev.kubeproof.report.analysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.kubeproof.controls.ControlDefinition;

/**
 * What one control came to over the period, summed over its resources. Resource-time is in milliseconds: a
 * resource failing for 6 of the period's 24 hours adds 6 h to {@code FAIL} and 18 h to {@code PASS}.
 */
public final class ControlResult {
    /** The violations and exemptions a rendered page lists per control; the CSV files have them all. */
    public static final int LISTED = 50;

    private final ControlDefinition control;
    private final Map<String, Long> millisByStatus = new TreeMap<>();
    private final Map<String, Integer> resourcesAtEnd = new TreeMap<>();
    private int resources;
    private int opened;
    private int closed;
    private int closedByDeletion;
    private long remediationCount;
    private long remediationMillis;
    private long worstRemediationMillis;
    private int violations;
    private int exemptions;
    private final List<ViolationInterval> listedViolations = new ArrayList<>();
    private final List<ExemptionInterval> listedExemptions = new ArrayList<>();

    ControlResult(ControlDefinition control) {
        this.control = control;
    }

    void addTime(String status, long millis) {
        if (millis > 0) {
            millisByStatus.merge(status, millis, Long::sum);
        }
    }

    void resource(String statusAtEnd) {
        resources++;
        if (statusAtEnd != null) {
            resourcesAtEnd.merge(statusAtEnd, 1, Integer::sum);
        }
    }

    void open() {
        opened++;
    }

    void close(long remediationMillis, boolean byDeletion) {
        closed++;
        if (byDeletion) {
            closedByDeletion++;
        }
        remediationCount++;
        this.remediationMillis += remediationMillis;
        worstRemediationMillis = Math.max(worstRemediationMillis, remediationMillis);
    }

    void violation(ViolationInterval violation) {
        violations++;
        if (listedViolations.size() < LISTED) {
            listedViolations.add(violation);
        }
    }

    void exemption(ExemptionInterval exemption) {
        exemptions++;
        if (listedExemptions.size() < LISTED) {
            listedExemptions.add(exemption);
        }
    }

    public ControlDefinition control() {
        return control;
    }

    public Map<String, Long> millisByStatus() {
        return Collections.unmodifiableMap(millisByStatus);
    }

    public long millis(String status) {
        return millisByStatus.getOrDefault(status, 0L);
    }

    /** Time assessed as PASS, FAIL or ERROR: what compliance is a share of (EXEMPT and NOT_APPLICABLE apart). */
    public long assessedMillis() {
        return millis("PASS") + millis("FAIL") + millis("ERROR");
    }

    public long observedMillis() {
        return millisByStatus.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Share of assessed resource-time in PASS over the period, 0..100; null when nothing was assessed. */
    public Double compliancePercent() {
        long assessed = assessedMillis();
        return assessed == 0 ? null : 100.0 * millis("PASS") / assessed;
    }

    /** Share of observed resource-time in a status (EXEMPT, NOT_APPLICABLE), 0..100; null when nothing was observed. */
    public Double sharePercent(String status) {
        long observed = observedMillis();
        return observed == 0 ? null : 100.0 * millis(status) / observed;
    }

    /** Resources in each status at the period's end (deleted ones are not counted). */
    public Map<String, Integer> resourcesAtEnd() {
        return Collections.unmodifiableMap(resourcesAtEnd);
    }

    /** Compliance at the period's end: resources in PASS among those in PASS, FAIL or ERROR, 0..100; null if none. */
    public Double compliancePercentAtEnd() {
        int pass = resourcesAtEnd.getOrDefault("PASS", 0);
        int assessed = pass + resourcesAtEnd.getOrDefault("FAIL", 0) + resourcesAtEnd.getOrDefault("ERROR", 0);
        return assessed == 0 ? null : 100.0 * pass / assessed;
    }

    public int resources() {
        return resources;
    }

    public int opened() {
        return opened;
    }

    public int closed() {
        return closed;
    }

    public int closedByDeletion() {
        return closedByDeletion;
    }

    /** Mean time from a violation's opening to its closing, over the violations closed in the period; null if none. */
    public Long meanRemediationMillis() {
        return remediationCount == 0 ? null : remediationMillis / remediationCount;
    }

    public Long worstRemediationMillis() {
        return remediationCount == 0 ? null : worstRemediationMillis;
    }

    public int violations() {
        return violations;
    }

    public int exemptions() {
        return exemptions;
    }

    public List<ViolationInterval> listedViolations() {
        return Collections.unmodifiableList(listedViolations);
    }

    public List<ExemptionInterval> listedExemptions() {
        return Collections.unmodifiableList(listedExemptions);
    }
}
