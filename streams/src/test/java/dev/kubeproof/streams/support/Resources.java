package dev.kubeproof.streams.support;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.OperatingSystem;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.avro.Scanner;
import dev.kubeproof.avro.SeveritySummary;

/** Builds Kubernetes objects and the ResourceChanges that carry them, for tests. */
public final class Resources {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Resources() {
    }

    /** A Pod with one container per image; the first container privileged when asked. */
    public static ObjectNode pod(String namespace, String name, String uid, boolean privileged, String... images) {
        ObjectNode pod = metadata("v1", "Pod", namespace, name, uid);
        ObjectNode spec = pod.putObject("spec");
        fillPodSpec(spec, privileged, images);
        return pod;
    }

    /** A Deployment whose pod template has one container per image. */
    public static ObjectNode deployment(String namespace, String name, String uid, boolean privileged, String... images) {
        ObjectNode deployment = metadata("apps/v1", "Deployment", namespace, name, uid);
        ObjectNode spec = deployment.putObject("spec");
        spec.put("replicas", 2);
        spec.putObject("selector").putObject("matchLabels").put("app", name);
        ObjectNode template = spec.putObject("template");
        template.putObject("metadata").putObject("labels").put("app", name);
        fillPodSpec(template.putObject("spec"), privileged, images);
        return deployment;
    }

    public static ObjectNode namespace(String name, String uid) {
        return metadata("v1", "Namespace", null, name, uid);
    }

    public static ObjectNode networkPolicy(String namespace, String name, String uid) {
        ObjectNode policy = metadata("networking.k8s.io/v1", "NetworkPolicy", namespace, name, uid);
        ObjectNode spec = policy.putObject("spec");
        spec.putObject("podSelector");
        spec.putArray("policyTypes").add("Ingress").add("Egress");
        return policy;
    }

    private static void fillPodSpec(ObjectNode spec, boolean privileged, String... images) {
        ArrayNode containers = spec.putArray("containers");
        for (int i = 0; i < images.length; i++) {
            ObjectNode container = containers.addObject();
            container.put("name", "c" + i);
            container.put("image", images[i]);
            if (i == 0 && privileged) {
                container.putObject("securityContext").put("privileged", true);
            }
        }
    }

    private static ObjectNode metadata(String apiVersion, String kind, String namespace, String name, String uid) {
        ObjectNode object = JSON.createObjectNode();
        object.put("apiVersion", apiVersion);
        object.put("kind", kind);
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", name);
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        metadata.put("uid", uid);
        metadata.put("resourceVersion", "1");
        return object;
    }

    /** The ResourceChange of an object, as the collector would publish it. */
    public static ResourceChange change(String clusterId, ChangeType type, ObjectNode object, String resourceVersion,
                                       Instant observedAt) {
        ((ObjectNode) object.get("metadata")).put("resourceVersion", resourceVersion);
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        metadata.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return ResourceChange.newBuilder()
                .setClusterId(clusterId)
                .setApiVersion(object.get("apiVersion").asText())
                .setKind(object.get("kind").asText())
                .setNamespace(metadata.hasNonNull("namespace") ? metadata.get("namespace").asText() : null)
                .setName(metadata.get("name").asText())
                .setUid(metadata.get("uid").asText())
                .setResourceVersion(resourceVersion)
                .setChangeType(type)
                .setObservedAt(observedAt)
                .setLabels(labels)
                .setOwnerReferences(List.of())
                .setObject(object.toString())
                .build();
    }

    /** Adds labels to an object. */
    public static ObjectNode labelled(ObjectNode object, Map<String, String> labels) {
        ObjectNode target = ((ObjectNode) object.get("metadata")).putObject("labels");
        labels.forEach(target::put);
        return object;
    }

    /** The topic key of a resource change: cluster/kind/namespace/name. */
    public static String key(ResourceChange change) {
        return change.getClusterId() + "/" + change.getKind() + "/"
                + (change.getNamespace() == null ? "" : change.getNamespace()) + "/" + change.getName();
    }

    /** A Trivy-like scan of an image with the given number of critical vulnerabilities. */
    public static ImageScan scan(String scanId, String imageRef, String repository, String tag, int critical,
                                 Instant scannedAt) {
        return ImageScan.newBuilder()
                .setScanId(scanId)
                .setImageRef(imageRef)
                .setRepository(repository)
                .setTag(tag)
                .setScanner(Scanner.newBuilder().setName("Trivy").build())
                .setScannedAt(scannedAt)
                .setOs(OperatingSystem.newBuilder().setFamily("alpine").setName("3.20").setEndOfLife(false).build())
                .setVulnerabilities(List.of())
                .setPackages(List.of())
                .setSummary(SeveritySummary.newBuilder().setCritical(critical).build())
                .setSource("file:test")
                .build();
    }
}
