package dev.kubeproof.controls.k8s;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kubeproof.contract.image.ImageReference;

/**
 * What a Pod's containers really run: the repository digest the kubelet reports in
 * {@code status.containerStatuses[].imageID} (also init and ephemeral containers), e.g.
 * {@code docker.io/library/nginx@sha256:...} or {@code docker-pullable://nginx@sha256:...}. A bare image id
 * ({@code sha256:...} without a repository) is the local image's config digest, not the pulled manifest's, and is
 * not used.
 */
public final class RunningImages {

    private static final Pattern REPOSITORY_DIGEST = Pattern.compile("@(sha256:[0-9a-f]{64})$");
    private static final List<String> CONTAINER_LISTS = List.of("containers", "initContainers", "ephemeralContainers");
    private static final List<String> STATUS_LISTS = List.of("containerStatuses", "initContainerStatuses",
            "ephemeralContainerStatuses");

    private RunningImages() {
    }

    /** Container name to the digest it runs; empty for kinds other than Pod and before the kubelet reports. */
    public static Map<String, String> digests(JsonNode object) {
        if (!"Pod".equals(object.path("kind").asText())) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String list : STATUS_LISTS) {
            for (JsonNode status : object.path("status").path(list)) {
                Matcher digest = REPOSITORY_DIGEST.matcher(status.path("imageID").asText(""));
                if (digest.find()) {
                    out.put(status.path("name").asText(), digest.group(1));
                }
            }
        }
        return out;
    }

    /**
     * What each container of a Pod runs, as an image reference: its declared repository with the digest it runs
     * ({@code name@sha256:...}, the key a scan of that digest is stored under), by container name.
     */
    public static Map<String, String> references(JsonNode pod) {
        Map<String, String> digests = digests(pod);
        Map<String, String> out = new LinkedHashMap<>();
        for (String list : CONTAINER_LISTS) {
            for (JsonNode container : pod.path("spec").path(list)) {
                String digest = digests.get(container.path("name").asText());
                if (digest != null) {
                    out.put(container.path("name").asText(), reference(container.path("image").asText(""), digest));
                }
            }
        }
        digests.forEach((container, digest) -> out.putIfAbsent(container, "unknown@" + digest));
        return out;
    }

    /** The declared image's repository with the running digest. */
    public static String reference(String declaredImage, String digest) {
        return ImageReference.parse(declaredImage).name() + "@" + digest;
    }
}
