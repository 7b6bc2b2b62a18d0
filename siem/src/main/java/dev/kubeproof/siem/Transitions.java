package dev.kubeproof.siem;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.Finding;
import dev.kubeproof.contract.evidence.Violations;

/** Facts about an evidence transition that every output format needs, computed one way. */
public final class Transitions {
    private static final Pattern CVE = Pattern.compile("CVE-\\d{4}-\\d{4,}");
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Transitions() {
    }


    /**
     * True for a transition that opens, continues or ends a violation (see {@link Violations}): what the violations
     * topic carries. FAIL → ERROR → PASS is on it throughout, so a SIEM sees the violation close.
     */
    public static boolean isViolationTransition(EvidenceRecord record) {
        return Violations.concernsViolation(record);
    }

    /** True when the transition ends a violation because the failure is gone (fixed, no longer applicable, deleted). */
    public static boolean isRemediation(EvidenceRecord record) {
        return Violations.closes(record) && (record.getStatus() == EvidenceStatus.PASS
                || record.getStatus() == EvidenceStatus.NOT_APPLICABLE || record.getStatus() == EvidenceStatus.CLOSED);
    }

    /** True when {@code severity} is at least as severe as {@code minimum}. */
    public static boolean atLeast(ControlSeverity severity, ControlSeverity minimum) {
        return severity.ordinal() <= minimum.ordinal();
    }

    /**
     * CVE ids named by the transition's findings or message, in order of appearance: a transition that names any
     * is a vulnerability finding (an image-scan control failing on known CVEs).
     */
    public static List<String> cveIds(EvidenceRecord record) {
        Set<String> ids = new LinkedHashSet<>();
        for (Finding finding : record.getDetails()) {
            collect(finding.getPath(), ids);
            collect(finding.getValue(), ids);
            collect(finding.getMessage(), ids);
        }
        collect(record.getMessage(), ids);
        return List.copyOf(ids);
    }

    private static void collect(String text, Set<String> ids) {
        if (text == null) {
            return;
        }
        Matcher matcher = CVE.matcher(text);
        while (matcher.find()) {
            ids.add(matcher.group());
        }
    }

    /** ISO-8601 UTC with exactly three fraction digits, as ECS and Elasticsearch's date fields expect. */
    public static String iso(Instant instant) {
        return instant == null ? null : ISO_MILLIS.format(instant);
    }

    /** Lower case, with a capital first letter: CRITICAL becomes Critical. */
    static String caption(Enum<?> value) {
        String name = value.name().replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
