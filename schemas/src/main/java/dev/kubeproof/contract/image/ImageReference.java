package dev.kubeproof.contract.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.kubeproof.avro.ImageScan;

/**
 * kubeproof's one container image reference parser, with Docker's defaults applied, so that {@code nginx},
 * {@code docker.io/nginx} and {@code index.docker.io/library/nginx} compare equal: a registry host is the first path
 * component when it looks like a host ({@code .}, {@code :} or {@code localhost}), else {@code docker.io}; Docker
 * Hub's aliases become {@code docker.io}; official images get {@code library/}. The controls judge references with
 * it, the evidence topology joins containers with scans by its {@link #lookupKey()}, and the scan collector splits
 * scanned artifacts with {@link #split}.
 *
 * @param registry   registry host in lower case, {@code docker.io} when none is given
 * @param repository repository path, with {@code library/} for single-name Docker Hub images
 * @param tag        tag, or null when the reference has none
 * @param digest     digest ({@code sha256:...}), or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    private static final String DOCKER_HUB = "docker.io";

    /**
     * A reference as written, split without normalising: the name (registry and repository as given), the tag and
     * the digest, each null when absent. A colon only starts a tag after the last slash ({@code registry:5000/app}
     * has none).
     */
    public record Parts(String name, String tag, String digest) {
    }

    /** Splits {@code reference} as written; see {@link Parts}. */
    public static Parts split(String reference) {
        String name = reference.trim();
        String digest = null;
        int at = name.indexOf('@');
        if (at >= 0) {
            digest = name.substring(at + 1);
            name = name.substring(0, at);
        }
        String tag = null;
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            tag = name.substring(colon + 1);
            name = name.substring(0, colon);
        }
        return new Parts(name.isEmpty() ? null : name, tag == null || tag.isEmpty() ? null : tag,
                digest == null || digest.isEmpty() ? null : digest);
    }

    /** Parses a reference as a container's {@code image} field holds it. */
    public static ImageReference parse(String reference) {
        Parts parts = split(reference);
        String rest = parts.name() == null ? "" : parts.name();
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
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
        return new ImageReference(registry, rest, parts.tag(), parts.digest());
    }

    /** {@code registry/repository}, without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /** True when the reference pins a digest. */
    public boolean hasDigest() {
        return digest != null && !digest.isEmpty();
    }

    /**
     * The key under which a container's image meets its scan: {@code @sha256:...} when it pins a digest (a digest
     * identifies content on its own), else {@code registry/repository:tag} with {@code latest} for a missing tag.
     */
    public String lookupKey() {
        return hasDigest() ? "@" + digest : name() + ":" + (tag == null ? "latest" : tag);
    }

    /** The lookup key of a container's {@code image}; none for a blank one. */
    public static List<String> lookupKeys(String image) {
        return image == null || image.isBlank() ? List.of() : List.of(parse(image).lookupKey());
    }

    /** Every key a scan is found under: its digest and its repository:tag, whichever it has. */
    public static List<String> lookupKeys(ImageScan scan) {
        List<String> keys = new ArrayList<>();
        if (scan.getDigest() != null && !scan.getDigest().isBlank()) {
            keys.add("@" + scan.getDigest());
        }
        if (scan.getRepository() != null && scan.getTag() != null) {
            keys.add(parse(scan.getRepository() + ":" + scan.getTag()).lookupKey());
        } else if (scan.getImageRef() != null && !scan.getImageRef().isBlank()) {
            ImageReference scanned = parse(scan.getImageRef());
            String key = scanned.hasDigest() ? "@" + scanned.digest() : scanned.lookupKey();
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        return keys;
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
        if (trimmed.startsWith("index.docker.io")) {
            trimmed = DOCKER_HUB + trimmed.substring("index.docker.io".length());
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }
}
