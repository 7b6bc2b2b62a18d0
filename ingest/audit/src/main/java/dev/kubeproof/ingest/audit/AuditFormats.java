package dev.kubeproof.ingest.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;

/**
 * The audit inputs users really have, recognised by shape and unwrapped into native {@code audit.k8s.io} events:
 * <ul>
 *   <li>{@code k8s-audit}: an Event or an EventList (v1, v1beta1), as the API server's log and webhook write them;</li>
 *   <li>{@code aks}: Azure diagnostic records (category {@code kube-audit} or {@code kube-audit-admin}, the event as
 *       JSON text in {@code properties.log}), alone or in Event Hubs' {@code {"records": [...]}};</li>
 *   <li>{@code eks}: CloudWatch Logs, a native event line or a subscription's {@code {"logEvents": [{"message"}]}};</li>
 *   <li>{@code gke}: Cloud Logging entries whose {@code protoPayload} is a {@code google.cloud.audit.AuditLog} of
 *       service {@code k8s.io} (also as dumped by Go's logging client: {@code Entry} with the payload in
 *       {@code AuditPayload}), translated field by field;</li>
 *   <li>{@code ecs}: an Elastic document with the event under {@code kubernetes.audit}.</li>
 * </ul>
 * Anything else is refused with a message that says what was expected.
 */
public final class AuditFormats {
    public static final String NATIVE = "k8s-audit";
    public static final String GKE = "gke";
    public static final String AKS = "aks";
    public static final String EKS = "eks";
    public static final String ECS = "ecs";
    /** Every format, with what it looks like: for the reference documentation. */
    public static final Map<String, String> DESCRIPTIONS = new java.util.LinkedHashMap<>();

    static {
        DESCRIPTIONS.put(NATIVE, "audit.k8s.io/v1 or v1beta1 Event or EventList (the apiserver's log and webhook)");
        DESCRIPTIONS.put(AKS, "Azure diagnostic record, category kube-audit or kube-audit-admin, the event as JSON text in"
                + " properties.log; alone or in Event Hubs' {\"records\": [...]}");
        DESCRIPTIONS.put(EKS, "CloudWatch Logs: the native event line, or a subscription's {\"logEvents\": [{\"message\"}]}");
        DESCRIPTIONS.put(GKE, "Cloud Logging entry whose protoPayload is a google.cloud.audit.AuditLog of service k8s.io"
                + " (methodName, resourceName, authenticationInfo, requestMetadata, status, request, response)");
        DESCRIPTIONS.put(ECS, "Elastic document with the native event under kubernetes.audit");
    }

    static final String EXPECTED = "expected an audit.k8s.io Event or EventList, an AKS kube-audit diagnostic record,"
            + " an EKS CloudWatch record, a GKE Cloud Audit Log entry (protoPayload of k8s.io) or an ECS document with"
            + " kubernetes.audit";
    private static final String AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog";
    /** gRPC status codes of Cloud Audit Logs, as HTTP status codes. */
    private static final Map<Integer, Integer> GRPC_TO_HTTP = Map.ofEntries(Map.entry(0, 200), Map.entry(1, 499),
            Map.entry(3, 400), Map.entry(4, 504), Map.entry(5, 404), Map.entry(6, 409), Map.entry(7, 403),
            Map.entry(8, 429), Map.entry(9, 400), Map.entry(10, 409), Map.entry(11, 400), Map.entry(12, 501),
            Map.entry(13, 500), Map.entry(14, 503), Map.entry(16, 401));

    private final ObjectMapper mapper;

