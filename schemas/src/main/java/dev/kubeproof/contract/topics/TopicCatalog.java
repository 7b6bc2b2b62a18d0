package dev.kubeproof.contract.topics;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.Attestation;
import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.ControlException;
import dev.kubeproof.avro.CustomControl;
import dev.kubeproof.avro.DeadLetter;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.avro.ScannerFinding;

/**
 * Every topic kubeproof reads or writes, in one place: collectors, streams, the sink and {@code topics create}
 * take names, formats and settings from here. The prefix lets several installations (or test runs) share a
 * cluster.
 */
public final class TopicCatalog {
    public static final String DEFAULT_PREFIX = "kubeproof.";
    private static final Pattern LEGAL_PREFIX = Pattern.compile("[a-zA-Z0-9._-]*");

    private final String prefix;

    public TopicCatalog(String prefix) {
        if (prefix == null || !LEGAL_PREFIX.matcher(prefix).matches() || prefix.length() > 200) {
            throw new IllegalArgumentException("topic prefix '" + prefix + "' must use only a-z, A-Z, 0-9, '.', '_', '-'");
        }
        this.prefix = prefix;
    }

    /** The {@code topicPrefix} of a service's configuration: the default when absent, checked when given. */
    public static String prefixOrDefault(String prefix) {
        if (prefix == null) {
            return DEFAULT_PREFIX;
        }
        try {
            return new TopicCatalog(prefix).prefix();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("topicPrefix: " + e.getMessage(), e);
        }
    }

    public static TopicCatalog defaults() {
        return new TopicCatalog(DEFAULT_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    public TopicSpec auditEvents() {
        return new TopicSpec(prefix + "audit-events", "Kubernetes audit events, redacted",
                "cluster/namespace/resource/name of the object (cluster/-/nonresource/<path> otherwise)",
                ValueFormat.AVRO, AuditEvent.class, 6, CleanupPolicy.DELETE, Duration.ofDays(7));
    }

    public TopicSpec resourceChanges() {
        return new TopicSpec(prefix + "resource-changes", "Resource changes seen by the informers; tombstone on delete",
                "cluster/kind/namespace/name", ValueFormat.AVRO, ResourceChange.class, 6, CleanupPolicy.COMPACT, null);
    }

    public TopicSpec imageScans() {
        return new TopicSpec(prefix + "image-scans", "Latest vulnerability scan per image",
                "image digest, else repository:tag", ValueFormat.AVRO, ImageScan.class, 3, CleanupPolicy.COMPACT, null);
    }

    public TopicSpec scannerFindings() {
        return new TopicSpec(prefix + "scanner-findings", "Scanners' configuration checks per resource (Trivy"
                + " misconfigurations), latest per resource and check", "cluster/kind/namespace/name/check",
                ValueFormat.AVRO, ScannerFinding.class, 3, CleanupPolicy.COMPACT, null);
    }

    public TopicSpec evidence() {
        return new TopicSpec(prefix + "evidence", "Every evidence transition, hash-chained per key (kept forever)",
                "cluster/control/resource uid", ValueFormat.AVRO, EvidenceRecord.class, 6, CleanupPolicy.DELETE, null);
    }

    public TopicSpec evidenceState() {
        return new TopicSpec(prefix + "evidence-state", "Latest evidence per cluster/control/resource",
                "cluster/control/resource uid", ValueFormat.AVRO, EvidenceRecord.class, 6, CleanupPolicy.COMPACT, null);
    }

    public TopicSpec checkpoints() {
        return new TopicSpec(prefix + "checkpoints", "Signed Merkle roots over the evidence chains' heads, per evidence"
                + " partition (kept forever)", "evidence partition", ValueFormat.AVRO, Checkpoint.class, 1,
                CleanupPolicy.DELETE, null);
    }

    public TopicSpec violations() {
        return new TopicSpec(prefix + "violations", "Transitions into and out of FAIL, as ECS or OCSF JSON for SIEMs",
                "cluster/control/resource uid", ValueFormat.JSON, String.class, 3, CleanupPolicy.DELETE, Duration.ofDays(30));
    }

    public TopicSpec controlExceptions() {
        return new TopicSpec(prefix + "control-exceptions", "Approved control exceptions; tombstone withdraws",
                "exception id", ValueFormat.AVRO, ControlException.class, 1, CleanupPolicy.COMPACT, null);
    }

    public TopicSpec attestations() {
        return new TopicSpec(prefix + "attestations", "Attestations of practices no cluster data shows (kept: the history)",
                "attestation id", ValueFormat.AVRO, Attestation.class, 1, CleanupPolicy.COMPACT, null);
    }

    public TopicSpec customControls() {
        return new TopicSpec(prefix + "custom-controls", "Custom controls in CEL, picked up by running evidence"
                + " applications; tombstone withdraws", "control id", ValueFormat.AVRO, CustomControl.class, 1,
                CleanupPolicy.COMPACT, null);
    }

    public TopicSpec deadLetters() {
        return new TopicSpec(prefix + "dead-letters", "Inputs that could not be processed, with the reason",
                "source component", ValueFormat.AVRO, DeadLetter.class, 1, CleanupPolicy.DELETE, Duration.ofDays(30));
    }

    public List<TopicSpec> all() {
        return List.of(auditEvents(), resourceChanges(), imageScans(), scannerFindings(), evidence(), evidenceState(), checkpoints(), violations(),
                controlExceptions(), attestations(), customControls(), deadLetters());
    }
}
