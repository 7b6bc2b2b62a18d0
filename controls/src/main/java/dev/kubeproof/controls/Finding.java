package dev.kubeproof.controls;

/**
 * Exactly what and where: one offending field.
 *
 * @param path      field path in the object, e.g. {@code spec.containers[0].securityContext.privileged}
 * @param container container name for container-level findings, else null
 * @param value     the offending value as JSON text, or null when the field is missing
 * @param message   what is wrong with it
 */
public record Finding(String path, String container, String value, String message) {
}
