package dev.kubeproof.ingest.scans;

import static dev.kubeproof.ingest.scans.ScanJson.optionalArray;
import static dev.kubeproof.ingest.scans.ScanJson.optionalNumber;
import static dev.kubeproof.ingest.scans.ScanJson.optionalObject;
import static dev.kubeproof.ingest.scans.ScanJson.optionalText;
import static dev.kubeproof.ingest.scans.ScanJson.optionalTime;
import static dev.kubeproof.ingest.scans.ScanJson.requiredText;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.OperatingSystem;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.avro.Scanner;
import dev.kubeproof.avro.SeveritySummary;
import dev.kubeproof.avro.Vulnerability;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

/**
 * Reads Trivy Operator {@code VulnerabilityReport}s ({@code aquasecurity.github.io/v1alpha1}) into
 * {@link ImageScan}s: the image from {@code report.registry} and {@code report.artifact}, the workload and container
 * from the {@code trivy-operator.*} labels (API version and uid from the matching owner reference), and the
 * findings. Used by the resource informers (the CRD is watched there) and by the scan collector for reports
 * posted or dropped as files.
 *
 * <p>Publish with {@code publisher.publish(topics.imageScans(), ImageScans.keyOf(scan), scan)}.
 */
public final class TrivyOperatorReports {
    public static final String API_VERSION = "aquasecurity.github.io/v1alpha1";
    public static final String KIND = "VulnerabilityReport";
    public static final String SOURCE = "trivy-operator";

    static final String LABEL_KIND = "trivy-operator.resource.kind";
    static final String LABEL_NAME = "trivy-operator.resource.name";
    static final String LABEL_NAMESPACE = "trivy-operator.resource.namespace";
    static final String LABEL_CONTAINER = "trivy-operator.container.name";

    /** Where kinds the operator scans live when no owner reference says it. */
    private static final Map<String, String> API_VERSIONS = Map.of("Pod", "v1", "ReplicationController", "v1",
            "ReplicaSet", "apps/v1", "Deployment", "apps/v1", "StatefulSet", "apps/v1", "DaemonSet", "apps/v1",
            "Job", "batch/v1", "CronJob", "batch/v1");

    private TrivyOperatorReports() {
    }

    /** Whether a Kubernetes object is a VulnerabilityReport (by apiVersion group and kind). */
    public static boolean isVulnerabilityReport(JsonNode object) {
        return object != null && KIND.equals(object.path("kind").asText())
                && object.path("apiVersion").asText().startsWith("aquasecurity.github.io/");
    }

    /**
     * @param report    the VulnerabilityReport object as JSON (e.g. from fabric8's {@code GenericKubernetesResource})
     * @param clusterId the cluster it was read from
     * @throws InvalidInputException when it is not a readable VulnerabilityReport (dead-letter it with
     *                               {@link InvalidInputException#errorType()})
     */
    public static ImageScan toImageScan(JsonNode report, String clusterId) {
        return toImageScan(report, clusterId, SOURCE);
    }

