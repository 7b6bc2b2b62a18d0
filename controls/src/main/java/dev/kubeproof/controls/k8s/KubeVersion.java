package dev.kubeproof.controls.k8s;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes major.minor version, parsed leniently from what nodes report ({@code v1.29.3-eks-1234},
 * {@code v1.30.1+k3s1}) or configuration gives ({@code 1.30}).
 */
public record KubeVersion(int major, int minor) implements Comparable<KubeVersion> {

    private static final Pattern VERSION = Pattern.compile("^v?(\\d+)\\.(\\d+)(?:[.+-].*)?$");

    public static Optional<KubeVersion> parse(String text) {
        Matcher matcher = VERSION.matcher(text == null ? "" : text.trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new KubeVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2))));
    }

    @Override
    public int compareTo(KubeVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
