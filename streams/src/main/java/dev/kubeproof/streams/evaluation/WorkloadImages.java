package dev.kubeproof.streams.evaluation;

import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.controls.k8s.RunningImages;

/**
 * The images an object's containers run: Pods, workload templates and CronJob job templates, and for a Pod also the
 * repository digests its kubelet reports running ({@code status.*containerStatuses[].imageID}), so that a scan of a
 * digest re-evaluates every Pod running it.
 */
public final class WorkloadImages {
    private static final String[] CONTAINER_LISTS = {"containers", "initContainers", "ephemeralContainers"};

    private WorkloadImages() {
    }

    public static Set<String> of(JsonNode object) {
        Set<String> images = new LinkedHashSet<>();
        if (object == null) {
            return images;
        }
        JsonNode spec = object.path("spec");
        collect(spec, images);
        collect(spec.path("template").path("spec"), images);
        collect(spec.path("jobTemplate").path("spec").path("template").path("spec"), images);
        if ("Pod".equals(object.path("kind").asText())) {
            images.addAll(RunningImages.references(object).values());
        }
        return images;
    }

    private static void collect(JsonNode podSpec, Set<String> images) {
        for (String list : CONTAINER_LISTS) {
            for (JsonNode container : podSpec.path(list)) {
                String image = container.path("image").asText("");
                if (!image.isBlank()) {
                    images.add(image);
                }
            }
        }
    }
}
