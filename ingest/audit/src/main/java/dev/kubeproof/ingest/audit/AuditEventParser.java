package dev.kubeproof.ingest.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditLevel;
import dev.kubeproof.avro.AuditObjectReference;
import dev.kubeproof.avro.AuditResponseStatus;
import dev.kubeproof.avro.AuditStage;
import dev.kubeproof.avro.UserInfo;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

/**
 * Turns one Kubernetes audit {@code Event} ({@code audit.k8s.io/v1} or {@code v1beta1}; the same shape, v1beta1
 * adds {@code timestamp} and {@code metadata}) into a redacted {@link AuditEvent}. Anything that is not a
 * well-formed event is an {@link InvalidInputException} with the error type the dead letter gets.
 */
public final class AuditEventParser {
    public static final String V1 = "audit.k8s.io/v1";
    public static final String V1BETA1 = "audit.k8s.io/v1beta1";
    static final Set<String> API_VERSIONS = Set.of(V1, V1BETA1);

    private final String clusterId;
    private final AuditRedactor redactor;
    private final ObjectMapper mapper;

    public AuditEventParser(String clusterId, AuditRedactor redactor, ObjectMapper mapper) {
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** A parsed event with its record key and de-duplication key. */
    public record Parsed(AuditEvent event, String key, String dedupKey) {
    }

    /**
     * @param source where the event came from, recorded in {@code AuditEvent.source} ({@code webhook} or
     *               {@code file:<path>})
     */
    public Parsed parse(JsonNode node, String source) {
        return parse(node, source, AuditFormats.NATIVE);
    }

    /**
     * @param format the shape the event arrived in ({@link AuditFormats}), recorded in {@code AuditEvent.format}
     */
    public Parsed parse(JsonNode node, String source, String format) {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "an audit event must be a JSON object, was "
                    + (node == null ? "nothing" : node.getNodeType()));
        }
        String kind = optionalText(node, "kind");
        if (kind != null && !"Event".equals(kind)) {
            throw new InvalidInputException(ErrorTypes.WRONG_KIND, "kind must be Event, was '" + kind + "'");
        }
        String apiVersion = optionalText(node, "apiVersion");
        if (apiVersion == null) {
            // Falco's traces and some log shippers drop apiVersion; v1beta1 is recognisable by its extra fields.
            apiVersion = node.has("timestamp") || node.has("metadata") ? V1BETA1 : V1;
        } else if (!API_VERSIONS.contains(apiVersion)) {
            throw new InvalidInputException(ErrorTypes.WRONG_API_VERSION, "apiVersion must be " + V1 + " or " + V1BETA1
                    + ", was '" + apiVersion + "'");
        }
        String auditId = requiredText(node, "auditID");
        AuditStage stage = enumValue(AuditStage.class, requiredText(node, "stage"), "stage");
        AuditLevel level = enumValue(AuditLevel.class, requiredText(node, "level"), "level");
        String verb = requiredText(node, "verb");
        String requestUri = requiredText(node, "requestURI");
        JsonNode userNode = node.get("user");
        if (userNode == null || userNode.isNull()) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "required field 'user' is missing");
        }
        UserInfo user = user(userNode, "user");
        JsonNode impersonated = node.get("impersonatedUser");
        Instant received = timestamp(node, "requestReceivedTimestamp");
        Instant stageTime = timestamp(node, "stageTimestamp");

        AuditRedactor.Result redaction = redactor.redact(node);
        AuditEvent event = AuditEvent.newBuilder()
                .setClusterId(clusterId)
                .setAuditId(auditId)
                .setStage(stage)
                .setLevel(level)
                .setApiVersion(apiVersion)
                .setVerb(verb)
                .setRequestUri(requestUri)
                .setUser(user)
                .setImpersonatedUser(impersonated == null || impersonated.isNull() ? null : user(impersonated, "impersonatedUser"))
                .setSourceIps(stringList(node, "sourceIPs"))
                .setUserAgent(optionalText(node, "userAgent"))
                .setObjectRef(objectRef(node.get("objectRef")))
                .setResponseStatus(responseStatus(node.get("responseStatus")))
                .setRequestObject(json(redaction.requestObject()))
                .setResponseObject(json(redaction.responseObject()))
                .setRedactions(redaction.redactions())
                .setRequestReceivedTimestamp(received)
                .setStageTimestamp(stageTime)
                .setAnnotations(annotations(node.get("annotations")))
                .setSource(source)
                .setFormat(format)
                .build();
        return new Parsed(event, AuditKeys.keyOf(event, nameHint(node)), AuditKeys.dedupKeyOf(event));
    }

    /** The object's name from the bodies' metadata (names are not secret), for creates with generateName. */
    private static String nameHint(JsonNode node) {
        for (String body : List.of(AuditRedactor.RESPONSE_OBJECT, AuditRedactor.REQUEST_OBJECT)) {
            JsonNode name = node.path(body).path("metadata").path("name");
            if (name.isTextual() && !name.asText().isEmpty()) {
                return name.asText();
            }
        }
        return null;
    }

    private String json(JsonNode body) {
        if (body == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "cannot write a body as JSON: " + e.getOriginalMessage());
        }
    }

    private static UserInfo user(JsonNode node, String field) {
        if (!node.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + field + "' must be an object");
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        JsonNode extraNode = node.get("extra");
        if (extraNode != null && !extraNode.isNull()) {
            if (!extraNode.isObject()) {
                throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + field + ".extra' must be an object");
            }
            for (Map.Entry<String, JsonNode> entry : extraNode.properties()) {
                extra.put(entry.getKey(), stringList(extraNode, entry.getKey()));
            }
        }
        return UserInfo.newBuilder()
                .setUsername(optionalText(node, "username"))
                .setUid(optionalText(node, "uid"))
                .setGroups(stringList(node, "groups"))
                .setExtra(extra)
                .build();
    }

    private static AuditObjectReference objectRef(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'objectRef' must be an object");
        }
        return AuditObjectReference.newBuilder()
                .setResource(optionalText(node, "resource"))
                .setNamespace(optionalText(node, "namespace"))
                .setName(optionalText(node, "name"))
                .setUid(optionalText(node, "uid"))
                .setApiGroup(optionalText(node, "apiGroup"))
                .setApiVersion(optionalText(node, "apiVersion"))
                .setResourceVersion(optionalText(node, "resourceVersion"))
                .setSubresource(optionalText(node, "subresource"))
                .build();
    }

    private static AuditResponseStatus responseStatus(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'responseStatus' must be an object");
        }
        JsonNode code = node.get("code");
        if (code != null && !code.isNull() && !(code.isIntegralNumber() && code.canConvertToInt())) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'responseStatus.code' must be an integer");
        }
        return AuditResponseStatus.newBuilder()
                .setCode(code == null || code.isNull() ? null : code.intValue())
                .setStatus(optionalText(node, "status"))
                .setReason(optionalText(node, "reason"))
                .setMessage(optionalText(node, "message"))
                .build();
    }

    private static Map<String, String> annotations(JsonNode node) {
        Map<String, String> annotations = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return annotations;
        }
        if (!node.isObject()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'annotations' must be an object");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            annotations.put(entry.getKey(), entry.getValue().isTextual() ? entry.getValue().asText() : entry.getValue().toString());
        }
        return annotations;
    }

    private static Instant timestamp(JsonNode node, String field) {
        String text = requiredText(node, field);
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + field + "' is not an RFC 3339 time: '"
                    + abbreviate(text) + "'");
        }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String field) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(ErrorTypes.UNKNOWN_ENUM, "'" + field + "' has unknown value '" + abbreviate(value)
                    + "'; expected one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "required field '" + field + "' is missing");
        }
        if (!value.isTextual()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + field + "' must be a string, was " + value.getNodeType());
        }
        return value.asText();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + field + "' must be a string, was " + value.getNodeType());
        }
        return value.asText();
    }

    private static List<String> stringList(JsonNode node, String field) {
        JsonNode value = node.get(field);
        List<String> list = new ArrayList<>();
        if (value == null || value.isNull()) {
            return list;
        }
        if (!value.isArray()) {
            throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + field + "' must be an array of strings");
        }
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new InvalidInputException(ErrorTypes.INVALID_VALUE, "'" + field + "' must be an array of strings");
            }
            list.add(item.asText());
        }
        return list;
    }

    private static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