    public AuditFormats(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** One native event and the format it came in. */
    public record Item(JsonNode event, String format) {
    }

    /** The native events an input holds (in order). */
    public List<Item> unwrap(JsonNode node) {
        List<Item> items = new ArrayList<>();
        unwrap(node, items, 0);
        return items;
    }

    private void unwrap(JsonNode node, List<Item> out, int depth) {
        if (node == null || !node.isObject() || depth > 3) {
            throw new InvalidInputException(ErrorTypes.WRONG_KIND, EXPECTED + "; got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
        }
        String kind = node.path("kind").asText("");
        if ("EventList".equals(kind)) {
            node.path("items").forEach(item -> out.add(new Item(item, NATIVE)));
        } else if ("Event".equals(kind) || (node.has("auditID") && node.has("stage"))) {
            out.add(new Item(node, NATIVE));
        } else if (node.path("records").isArray()) {
            for (JsonNode record : node.get("records")) {
                unwrap(record, out, depth + 1);
            }
        } else if (node.path("category").asText("").startsWith("kube-audit")) {
            out.add(new Item(text(node.path("properties").path("log"), "properties.log of an AKS kube-audit record"), AKS));
        } else if (node.path("logEvents").isArray()) {
            for (JsonNode logEvent : node.get("logEvents")) {
                out.add(new Item(text(logEvent.path("message"), "logEvents[].message of a CloudWatch record"), EKS));
            }
        } else if (node.has("protoPayload") || (node.has("AuditPayload") && node.has("Entry"))) {
            out.add(new Item(fromCloudAuditLog(node), GKE));
        } else if (node.path("kubernetes").path("audit").isObject()) {
            out.add(new Item(node.path("kubernetes").path("audit"), ECS));
        } else if (node.path("message").isTextual() && node.has("logStream")) {
            out.add(new Item(text(node.get("message"), "message of a CloudWatch record"), EKS));
        } else {
            throw new InvalidInputException(ErrorTypes.WRONG_KIND, EXPECTED + "; got an object with fields "
                    + fieldNames(node));
        }
    }

    /** An event carried as JSON text (AKS, CloudWatch). */
    private JsonNode text(JsonNode value, String where) {
        if (!value.isTextual()) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, where + " must hold the audit event as JSON text");
        }
        try {
            JsonNode event = mapper.readTree(value.asText().strip());
            if (event == null || !event.isObject()) {
                throw new InvalidInputException(ErrorTypes.INVALID_VALUE, where + " is not a JSON object");
            }
            return event;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(ErrorTypes.MALFORMED_JSON, where + " is not valid JSON at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
    }

    /** A GKE Cloud Audit Log entry as the native event it records. */
    private JsonNode fromCloudAuditLog(JsonNode entry) {
        JsonNode payload;
        JsonNode labels;
        JsonNode operation;
        String timestamp;
        String insertId;
        if (entry.has("protoPayload")) {
            payload = entry.get("protoPayload");
            labels = entry.path("labels");
            operation = entry.path("operation");
            timestamp = entry.path("timestamp").asText(null);
            insertId = entry.path("insertId").asText(null);
            String type = payload.path("@type").asText("");
            if (!type.isEmpty() && !AUDIT_LOG_TYPE.equals(type)) {
                throw new InvalidInputException(ErrorTypes.WRONG_KIND, "protoPayload @type must be " + AUDIT_LOG_TYPE
                        + ", was '" + type + "'");
            }
        } else {
            JsonNode go = entry.get("Entry");
            payload = text(entry.get("AuditPayload"), "AuditPayload of a GKE log entry");
            labels = go.path("Labels");
            operation = lowerKeys(go.path("Operation"));
            timestamp = go.path("Timestamp").asText(null);
            insertId = go.path("InsertID").asText(null);
        }
        if (!"k8s.io".equals(payload.path("serviceName").asText(""))) {
            throw new InvalidInputException(ErrorTypes.WRONG_KIND, "a GKE audit entry of service k8s.io is expected, was '"
                    + payload.path("serviceName").asText("") + "'");
        }
        String method = payload.path("methodName").asText("");
        String resourceName = payload.path("resourceName").asText("");
        if (method.isEmpty() || timestamp == null) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "a GKE audit entry needs protoPayload.methodName"
                    + " and a timestamp");
        }
        ObjectNode event = mapper.createObjectNode();
        event.put("kind", "Event").put("apiVersion", "audit.k8s.io/v1");
        // GKE's operation id is the API server's auditID; the entry's insertId only when there is none.
        event.put("auditID", operation.path("id").asText(insertId == null ? method + "@" + timestamp : insertId));
        boolean started = operation.path("first").asBoolean(false) && !operation.path("last").asBoolean(false)
                && method.matches(".*\\.(exec|attach|portforward)\\.create");
        event.put("stage", started ? "ResponseStarted" : "ResponseComplete");
        event.put("level", payload.has("request") || payload.has("response") ? "RequestResponse" : "Metadata");
        event.put("verb", method.substring(method.lastIndexOf('.') + 1));
        ObjectNode objectRef = objectRef(resourceName);
        event.put("requestURI", requestUri(resourceName));
        if (objectRef != null) {
            event.set("objectRef", objectRef);
        }
        ObjectNode user = event.putObject("user");
        user.put("username", payload.path("authenticationInfo").path("principalEmail").asText("unknown"));
        user.putArray("groups");
        String callerIp = payload.path("requestMetadata").path("callerIp").asText(null);
        ArrayNode ips = event.putArray("sourceIPs");
        if (callerIp != null) {
            ips.add(callerIp);
        }
        String agent = payload.path("requestMetadata").path("callerSuppliedUserAgent").asText(null);
        if (agent != null) {
            event.put("userAgent", agent);
        }
        ObjectNode status = event.putObject("responseStatus");
        JsonNode responseCode = payload.path("response").path("code");
        int grpc = payload.path("status").path("code").asInt(0);
        if (responseCode.isInt()) {
            status.put("code", responseCode.asInt()); // a Kubernetes Status in the response says it exactly
        } else if (GRPC_TO_HTTP.containsKey(grpc)) {
            status.put("code", GRPC_TO_HTTP.get(grpc));
        } // gRPC UNKNOWN (2): no code, as for an exec stream still open
        String message = payload.path("status").path("message").asText(null);
        if (message != null) {
            status.put("message", message);
        }
        copyBody(payload, "request", event, "requestObject");
        copyBody(payload, "response", event, "responseObject");
        event.put("requestReceivedTimestamp", timestamp);
        event.put("stageTimestamp", timestamp);
        ObjectNode annotations = event.putObject("annotations");
        labels.fields().forEachRemaining(label -> annotations.put(label.getKey(), label.getValue().asText()));
        return event;
    }

