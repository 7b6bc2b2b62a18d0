package dev.kubeproof.streams.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.ingest.audit.AuditEventParser;
import dev.kubeproof.ingest.audit.AuditRedactor;
import dev.kubeproof.ingest.audit.RedactionConfig;

/** Audit events as the audit collector publishes them: native JSON through its own parser and redactor. */
public final class AuditEvents {
    public static final String CLUSTER = "prod-eu";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AuditEventParser PARSER = new AuditEventParser(CLUSTER,
            new AuditRedactor(RedactionConfig.none(), JSON), JSON);

    private AuditEvents() {
    }

    /** One event from its JSON text. */
    public static AuditEvent parse(String json) {
        try {
            return PARSER.parse(JSON.readTree(json), "test").event();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event of a JSON-lines file (blank lines skipped), e.g. a Falco trace. */
    public static List<AuditEvent> file(Path file) {
        List<AuditEvent> events = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    events.add(parse(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    /**
     * A ResponseComplete event, v1, with the given fields; {@code objectRef} and bodies as JSON text (or null).
     */
    public static Builder event(String user, String verb, String uri) {
        return new Builder(user, verb, uri);
    }

    /** Fluent native-event builder: what the API server would send, field by field. */
    public static final class Builder {
        private final ObjectNode node = JSON.createObjectNode();
        private static int sequence;

        Builder(String user, String verb, String uri) {
            node.put("kind", "Event").put("apiVersion", "audit.k8s.io/v1").put("level", "RequestResponse")
                    .put("auditID", "audit-" + (++sequence)).put("stage", "ResponseComplete")
                    .put("verb", verb).put("requestURI", uri);
            node.putObject("user").put("username", user).putArray("groups").add("system:authenticated");
            node.putArray("sourceIPs").add("10.0.0.7");
            node.put("userAgent", "kubectl/v1.32.0");
            at(Instant.parse("2026-03-01T12:00:00Z"));
            code(200);
        }

        public Builder groups(String... groups) {
            ObjectNode user = (ObjectNode) node.get("user");
            user.putArray("groups").addAll(java.util.Arrays.stream(groups).map(JSON.getNodeFactory()::textNode).toList());
            return this;
        }

        public Builder object(String resource, String namespace, String name) {
            ObjectNode ref = node.putObject("objectRef").put("resource", resource).put("name", name).put("apiVersion", "v1");
            if (namespace != null) {
                ref.put("namespace", namespace);
            }
            if (resource.contains("role")) {
                ref.put("apiGroup", "rbac.authorization.k8s.io");
            }
            return this;
        }

        public Builder subresource(String subresource) {
            ((ObjectNode) node.get("objectRef")).put("subresource", subresource);
            return this;
        }

        public Builder stage(String stage) {
            node.put("stage", stage);
            return this;
        }

        public Builder code(int code) {
            node.putObject("responseStatus").put("code", code);
            if (code == 403) {
                ((ObjectNode) node.get("responseStatus")).put("reason", "Forbidden").put("status", "Failure");
            }
            return this;
        }

        public Builder request(String json) {
            node.set("requestObject", read(json));
            return this;
        }

        public Builder response(String json) {
            node.set("responseObject", read(json));
            return this;
        }

        public Builder sourceIp(String ip) {
            node.putArray("sourceIPs").add(ip);
            return this;
        }

        public Builder impersonating(String user) {
            node.putObject("impersonatedUser").put("username", user);
            return this;
        }

        public Builder at(Instant at) {
            node.put("requestReceivedTimestamp", at.toString()).put("stageTimestamp", at.plusMillis(5).toString());
            return this;
        }

        public AuditEvent build() {
            return parse(node.toString());
        }

        private static JsonNode read(String json) {
            try {
                return JSON.readTree(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
