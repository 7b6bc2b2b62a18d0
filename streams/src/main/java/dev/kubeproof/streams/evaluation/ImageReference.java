package dev.kubeproof.streams.evaluation;

import java.util.ArrayList;
import java.util.List;

import dev.kubeproof.avro.ImageScan;

/**
 * Normalised image references, so that a container's {@code nginx:1.25} and a scan of
 * {@code index.docker.io/library/nginx:1.25} meet: Docker Hub's host aliases become {@code docker.io}, official
 * images get {@code library/}, a missing tag means {@code latest}. A digest identifies content on its own.
 */
public final class ImageReference {
    private static final String DOCKER_HUB = "docker.io";

    private ImageReference() {
    }

    /**
     * Lookup keys of a reference as a container writes it: {@code @sha256:...} when it pins a digest, else
     * {@code repository:tag}.
     */
    public static List<String> keysOf(String image) {
        if (image == null || image.isBlank()) {
            return List.of();
        }
        String reference = image.trim();
        int at = reference.indexOf('@');
        if (at >= 0) {
            return List.of("@" + reference.substring(at + 1));
        }
        int slash = reference.lastIndexOf('/');
        int colon = reference.lastIndexOf(':');
        String repository = colon > slash ? reference.substring(0, colon) : reference;
        String tag = colon > slash ? reference.substring(colon + 1) : "latest";
        return List.of(normaliseRepository(repository) + ":" + tag);
    }

    /** Lookup keys under which a scan is found: its digest and its repository:tag, whichever it has. */
    public static List<String> keysOf(ImageScan scan) {
        List<String> keys = new ArrayList<>();
        if (scan.getDigest() != null && !scan.getDigest().isBlank()) {
            keys.add("@" + scan.getDigest());
        }
        if (scan.getRepository() != null && scan.getTag() != null) {
            keys.add(normaliseRepository(scan.getRepository()) + ":" + scan.getTag());
        } else {
            for (String key : keysOf(scan.getImageRef())) {
                if (!keys.contains(key)) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    static String normaliseRepository(String repository) {
        String[] parts = repository.split("/", 2);
        boolean hasRegistry = parts.length == 2
                && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"));
        String registry = hasRegistry ? parts[0] : DOCKER_HUB;
        String path = hasRegistry ? parts[1] : repository;
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        return registry + "/" + path;
    }
}
