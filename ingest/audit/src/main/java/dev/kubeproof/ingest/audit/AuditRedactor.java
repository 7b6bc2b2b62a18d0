package dev.kubeproof.ingest.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.contract.k8s.ResourceNames;
import dev.kubeproof.contract.redaction.CredentialValues;

/**
 * Decides which request and response bodies of an audit event must not leave the collector, and cleans raw
 * inputs before they are dead-lettered. Bodies are dropped whole (not field by field): a Secret's {@code data}
 * can also hide in {@code metadata.annotations} (last-applied-configuration), in patches and in lists.
 */
public final class AuditRedactor {
    static final String REQUEST_OBJECT = "requestObject";
    static final String RESPONSE_OBJECT = "responseObject";

    /** Resources whose bodies carry credentials; always dropped. */
    private static final Set<String> ALWAYS_RESOURCES = Set.of("secrets", "tokenreviews", "tokenrequests");
    private static final Set<String> ALWAYS_KINDS = Set.of("secret", "secretlist", "tokenreview", "tokenrequest");
    /** Fields that, in a cleaned dead letter of unparseable input, are skipped wherever they appear. */
    private static final Set<String> UNSAFE_FIELDS = Set.of(REQUEST_OBJECT, RESPONSE_OBJECT, "data", "stringData",
            "binaryData", "token", "env", "kubectl.kubernetes.io/last-applied-configuration");

    private final ObjectMapper mapper;
    private final Set<String> resources = new HashSet<>(ALWAYS_RESOURCES);
    private final Set<String> kinds = new HashSet<>(ALWAYS_KINDS);
    private final Pattern credentialNames;

    public AuditRedactor(RedactionConfig config, ObjectMapper mapper) {
        this.mapper = mapper;
        this.credentialNames = config.credentialNamePattern();
        for (String entry : config.kinds()) {
            String lower = entry.toLowerCase(Locale.ROOT);
            kinds.add(lower);
            kinds.add(lower + "list");
            resources.add(lower);
            resources.add(ResourceNames.plural(lower));
        }
    }

    /** What is left of an event's bodies after redaction. */
    public record Result(JsonNode requestObject, JsonNode responseObject, List<String> redactions) {
    }

    /** Decides, for one well-formed event, which bodies stay. Never changes {@code event}. */
    public Result redact(JsonNode event) {
        JsonNode objectRef = event.path("objectRef");
        String resource = objectRef.path("resource").asText("").toLowerCase(Locale.ROOT);
        String subresource = objectRef.path("subresource").asText("").toLowerCase(Locale.ROOT);
        boolean sensitiveResource = resources.contains(resource)
                || ("serviceaccounts".equals(resource) && "token".equals(subresource));
        List<String> redactions = new ArrayList<>();
        JsonNode request = keep(event.get(REQUEST_OBJECT), REQUEST_OBJECT, sensitiveResource, resource, redactions);
        JsonNode response = keep(event.get(RESPONSE_OBJECT), RESPONSE_OBJECT, sensitiveResource, resource, redactions);
        return new Result(request, response, List.copyOf(redactions));
    }

