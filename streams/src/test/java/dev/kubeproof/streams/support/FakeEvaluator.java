package dev.kubeproof.streams.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.controls.ClusterView;
import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.Evaluator;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.Severity;
import dev.kubeproof.controls.Status;

/**
 * A three-control evaluator for the topology's mechanics, independent of the real catalog: privileged pods (not
 * applicable without containers),
 * namespaces without a NetworkPolicy, and pods running images with critical vulnerabilities. It throws for
 * objects labelled {@code explode}, to exercise the topology's handling of an evaluator that breaks its contract.
 */
public final class FakeEvaluator implements Evaluator {
    public static final ControlDefinition PRIVILEGED = control("TEST-POD-001", "No privileged containers",
            Severity.HIGH, List.of("Pod", "Deployment"), List.of());
    public static final ControlDefinition NETWORK_POLICY = control("TEST-NS-001", "Namespace has a NetworkPolicy",
            Severity.MEDIUM, List.of("Namespace"), List.of("NetworkPolicy"));
    public static final ControlDefinition SCANNED = control("TEST-IMG-001", "Images free of critical vulnerabilities",
            Severity.CRITICAL, List.of("Pod"), List.of("ImageScan"));

    private static ControlDefinition control(String id, String title, Severity severity, List<String> appliesTo,
                                             List<String> dependsOn) {
        return new ControlDefinition(id, 2, title, title + ".", severity, "deploy", "test", appliesTo, dependsOn,
                Map.of("cis", List.of("5.2.1")), "Fix " + id + ".", List.of("https://example.test/" + id), true, null, false);
    }

    @Override
    public List<ControlDefinition> controls() {
        return List.of(PRIVILEGED, NETWORK_POLICY, SCANNED);
    }

    @Override
    public List<ControlResult> evaluate(JsonNode object, ClusterView view) {
        if (object.path("metadata").path("labels").has("explode")) {
            throw new IllegalStateException("boom: the evaluator broke");
        }
        String kind = object.path("kind").asText();
        List<ControlResult> results = new ArrayList<>();
        if (PRIVILEGED.appliesTo().contains(kind)) {
            results.add(privileged(object));
        }
        if (NETWORK_POLICY.appliesTo().contains(kind)) {
            String namespace = object.path("metadata").path("name").asText();
            results.add(view.objects("NetworkPolicy", namespace).isEmpty()
                    ? new ControlResult(NETWORK_POLICY, Status.FAIL, "namespace " + namespace + " has no NetworkPolicy",
                    List.of(new Finding("metadata.name", null, "\"" + namespace + "\"", "no NetworkPolicy")))
                    : new ControlResult(NETWORK_POLICY, Status.PASS, "namespace " + namespace + " has a NetworkPolicy",
                    List.of()));
        }
        if (SCANNED.appliesTo().contains(kind)) {
            results.add(scanned(object, view));
        }
        return results;
    }

    private static ControlResult privileged(JsonNode object) {
        JsonNode spec = object.path("kind").asText().equals("Pod") ? object.path("spec")
                : object.path("spec").path("template").path("spec");
        if (spec.path("containers").isEmpty()) {
            return new ControlResult(PRIVILEGED, Status.NOT_APPLICABLE, "no containers", List.of());
        }
        List<Finding> findings = new ArrayList<>();
        int index = 0;
        for (JsonNode container : spec.path("containers")) {
            if (container.path("securityContext").path("privileged").asBoolean(false)) {
                findings.add(new Finding("spec.containers[" + index + "].securityContext.privileged",
                        container.path("name").asText(), "true", "container runs privileged"));
            }
            index++;
        }
        return findings.isEmpty()
                ? new ControlResult(PRIVILEGED, Status.PASS, "no container runs privileged", List.of())
                : new ControlResult(PRIVILEGED, Status.FAIL, "container " + findings.get(0).container()
                + " runs privileged", findings);
    }

    private static ControlResult scanned(JsonNode object, ClusterView view) {
        for (JsonNode container : object.path("spec").path("containers")) {
            String image = container.path("image").asText();
            Optional<ImageScan> scan = view.imageScan(image);
            if (scan.isEmpty()) {
                return new ControlResult(SCANNED, Status.NOT_APPLICABLE, "image " + image + " not scanned yet", List.of());
            }
            if (scan.get().getSummary().getCritical() > 0) {
                return new ControlResult(SCANNED, Status.FAIL, "image " + image + " has critical vulnerabilities",
                        List.of(new Finding("spec.containers[0].image", container.path("name").asText(),
                                "\"" + image + "\"", scan.get().getSummary().getCritical() + " critical")));
            }
        }
        return new ControlResult(SCANNED, Status.PASS, "all images scanned without critical vulnerabilities", List.of());
    }

    @Override
    public Set<String> kindsToReevaluate(String changedKind) {
        return switch (changedKind) {
            case "NetworkPolicy" -> Set.of("Namespace");
            case "ImageScan" -> Set.of("Pod");
            default -> Set.of();
        };
    }
}
