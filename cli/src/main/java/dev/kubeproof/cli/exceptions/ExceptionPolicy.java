package dev.kubeproof.cli.exceptions;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.kubeproof.controls.exceptions.ExceptionRule;

/**
 * What an exception must be before it is written to the live pipeline: an id Kubernetes would accept as a name,
 * controls of the catalog, and an expiry in the future within the maximum validity (default 180 days), because an
 * accepted risk without an end date is no longer reviewed.
 */
public record ExceptionPolicy(Set<String> knownControls, Duration maxValidity) {
    public static final Duration DEFAULT_MAX_VALIDITY = Duration.ofDays(180);
    private static final Pattern ID = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    public ExceptionPolicy {
        knownControls = Set.copyOf(knownControls);
        if (maxValidity.isNegative() || maxValidity.isZero()) {
            throw new IllegalArgumentException("the maximum validity must be positive, was " + maxValidity);
        }
    }

    /** @throws IllegalArgumentException naming the exception and the field that is wrong */
    public void check(ExceptionRule rule, Instant now) {
        String id = rule.exceptionId();
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("control exception " + id + ": the id must be lower-case letters, digits,"
                    + " '-' and '.', starting and ending with a letter or digit");
        }
        Set<String> unknown = new TreeSet<>(rule.controlIds());
        unknown.removeAll(knownControls);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("control exception " + id + ": controlId " + unknown
                    + " is not a control of the catalog nor a published custom control");
        }
        if (rule.expiresAt() == null) {
            throw new IllegalArgumentException("control exception " + id + ": expiresAt is required (at most "
                    + maxValidity.toDays() + " days ahead)");
        }
        if (!rule.expiresAt().isAfter(now)) {
            throw new IllegalArgumentException("control exception " + id + ": expiresAt " + rule.expiresAt()
                    + " is not in the future");
        }
        if (rule.expiresAt().isAfter(now.plus(maxValidity))) {
            throw new IllegalArgumentException("control exception " + id + ": expiresAt " + rule.expiresAt()
                    + " is more than the maximum validity of " + maxValidity.toDays() + " days ahead");
        }
    }
}