    private JsonNode keep(JsonNode body, String field, boolean sensitiveResource, String resource, List<String> redactions) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return null;
        }
        if (sensitiveResource) {
            redactions.add(field + ": body of " + resource + " removed");
            return null;
        }
        String kind = sensitiveKindIn(body);
        if (kind != null) {
            redactions.add(field + ": body containing a " + kind + " removed");
            return null;
        }
        JsonNode kept = body.deepCopy();
        for (String path : CredentialValues.redact(kept, credentialNames)) {
            redactions.add(field + ": literal credential value replaced at " + path);
        }
        return kept;
    }

    /** The first sensitive {@code kind} anywhere in the tree, or null. */
    private String sensitiveKindIn(JsonNode node) {
        if (node.isObject()) {
            JsonNode kind = node.get("kind");
            if (kind != null && kind.isTextual() && kinds.contains(kind.asText().toLowerCase(Locale.ROOT))) {
                return kind.asText();
            }
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                String found = sensitiveKindIn(entry.getValue());
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                String found = sensitiveKindIn(item);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A raw input made safe to keep in a dead letter, with a note on what was done. */
    public record CleanPayload(byte[] bytes, String note) {
    }

    /**
     * Cleans a raw input for the dead-letter topic. Parseable JSON keeps everything except the bodies redaction
     * would drop; for events whose object is unknown, both bodies go. Unparseable input is copied token by token
     * up to the first error, skipping every body and {@code data}-like field; input that does not start as JSON
     * is withheld.
     */
    public CleanPayload cleanForDeadLetter(byte[] raw) {
        JsonNode tree;
        try {
            tree = mapper.readTree(raw);
        } catch (IOException e) {
            tree = null;
        }
        if (tree != null && !tree.isMissingNode()) {
            JsonNode copy = tree.deepCopy();
            int removed = scrub(copy) + CredentialValues.redact(copy, credentialNames).size();
            try {
                return new CleanPayload(mapper.writeValueAsBytes(copy),
                        removed == 0 ? "" : " [dead-letter payload: " + removed + " sensitive part(s) removed]");
            } catch (IOException e) {
                return new CleanPayload(new byte[0], " [dead-letter payload withheld: " + e.getMessage() + "]");
            }
        }
        return copyUntilError(raw);
    }

    private int scrub(JsonNode node) {
        int removed = 0;
        if (node instanceof ObjectNode object) {
            if (object.has(REQUEST_OBJECT) || object.has(RESPONSE_OBJECT)) {
                boolean objectKnown = object.path("objectRef").path("resource").isTextual();
                Result result = redact(object);
                for (String field : List.of(REQUEST_OBJECT, RESPONSE_OBJECT)) {
                    JsonNode kept = REQUEST_OBJECT.equals(field) ? result.requestObject() : result.responseObject();
                    if (object.has(field) && (kept == null || !objectKnown)) {
                        object.remove(field);
                        removed++;
                    }
                }
            }
            JsonNode kind = object.get("kind");
            if (kind != null && kind.isTextual() && kinds.contains(kind.asText().toLowerCase(Locale.ROOT))) {
                for (String field : List.of("data", "stringData", "binaryData", "spec", "status")) {
                    if (object.remove(field) != null) {
                        removed++;
                    }
                }
            }
            for (Map.Entry<String, JsonNode> entry : object.properties()) {
                removed += scrub(entry.getValue());
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                removed += scrub(item);
            }
        }
        return removed;
    }

    private CleanPayload copyUntilError(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(raw.length, 64 * 1024));
        JsonFactory factory = mapper.getFactory();
        boolean started = false;
        try (JsonParser parser = factory.createParser(raw);
             JsonGenerator generator = factory.createGenerator(out)) {
            generator.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            try {
                JsonToken token;
                while ((token = parser.nextToken()) != null) {
                    if (!started && token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
                        break;
                    }
                    started = true;
                    if (token == JsonToken.FIELD_NAME && UNSAFE_FIELDS.contains(parser.currentName())) {
                        JsonToken value = parser.nextToken();
                        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                            parser.skipChildren();
                        }
                        continue;
                    }
                    generator.copyCurrentEvent(parser);
                }
            } catch (IOException parseError) {
                // stop at the first error: what follows cannot be classified safely
            }
            generator.flush();
        } catch (IOException e) {
            return new CleanPayload(new byte[0], " [dead-letter payload withheld: " + e.getMessage() + "]");
        }
        if (!started) {
            return new CleanPayload(new byte[0], " [dead-letter payload withheld: not JSON, cannot be redacted]");
        }
        return new CleanPayload(out.toByteArray(),
                " [dead-letter payload: bodies and data fields removed, cut at the first parse error]");
    }
}
