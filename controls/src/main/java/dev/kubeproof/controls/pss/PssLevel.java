package dev.kubeproof.controls.pss;

import java.util.Locale;

/** The two Pod Security Standards levels that restrict anything; privileged is the absence of checks. */
public enum PssLevel {
    BASELINE, RESTRICTED;

    /** The level as the standard and the namespace labels write it: {@code baseline}, {@code restricted}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a label; {@code privileged} and anything else are refused with the accepted values. */
    public static PssLevel parse(String text) {
        for (PssLevel level : values()) {
            if (level.label().equals(text)) {
                return level;
            }
        }
        throw new IllegalArgumentException("Pod Security Standards level '" + text + "' is not one of baseline, restricted");
    }
}
