package dev.kubeproof.ingest.audit;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.kubeproof.contract.redaction.CredentialValues;

/**
 * Which request and response bodies the audit collector drops besides the ones it always drops (Secrets,
 * TokenReviews, TokenRequests: they carry credentials).
 *
 * @param kinds extra kinds or resources, e.g. {@code ConfigMap} or {@code configmaps}; matched case-insensitively
 *              against the body's {@code kind} and the event's {@code objectRef.resource}
 */
public record RedactionConfig(
        @JsonPropertyDescription("Extra kinds or resources, e.g. ConfigMap or configmaps; matched case-insensitively against the body's kind and the event's objectRef.resource.")
        List<String> kinds,
        @JsonPropertyDescription("Regular expressions (case-insensitive, found anywhere in the name) of environment variable names whose literal values are credentials and are replaced before publishing. Default: password, passwd, passphrase, secret, token, api key, access key, private key, credential, client secret.")
        List<String> credentialNames) {

    public RedactionConfig {
        kinds = kinds == null ? List.of() : List.copyOf(kinds);
        for (String kind : kinds) {
            if (kind == null || kind.isBlank() || !kind.matches("[A-Za-z0-9.-]+")) {
                throw new IllegalArgumentException("redaction.kinds entries must be kind or resource names, was '" + kind + "'");
            }
        }
        credentialNames = credentialNames == null ? List.of() : List.copyOf(credentialNames);
        for (String pattern : credentialNames) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException | NullPointerException e) {
                throw new IllegalArgumentException("redaction.credentialNames entries must be regular expressions, was '"
                        + pattern + "'");
            }
        }
    }

    public static RedactionConfig none() {
        return new RedactionConfig(List.of(), List.of());
    }

    /** The names whose literal values are credentials: the configured ones, or kubeproof's default. */
    public Pattern credentialNamePattern() {
        return credentialNames.isEmpty() ? CredentialValues.DEFAULT_NAMES
                : Pattern.compile("(?i)(" + String.join(")|(", credentialNames) + ")");
    }
}