    static ImageScan toImageScan(JsonNode object, String clusterId, String source) {
        if (object == null || !object.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "a VulnerabilityReport must be a JSON object");
        }
        if (clusterId == null || clusterId.isEmpty()) {
            throw new IllegalArgumentException("clusterId must be set");
        }
        String kind = optionalText(object, "kind", "");
        if (!KIND.equals(kind)) {
            throw new InvalidInputException(ErrorTypes.WRONG_KIND, "kind must be " + KIND + ", was "
                    + (kind == null ? "missing" : "'" + kind + "'"));
        }
        String apiVersion = optionalText(object, "apiVersion", "");
        if (!API_VERSION.equals(apiVersion)) {
            throw new InvalidInputException(ErrorTypes.WRONG_API_VERSION, "apiVersion must be " + API_VERSION + ", was "
                    + (apiVersion == null ? "missing" : "'" + apiVersion + "'"));
        }
        JsonNode metadata = optionalObject(object, "metadata", "");
        if (metadata == null) {
            metadata = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        JsonNode report = optionalObject(object, "report", "");
        if (report == null) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "required field 'report' is missing");
        }
        JsonNode artifact = optionalObject(report, "artifact", "report.");
        if (artifact == null) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "required field 'report.artifact' is missing");
        }
        String repositoryPath = requiredText(artifact, "repository", "report.artifact.");
        String tag = optionalText(artifact, "tag", "report.artifact.");
        String digest = optionalText(artifact, "digest", "report.artifact.");
        JsonNode registry = optionalObject(report, "registry", "report.");
        String server = registry == null ? null : optionalText(registry, "server", "report.registry.");
        String repository = server == null ? repositoryPath : server + "/" + repositoryPath;
        String imageRef = repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);

        Instant scannedAt = optionalTime(report, "updateTimestamp", "report.");
        if (scannedAt == null) {
            scannedAt = optionalTime(metadata, "creationTimestamp", "metadata.");
        }
        if (scannedAt == null) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "required field 'report.updateTimestamp' is missing");
        }

        List<Vulnerability> vulnerabilities = new ArrayList<>();
        JsonNode found = optionalArray(report, "vulnerabilities", "report.");
        if (found != null) {
            for (int i = 0; i < found.size(); i++) {
                vulnerabilities.add(vulnerability(found.get(i), "report.vulnerabilities[" + i + "]."));
            }
        }
        JsonNode scannerNode = optionalObject(report, "scanner", "report.");
        Scanner scanner = Scanner.newBuilder()
                .setName(scannerNode == null || optionalText(scannerNode, "name", "report.scanner.") == null ? "Trivy"
                        : optionalText(scannerNode, "name", "report.scanner."))
                .setVendor(scannerNode == null ? null : optionalText(scannerNode, "vendor", "report.scanner."))
                .setVersion(scannerNode == null ? null : optionalText(scannerNode, "version", "report.scanner."))
                .build();
        Map<String, String> labels = labels(metadata);
        String key = digest != null ? digest : tag != null ? repository + ":" + tag : imageRef;
        return ImageScan.newBuilder()
                .setScanId(ImageScans.scanId(key, scannedAt))
                .setClusterId(clusterId)
                .setImageRef(imageRef)
                .setRepository(repository)
                .setTag(tag)
                .setDigest(digest)
                .setArtifactType("container_image")
                .setScanner(scanner)
                .setScannedAt(scannedAt)
                .setOs(operatingSystem(report))
                .setWorkload(workload(metadata, labels, clusterId))
                .setContainer(labels.get(LABEL_CONTAINER))
                .setVulnerabilities(vulnerabilities)
                .setPackages(List.of())
                .setSummary(summary(report, vulnerabilities))
                .setSource(source)
                .build();
    }

    private static Vulnerability vulnerability(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + "' must be an object");
        }
        return Vulnerability.newBuilder()
                .setId(requiredText(node, "vulnerabilityID", path))
                .setPackageName(requiredText(node, "resource", path))
                .setInstalledVersion(requiredText(node, "installedVersion", path))
                .setFixedVersion(optionalText(node, "fixedVersion", path))
                .setStatus(optionalText(node, "status", path))
                .setSeverity(ScanJson.severity(node, "severity", path))
                .setCvssScore(optionalNumber(node, "score", path))
                .setTitle(optionalText(node, "title", path))
                .setPrimaryUrl(optionalText(node, "primaryLink", path))
                .setTarget(optionalText(node, "target", path))
                .setPackageClass(optionalText(node, "class", path))
                .build();
    }

    private static OperatingSystem operatingSystem(JsonNode report) {
        JsonNode os = optionalObject(report, "os", "report.");
        if (os == null || optionalText(os, "family", "report.os.") == null) {
            return null;
        }
        JsonNode eosl = os.get("eosl");
        return OperatingSystem.newBuilder()
                .setFamily(optionalText(os, "family", "report.os."))
                .setName(optionalText(os, "name", "report.os."))
                .setEndOfLife(eosl != null && eosl.asBoolean(false))
                .build();
    }

    private static Map<String, String> labels(JsonNode metadata) {
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode node = optionalObject(metadata, "labels", "metadata.");
        if (node != null) {
            node.properties().forEach(entry -> {
                if (entry.getValue().isTextual()) {
                    labels.put(entry.getKey(), entry.getValue().asText());
                }
            });
        }
        return labels;
    }

    private static ResourceRef workload(JsonNode metadata, Map<String, String> labels, String clusterId) {
        String kind = labels.get(LABEL_KIND);
        String name = labels.get(LABEL_NAME);
        if (kind == null || name == null) {
            return null;
        }
        String apiVersion = API_VERSIONS.getOrDefault(kind, "v1");
        String uid = "";
        JsonNode owners = optionalArray(metadata, "ownerReferences", "metadata.");
        if (owners != null) {
            for (JsonNode owner : owners) {
                if (kind.equals(owner.path("kind").asText()) && name.equals(owner.path("name").asText())) {
                    apiVersion = owner.path("apiVersion").asText(apiVersion);
                    uid = owner.path("uid").asText("");
                }
            }
        }
        Map<String, String> ownerLabels = new LinkedHashMap<>();
        labels.forEach((key, value) -> {
            if (key.startsWith("trivy-operator.")) {
                ownerLabels.put(key, value);
            }
        });
        int slash = apiVersion.indexOf('/');
        return ResourceRef.newBuilder()
                .setClusterId(clusterId)
                .setApiGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                .setApiVersion(apiVersion)
                .setKind(kind)
                .setNamespace(labels.get(LABEL_NAMESPACE))
                .setName(name)
                .setUid(uid)
                .setResourceVersion(null)
                .setOwnerLabels(ownerLabels)
                .build();
    }

    /** The report's own counts when it has them (they cover findings the list may leave out), else counted. */
    private static SeveritySummary summary(JsonNode report, List<Vulnerability> vulnerabilities) {
        JsonNode summary = optionalObject(report, "summary", "report.");
        if (summary == null) {
            return ImageScans.summarize(vulnerabilities);
        }
        return SeveritySummary.newBuilder()
                .setCritical(count(summary, "criticalCount"))
                .setHigh(count(summary, "highCount"))
                .setMedium(count(summary, "mediumCount"))
                .setLow(count(summary, "lowCount"))
                .setUnknown(count(summary, "unknownCount") + count(summary, "noneCount"))
                .build();
    }

    private static int count(JsonNode summary, String field) {
        Double value = optionalNumber(summary, field, "report.summary.");
        return value == null ? 0 : value.intValue();
    }
}
