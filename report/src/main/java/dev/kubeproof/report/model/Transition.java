package dev.kubeproof.report.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.contract.evidence.EvidenceKey;

/**
 * One evidence record as a report reads it: every fact taken from the record's canonical encoding (the bytes its
 * chain hash covers), never from a rendering of it, so that what a report says is what the chain proves.
 *
 * @param canonical the canonical encoding ({@code CanonicalEncoding}), exactly as hashed
 * @param hash      the chain hash the record carries; {@link #hashMatches()} recomputes it
 */
public record Transition(String canonical, String hash, String key, String evidenceId, long sequence, String previousHash,
                         String controlId, String controlTitle, String severity, String status, String previousStatus,
                         Instant since, Instant openViolationSince, String clusterId, String namespace, String kind,
                         String name, String uid, String message, String remediation, String actor, String changeType,
                         String attestationId, Exemption exemption) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The exception behind an EXEMPT record: who approved it and until when. */
    public record Exemption(String exceptionId, String approvedBy, Instant expiresAt, String reason, String ticket) {
    }

    /** Reads a record from its canonical encoding and the hash it carries; a malformed encoding is an error. */
    public static Transition parse(String canonical, String hash) {
        JsonNode node;
        try {
            node = JSON.readTree(canonical);
        } catch (IOException e) {
            throw new UncheckedIOException("evidence record is not canonical JSON: " + e.getMessage(), e);
        }
        JsonNode resource = node.path("resource");
        JsonNode chain = node.path("chain");
        JsonNode exception = node.path("exception");
        String controlId = text(node, "controlId");
        String clusterId = text(resource, "clusterId");
        String uid = text(resource, "uid");
        if (controlId == null || clusterId == null || uid == null || !chain.has("sequence") || !node.has("since")) {
            throw new IllegalArgumentException("evidence record lacks controlId, resource.clusterId, resource.uid, "
                    + "chain.sequence or since: " + abbreviate(canonical));
        }
        Exemption exemption = exception.isObject()
                ? new Exemption(text(exception, "exceptionId"), text(exception, "approvedBy"), time(exception, "expiresAt"),
                text(exception, "reason"), text(exception, "ticket"))
                : null;
        JsonNode cause = node.path("cause");
        return new Transition(canonical, hash, EvidenceKey.of(clusterId, controlId, uid), text(node, "evidenceId"),
                chain.path("sequence").asLong(), text(chain, "previousHash"), controlId, text(node, "controlTitle"),
                text(node, "severity"), text(node, "status"), text(node, "previousStatus"), time(node, "since"),
                time(node, "openViolationSince"), clusterId, text(resource, "namespace"), text(resource, "kind"),
                text(resource, "name"), uid, text(node, "message"), text(node, "remediation"), text(node, "actor"),
                text(cause, "changeType"), text(cause, "attestationId"), exemption);
    }

    /** Whether the carried hash is the SHA-256 of the canonical encoding. */
    public boolean hashMatches() {
        return EvidenceChain.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8)).equals(hash);
    }

    /** {@code Kind namespace/name} (or {@code Kind name} when cluster-scoped). */
    public String resourceLabel() {
        return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }

    public boolean isFail() {
        return "FAIL".equals(status);
    }

    public boolean isClosed() {
        return "CLOSED".equals(status);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant time(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : Instant.ofEpochMilli(value.asLong());
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