    /** {@code core/v1/namespaces/ns/pods/name/exec} as an objectRef; null for a non-resource path. */
    static ObjectNode objectRef(String resourceName) {
        String[] parts = resourceName.split("/");
        if (parts.length < 3) {
            return null;
        }
        ObjectNode ref = new ObjectMapper().createObjectNode();
        String group = parts[0].equals("core") ? "" : parts[0];
        if (!group.isEmpty()) {
            ref.put("apiGroup", group);
        }
        ref.put("apiVersion", parts[1]);
        int at = 2;
        if (parts[2].equals("namespaces") && parts.length > 4) {
            ref.put("namespace", parts[3]);
            at = 4;
        }
        ref.put("resource", parts[at]);
        if (parts.length > at + 1) {
            ref.put("name", parts[at + 1]);
            if (parts[at].equals("namespaces")) {
                ref.put("namespace", parts[at + 1]);
            }
        }
        if (parts.length > at + 2) {
            ref.put("subresource", parts[at + 2]);
        }
        return ref;
    }

    private static String requestUri(String resourceName) {
        String[] parts = resourceName.split("/", 2);
        if (parts.length < 2) {
            return "/" + resourceName;
        }
        return (parts[0].equals("core") ? "/api/" : "/apis/" + parts[0] + "/") + parts[1];
    }

    private static void copyBody(JsonNode payload, String from, ObjectNode event, String to) {
        JsonNode body = payload.get(from);
        if (body != null && body.isObject()) {
            ObjectNode copy = body.deepCopy();
            copy.remove("@type"); // the proto type name, not part of the Kubernetes object
            event.set(to, copy);
        }
    }

    private ObjectNode lowerKeys(JsonNode node) {
        ObjectNode lower = mapper.createObjectNode();
        node.fields().forEachRemaining(field -> lower.set(field.getKey().toLowerCase(), field.getValue()));
        return lower;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.size() > 8 ? names.subList(0, 8) : names;
    }
}
