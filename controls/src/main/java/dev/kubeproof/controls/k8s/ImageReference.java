package dev.kubeproof.controls.k8s;

import java.util.Locale;

/**
 * A parsed container image reference with Docker's defaults applied, so that {@code nginx},
 * {@code docker.io/nginx} and {@code index.docker.io/library/nginx} compare equal.
 *
 * @param registry   registry host, {@code docker.io} when none is given
 * @param repository repository path, with {@code library/} for single-name Docker Hub images
 * @param tag        tag, or null when the reference has none
 * @param digest     digest ({@code sha256:...}), or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    private static final String DOCKER_HUB = "docker.io";

    /** Parses a reference as a container's {@code image} field holds it. */
    public static ImageReference parse(String reference) {
        String rest = reference.trim();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        // A colon after the last slash is a tag; before it, a registry port.
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            // Docker's rule: the first component is a registry when it looks like a host.
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first.toLowerCase(Locale.ROOT);
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** {@code registry/repository}, without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /** True when the reference pins a digest. */
    public boolean hasDigest() {
        return digest != null && !digest.isEmpty();
    }

    /** True when {@code prefix} ({@code registry} or {@code registry/path}) covers this image, by path segment. */
    public boolean isUnder(String prefix) {
        String normalized = normalizePrefix(prefix);
        String name = name();
        return name.equals(normalized) || name.startsWith(normalized + "/");
    }

    private static String normalizePrefix(String prefix) {
        String trimmed = prefix.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        // Allow "docker.io/library" and "index.docker.io/..." alike.
        if (trimmed.startsWith("index.docker.io")) {
            trimmed = DOCKER_HUB + trimmed.substring("index.docker.io".length());
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }
}
