package dev.kubeproof.controls.pss;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a namespace's Pod Security Admission labels enforce: {@code pod-security.kubernetes.io/enforce} (the level)
 * and {@code pod-security.kubernetes.io/enforce-version} (the version, {@code latest} when absent).
 *
 * @param level        the label's level as written ({@code privileged}, {@code baseline}, {@code restricted}), or
 *                     null without the label
 * @param version      the version evaluated: the label's, or the latest known when absent or invalid
 * @param versionLabel the version label as written, or null
 */
public record EnforcedPolicy(String level, PssVersion version, String versionLabel) {

    public static final String ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
    public static final String ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

    /** Reads a namespace's labels. */
    public static EnforcedPolicy of(JsonNode labels) {
        JsonNode level = labels.path(ENFORCE_LABEL);
        JsonNode versionLabel = labels.path(ENFORCE_VERSION_LABEL);
        PssVersion version = PssVersion.LATEST;
        if (versionLabel.isTextual()) {
            try {
                version = PssVersion.parse(versionLabel.asText());
            } catch (IllegalArgumentException e) {
                version = PssVersion.LATEST;
            }
        }
        return new EnforcedPolicy(level.isTextual() ? level.asText() : null, version,
                versionLabel.isTextual() ? versionLabel.asText() : null);
    }

    /** The level when it restricts anything (baseline or restricted). */
    public Optional<PssLevel> restrictingLevel() {
        try {
            return level == null ? Optional.empty() : Optional.of(PssLevel.parse(level));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * How admission names it, with the version evaluated when the label does not say it: {@code restricted:v1.30},
     * {@code restricted:latest (v1.35)}, {@code baseline:latest (v1.35; no enforce-version label)}.
     */
    public String describe() {
        if (versionLabel == null) {
            return level + ":latest (" + version + "; no enforce-version label)";
        }
        return level + ":" + versionLabel + (version.toString().equals(versionLabel) ? "" : " (" + version + ")");
    }
}
