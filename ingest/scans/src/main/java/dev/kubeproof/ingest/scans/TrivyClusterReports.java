package dev.kubeproof.ingest.scans;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

/**
 * Reads a Trivy Kubernetes cluster report ({@code trivy k8s --format json --report all}) into one image scan per
 * image: the report lists resources ({@code Resources}; older Trivy wrote {@code Vulnerabilities} and
 * {@code Misconfigurations} lists), each with its results; an OS-package result's target names the image
 * ({@code nginx:1.25 (debian 12.1)}) and the language-package results after it belong to the same image. Each image
 * is rebuilt as a Trivy image report and read by {@link TrivyReportParser}, so both paths judge the same way. An
 * image used by several workloads is one scan. Misconfiguration results are not image scans: {@link
 * TrivyMisconfigurations} keeps them as scanner findings.
 */
public final class TrivyClusterReports {

    private static final Pattern TARGET = Pattern.compile("^(\\S+) \\((.+)\\)$");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TrivyClusterReports() {
    }

    /** True for a {@code trivy k8s} JSON report. */
    public static boolean isClusterReport(JsonNode node) {
        return node != null && node.isObject() && node.has("ClusterName")
                && (node.has("Resources") || node.has("Vulnerabilities") || node.has("Misconfigurations"));
    }

    /**
     * @param clusterId the cluster to file the scans under; null takes the report's {@code ClusterName}
     * @param source    where the report came from ({@code file:...}, {@code http})
     */
    public static List<ImageScan> toImageScans(JsonNode report, TrivyReportParser parser, String clusterId, String source) {
        String cluster = clusterId != null ? clusterId : report.path("ClusterName").asText(null);
        JsonNode resources = report.has("Resources") ? report.get("Resources") : report.path("Vulnerabilities");
        if (!resources.isArray() && !resources.isMissingNode() && !resources.isNull()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'Resources' must be an array");
        }
        Map<String, ObjectNode> images = new LinkedHashMap<>();
        for (int r = 0; r < resources.size(); r++) {
            collectImages(resources.get(r), "Resources[" + r + "]", images);
        }
        List<ImageScan> scans = new ArrayList<>();
        for (ObjectNode image : images.values()) {
            scans.add(parser.parse(image, cluster, source));
        }
        return scans;
    }

    private static void collectImages(JsonNode resource, String path, Map<String, ObjectNode> images) {
        if (!resource.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + path + "' must be an object");
        }
        JsonNode metadata = resource.path("Metadata");
        ObjectNode current = null;
        JsonNode results = resource.path("Results");
        for (int i = 0; i < results.size(); i++) {
            JsonNode result = results.get(i);
            if ("config".equals(result.path("Class").asText()) || "secret".equals(result.path("Class").asText())) {
                continue;
            }
            Matcher target = TARGET.matcher(result.path("Target").asText(""));
            if ("os-pkgs".equals(result.path("Class").asText()) && target.matches()) {
                String reference = target.group(1);
                current = images.get(reference);
                if (current == null) {
                    current = imageReport(reference, result.path("Type").asText(null), target.group(2), imageMetadata(metadata, reference));
                    images.put(reference, current);
                } else {
                    current = null; // already read from another workload running the same image
                    continue;
                }
            } else if (current == null) {
                JsonNode only = metadata.isArray() && metadata.size() == 1 ? metadata.get(0) : null;
                String reference = only == null ? null : firstText(only.path("RepoTags"));
                if (reference == null || images.containsKey(reference)) {
                    continue; // a language-package result of an image already read, or of none named
                }
                current = imageReport(reference, null, null, only);
                images.put(reference, current);
            }
            ((ArrayNode) current.get("Results")).add(result);
        }
    }

    /** The resource's metadata entry of an image (Trivy lists one per image of the workload), when it names it. */
    private static JsonNode imageMetadata(JsonNode metadata, String reference) {
        for (JsonNode entry : metadata) {
            for (JsonNode tag : entry.path("RepoTags")) {
                if (reference.equals(tag.asText())) {
                    return entry;
                }
            }
        }
        return metadata.isArray() && metadata.size() == 1 ? metadata.get(0) : null;
    }

    private static ObjectNode imageReport(String reference, String osFamily, String osName, JsonNode imageMetadata) {
        ObjectNode report = NODES.objectNode();
        report.put("SchemaVersion", TrivyReportParser.SCHEMA_VERSION);
        report.put("ArtifactName", reference);
        report.put("ArtifactType", "container_image");
        ObjectNode metadata = report.putObject("Metadata");
        if (imageMetadata != null && imageMetadata.isObject()) {
            for (String field : List.of("ImageID", "RepoDigests", "OS")) {
                if (imageMetadata.has(field)) {
                    metadata.set(field, imageMetadata.get(field));
                }
            }
        }
        if (!metadata.has("OS") && osFamily != null) {
            ObjectNode os = metadata.putObject("OS");
            os.put("Family", osFamily);
            String[] words = osName.split(" ", 2);
            os.put("Name", words.length == 2 ? words[1] : osName);
        }
        report.putArray("Results");
        return report;
    }

    private static String firstText(JsonNode array) {
        return array.isArray() && !array.isEmpty() && array.get(0).isTextual() ? array.get(0).asText() : null;
    }
}
