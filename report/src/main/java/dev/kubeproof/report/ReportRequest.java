package dev.kubeproof.report;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;

/**
 * One report to produce: the period, what it covers, the formats, where it goes and the key that signs it.
 *
 * @param signKey       Ed25519 private key (PEM) to sign the manifest with; null for an unsigned package
 * @param checkpointKey the pipeline's Ed25519 public key (PEM) to check the checkpoints' signatures with; null to
 *                      leave them unchecked
 */
public record ReportRequest(Period period, ReportFilter filter, Set<Format> formats, Path out, Path signKey,
                            Path checkpointKey) {

    /** The formats a package can hold besides its evidence appendix, chain file and manifest, which it always has. */
    public enum Format { JSON, CSV, HTML, PDF, OSCAL }

    public ReportRequest {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(out, "out");
        filter = filter == null ? ReportFilter.ALL : filter;
        formats = formats == null || formats.isEmpty() ? EnumSet.allOf(Format.class) : EnumSet.copyOf(formats);
    }
}
