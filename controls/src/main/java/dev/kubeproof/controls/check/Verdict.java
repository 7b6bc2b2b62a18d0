package dev.kubeproof.controls.check;

import java.util.List;

import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.Status;

/**
 * What a check concluded: PASS, FAIL (with findings) or NOT_APPLICABLE. ERROR and EXEMPT are not a check's to give.
 */
public record Verdict(Status status, String message, List<Finding> findings) {

    public Verdict {
        if (status == Status.ERROR || status == Status.EXEMPT) {
            throw new IllegalArgumentException("a check cannot conclude " + status);
        }
        if (status == Status.FAIL && findings.isEmpty()) {
            throw new IllegalArgumentException("a FAIL needs at least one finding");
        }
        findings = List.copyOf(findings);
    }

    public static Verdict pass(String message) {
        return new Verdict(Status.PASS, message, List.of());
    }

    public static Verdict notApplicable(String message) {
        return new Verdict(Status.NOT_APPLICABLE, message, List.of());
    }

    /** A FAIL whose message is the first finding's, with a count of the others. */
    public static Verdict fail(List<Finding> findings) {
        String message = findings.get(0).message()
                + (findings.size() > 1 ? " (and " + (findings.size() - 1) + " more)" : "");
        return new Verdict(Status.FAIL, message, findings);
    }

    /** FAIL when there are findings, else PASS with {@code passMessage}. */
    public static Verdict of(List<Finding> findings, String passMessage) {
        return findings.isEmpty() ? pass(passMessage) : fail(findings);
    }
}
