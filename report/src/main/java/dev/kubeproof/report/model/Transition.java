package dev.kubeproof.report.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

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

    private static final JsonFactory JSON = new JsonFactory();

    /** The exception behind an EXEMPT record: who approved it and until when. */
    public record Exemption(String exceptionId, String approvedBy, Instant expiresAt, String reason, String ticket) {
    }

    /**
     * Reads a record from its canonical encoding and the hash it carries; a malformed encoding is an error. Streams
     * through the JSON once (no tree): a report parses every record of its period.
     */
    public static Transition parse(String canonical, String hash) {
        Fields top = new Fields();
        Fields resource = new Fields();
        Fields chain = new Fields();
        Fields cause = new Fields();
        Fields exception = null;
        try (JsonParser json = JSON.createParser(canonical)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("evidence record is not a JSON object: " + abbreviate(canonical));
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                switch (name) {
                    case "resource" -> resource.read(json, value);
                    case "chain" -> chain.read(json, value);
                    case "cause" -> cause.read(json, value);
                    case "exception" -> {
                        exception = new Fields();
                        exception.read(json, value);
                    }
                    default -> top.put(json, name, value);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("evidence record is not canonical JSON: " + e.getMessage(), e);
        }
        String controlId = top.text("controlId");
        String clusterId = resource.text("clusterId");
        String uid = resource.text("uid");
        if (controlId == null || clusterId == null || uid == null || chain.text("sequence") == null
                || top.text("since") == null) {
            throw new IllegalArgumentException("evidence record lacks controlId, resource.clusterId, resource.uid, "
                    + "chain.sequence or since: " + abbreviate(canonical));
        }
        Exemption exemption = exception == null ? null : new Exemption(exception.text("exceptionId"),
                exception.text("approvedBy"), exception.time("expiresAt"), exception.text("reason"), exception.text("ticket"));
        return new Transition(canonical, hash, EvidenceKey.of(clusterId, controlId, uid), top.text("evidenceId"),
                Long.parseLong(chain.text("sequence")), chain.text("previousHash"), controlId, top.text("controlTitle"),
                top.text("severity"), top.text("status"), top.text("previousStatus"), top.time("since"),
                top.time("openViolationSince"), clusterId, resource.text("namespace"), resource.text("kind"),
                resource.text("name"), uid, top.text("message"), top.text("remediation"), top.text("actor"),
                cause.text("changeType"), cause.text("attestationId"), exemption);
    }

    /** The scalar fields of one JSON object level; nested objects and arrays are skipped. */
    private static final class Fields {
        private final java.util.Map<String, String> values = new java.util.HashMap<>();

        void read(JsonParser json, JsonToken start) throws IOException {
            if (start != JsonToken.START_OBJECT) {
                json.skipChildren();
                return;
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                put(json, name, json.nextToken());
            }
        }

        void put(JsonParser json, String name, JsonToken value) throws IOException {
            if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                json.skipChildren();
            } else if (value != JsonToken.VALUE_NULL) {
                values.put(name, json.getText());
            }
        }

        String text(String name) {
            return values.get(name);
        }

        Instant time(String name) {
            String value = values.get(name);
            return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value));
        }
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

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
