package dev.kubeproof.controls.pss;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.kubeproof.controls.k8s.KubeVersion;

/**
 * A version of the Pod Security Standards, as {@code pod-security.kubernetes.io/enforce-version} writes it
 * ({@code v1.30} or {@code latest}). kubeproof knows the standard from {@link #OLDEST} to {@link #LATEST}; like Pod
 * Security Admission, a newer version is evaluated as the latest one known.
 */
public record PssVersion(int minor) implements Comparable<PssVersion> {

    /** The oldest version kubeproof evaluates exactly (Pod Security Admission became beta, on by default). */
    public static final PssVersion OLDEST = new PssVersion(23);
    /** The newest version whose checks kubeproof knows; {@code latest} means this one. */
    public static final PssVersion LATEST = new PssVersion(35);

    public static PssVersion of(int minor) {
        return new PssVersion(minor);
    }

    /** {@code latest}, {@code v1.30} or {@code 1.30}; older than {@link #OLDEST} is refused, newer is capped. */
    public static PssVersion parse(String text) {
        if ("latest".equals(text)) {
            return LATEST;
        }
        Optional<KubeVersion> parsed = KubeVersion.parse(text);
        if (parsed.isEmpty() || parsed.get().major() != 1 || text.trim().split("\\.").length != 2) {
            throw new IllegalArgumentException("Pod Security Standards version '" + text
                    + "' is not 'latest' or a version like v1.30");
        }
        PssVersion version = new PssVersion(parsed.get().minor());
        if (version.compareTo(OLDEST) < 0) {
            throw new IllegalArgumentException("Pod Security Standards version " + version + " is older than "
                    + OLDEST + ", the oldest kubeproof evaluates");
        }
        return version.compareTo(LATEST) > 0 ? LATEST : version;
    }

    /** Every version kubeproof evaluates, oldest first. */
    public static List<PssVersion> supported() {
        List<PssVersion> out = new ArrayList<>();
        for (int minor = OLDEST.minor; minor <= LATEST.minor; minor++) {
            out.add(new PssVersion(minor));
        }
        return out;
    }

    public boolean atLeast(PssVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(PssVersion other) {
        return Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return "v1." + minor;
    }
}
