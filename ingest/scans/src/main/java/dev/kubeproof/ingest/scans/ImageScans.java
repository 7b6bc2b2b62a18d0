package dev.kubeproof.ingest.scans;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.Severity;
import dev.kubeproof.avro.SeveritySummary;
import dev.kubeproof.avro.Vulnerability;

/** Keys, ids and image references of {@link ImageScan} records, the same for every source. */
public final class ImageScans {
    private ImageScans() {
    }

    /**
     * The record key on the image-scans topic: the image digest when known (so that every tag and every cluster
     * running the same image shares the latest scan), else {@code repository:tag}, else the artifact as scanned.
     */
    public static String keyOf(ImageScan scan) {
        if (scan.getDigest() != null) {
            return scan.getDigest();
        }
        if (scan.getRepository() != null && scan.getTag() != null) {
            return scan.getRepository() + ":" + scan.getTag();
        }
        return scan.getImageRef();
    }

    /** SHA-256 of the key (the scanned artifact) and the scan time: the same report always gets the same id. */
    static String scanId(String key, Instant scannedAt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((key + "|" + scannedAt.toEpochMilli()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static SeveritySummary summarize(List<Vulnerability> vulnerabilities) {
        int[] counts = new int[Severity.values().length];
        for (Vulnerability vulnerability : vulnerabilities) {
            counts[vulnerability.getSeverity().ordinal()]++;
        }
        return SeveritySummary.newBuilder()
                .setCritical(counts[Severity.CRITICAL.ordinal()])
                .setHigh(counts[Severity.HIGH.ordinal()])
                .setMedium(counts[Severity.MEDIUM.ordinal()])
                .setLow(counts[Severity.LOW.ordinal()])
                .setUnknown(counts[Severity.UNKNOWN.ordinal()])
                .build();
    }

}
