package dev.kubeproof.ingest.scans;

import static dev.kubeproof.ingest.scans.ScanJson.optionalArray;
import static dev.kubeproof.ingest.scans.ScanJson.optionalNumber;
import static dev.kubeproof.ingest.scans.ScanJson.optionalObject;
import static dev.kubeproof.ingest.scans.ScanJson.optionalText;
import static dev.kubeproof.ingest.scans.ScanJson.optionalTime;
import static dev.kubeproof.ingest.scans.ScanJson.requiredText;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.contract.image.ImageReference;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.InstalledPackage;
import dev.kubeproof.avro.OperatingSystem;
import dev.kubeproof.avro.Scanner;
import dev.kubeproof.avro.Vulnerability;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

/**
 * Reads a Trivy JSON report ({@code trivy image -f json}, {@code SchemaVersion} 2) into an {@link ImageScan}:
 * the artifact and its digest ({@code Metadata.RepoDigests}, else the digest in the artifact name, else
 * {@code Metadata.ImageID}), the OS with its end-of-life flag, every vulnerability of every result (CVSS v3 from
 * NVD preferred), the packages when listed, and counts by severity.
 */
public final class TrivyReportParser {
    public static final int SCHEMA_VERSION = 2;

    private final Clock clock;

    public TrivyReportParser(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Now, by the parser's clock: when a report without a time of its own was read. */
    public Instant now() {
        return clock.instant();
    }

    /**
     * @param clusterId the cluster the report is about, or null when it is not tied to one
     * @param source    where it came from: {@code file:<path>} or {@code http}
     */
    public ImageScan parse(JsonNode report, String clusterId, String source) {
        if (report == null || !report.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "a Trivy report must be a JSON object");
        }
        JsonNode version = report.get("SchemaVersion");
        if (version == null || version.isNull()) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "required field 'SchemaVersion' is missing"
                    + " (not a Trivy JSON report?)");
        }
        if (!version.isInt() || version.intValue() != SCHEMA_VERSION) {
            throw new InvalidInputException(ErrorTypes.WRONG_API_VERSION, "SchemaVersion must be " + SCHEMA_VERSION
                    + ", was " + version);
        }
        String artifactName = requiredText(report, "ArtifactName", "");
        String artifactType = optionalText(report, "ArtifactType", "");
        Instant createdAt = optionalTime(report, "CreatedAt", "");
        JsonNode metadata = optionalObject(report, "Metadata", "");
        if (metadata == null) {
            metadata = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }

        ImageReference.Parts fromName = ImageReference.split(artifactName);
        String repository = fromName.name();
        String tag = fromName.tag();
        JsonNode repoTags = optionalArray(metadata, "RepoTags", "Metadata.");
        if (repoTags != null && !repoTags.isEmpty() && repoTags.get(0).isTextual()) {
            ImageReference.Parts tagged = ImageReference.split(repoTags.get(0).asText());
            repository = tagged.name();
            tag = tagged.tag();
        }
        String digest = digest(metadata, fromName);

        List<Vulnerability> vulnerabilities = new ArrayList<>();
        List<InstalledPackage> packages = new ArrayList<>();
        JsonNode results = optionalArray(report, "Results", "");
        if (results != null) {
            for (int r = 0; r < results.size(); r++) {
                readResult(results.get(r), "Results[" + r + "].", vulnerabilities, packages);
            }
        }
        Instant scannedAt = createdAt != null ? createdAt : clock.instant();
        String key = digest != null ? digest : repository != null && tag != null ? repository + ":" + tag : artifactName;
        return ImageScan.newBuilder()
                .setScanId(ImageScans.scanId(key, scannedAt))
                .setClusterId(clusterId)
                .setImageRef(artifactName)
                .setRepository(repository)
                .setTag(tag)
                .setDigest(digest)
                .setArtifactType(artifactType == null ? "container_image" : artifactType)
                .setScanner(Scanner.newBuilder().setName("Trivy").setVendor("Aqua Security")
                        .setVersion(trivyVersion(report)).build())
                .setScannedAt(scannedAt)
                .setOs(operatingSystem(metadata))
                .setWorkload(null)
                .setContainer(null)
                .setVulnerabilities(vulnerabilities)
                .setPackages(packages)
                .setSummary(ImageScans.summarize(vulnerabilities))
                .setSource(source)
                .build();
    }

    /** Newer reports say which Trivy wrote them ({@code "Trivy": {"Version": ...}}); older ones do not. */
    private static String trivyVersion(JsonNode report) {
        JsonNode trivy = optionalObject(report, "Trivy", "");
        return trivy == null ? null : optionalText(trivy, "Version", "Trivy.");
    }

    private static String digest(JsonNode metadata, ImageReference.Parts fromName) {
        JsonNode repoDigests = optionalArray(metadata, "RepoDigests", "Metadata.");
        if (repoDigests != null) {
            for (JsonNode repoDigest : repoDigests) {
                if (repoDigest.isTextual()) {
                    String found = ImageReference.split(repoDigest.asText()).digest();
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        if (fromName.digest() != null) {
            return fromName.digest();
        }
        return optionalText(metadata, "ImageID", "Metadata.");
    }

    private static OperatingSystem operatingSystem(JsonNode metadata) {
        JsonNode os = optionalObject(metadata, "OS", "Metadata.");
        if (os == null) {
            return null;
        }
        JsonNode eosl = os.get("EOSL");
        if (eosl != null && !eosl.isNull() && !eosl.isBoolean()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'Metadata.OS.EOSL' must be true or false");
        }
        return OperatingSystem.newBuilder()
                .setFamily(requiredText(os, "Family", "Metadata.OS."))
                .setName(optionalText(os, "Name", "Metadata.OS."))
                .setEndOfLife(eosl != null && eosl.asBoolean())
                .build();
    }

    private static void readResult(JsonNode result, String path, List<Vulnerability> vulnerabilities,
                                   List<InstalledPackage> packages) {
        if (!result.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + "' must be an object");
        }
        String target = optionalText(result, "Target", path);
        String packageClass = optionalText(result, "Class", path);
        JsonNode found = optionalArray(result, "Vulnerabilities", path);
        if (found != null) {
            for (int v = 0; v < found.size(); v++) {
                vulnerabilities.add(vulnerability(found.get(v), path + "Vulnerabilities[" + v + "].", target, packageClass));
            }
        }
        JsonNode listed = optionalArray(result, "Packages", path);
        if (listed != null) {
            for (int p = 0; p < listed.size(); p++) {
                JsonNode pkg = listed.get(p);
                String pkgPath = path + "Packages[" + p + "].";
                packages.add(InstalledPackage.newBuilder()
                        .setName(requiredText(pkg, "Name", pkgPath))
                        .setVersion(optionalText(pkg, "Version", pkgPath))
                        .setPackageClass(packageClass)
                        .build());
            }
        }
    }

    private static Vulnerability vulnerability(JsonNode node, String path, String target, String packageClass) {
        if (!node.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + "' must be an object");
        }
        return Vulnerability.newBuilder()
                .setId(requiredText(node, "VulnerabilityID", path))
                .setPackageName(requiredText(node, "PkgName", path))
                .setInstalledVersion(requiredText(node, "InstalledVersion", path))
                .setFixedVersion(optionalText(node, "FixedVersion", path))
                .setStatus(optionalText(node, "Status", path))
                .setSeverity(ScanJson.severity(node, "Severity", path))
                .setCvssScore(cvss(node, path))
                .setTitle(optionalText(node, "Title", path))
                .setPrimaryUrl(optionalText(node, "PrimaryURL", path))
                .setTarget(target)
                .setPackageClass(packageClass)
                .build();
    }

    /** CVSS v3 from NVD, else v3 from the severity source, else any v3, else a v2 score in the same order. */
    private static Double cvss(JsonNode node, String path) {
        JsonNode cvss = optionalObject(node, "CVSS", path);
        if (cvss == null) {
            return null;
        }
        String severitySource = optionalText(node, "SeveritySource", path);
        for (String field : List.of("V3Score", "V2Score")) {
            List<String> order = new ArrayList<>();
            order.add("nvd");
            if (severitySource != null) {
                order.add(severitySource);
            }
            for (Map.Entry<String, JsonNode> entry : cvss.properties()) {
                order.add(entry.getKey());
            }
            for (String vendor : order) {
                JsonNode scores = cvss.get(vendor);
                if (scores != null && scores.isObject()) {
                    Double score = optionalNumber(scores, field, path + "CVSS." + vendor + ".");
                    if (score != null) {
                        return score;
                    }
                }
            }
        }
        return null;
    }
}
