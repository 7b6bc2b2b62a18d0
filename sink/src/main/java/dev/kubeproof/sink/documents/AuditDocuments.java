package dev.kubeproof.sink.documents;

import static dev.kubeproof.siem.JsonFields.put;

import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.contract.audit.AuditEventIdentity;
import dev.kubeproof.avro.AuditObjectReference;
import dev.kubeproof.avro.AuditResponseStatus;
import dev.kubeproof.avro.UserInfo;
import dev.kubeproof.siem.EcsViolationFormatter;
import dev.kubeproof.siem.Transitions;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * Kubernetes audit events as ECS documents with the field names of Elastic's Kubernetes integration
 * ({@code kubernetes.audit.*} as in the API server's JSON, annotation keys with dots replaced by underscores such
 * as {@code authorization_k8s_io/decision}), plus {@code user.name}, {@code source.ip}, {@code event.action},
 * {@code event.outcome} and {@code orchestrator.*}: Elastic's prebuilt Kubernetes detection rules query exactly
 * these. Request and response bodies are {@code flattened}, so any object shape indexes and its leaves are
 * searchable by path ({@code kubernetes.audit.requestObject.spec.hostNetwork: true}). One document per audit
 * event, its id the event's identity ({@link AuditEventIdentity}: auditID, stage, stage time, verb, object), so that
 * distinct events sharing an auditID never overwrite each other while a re-delivery does.
 */
public final class AuditDocuments {
    public static final String DATASET = "kubernetes.audit_logs";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final IndexNames names;
    private final String dataStreamNamespace;

    public AuditDocuments(IndexNames names) {
        this.names = names;
        String audit = names.audit();
        // data stream naming scheme type-dataset-namespace; the namespace is what follows the last '-'
        this.dataStreamNamespace = audit.substring(audit.lastIndexOf('-') + 1);
    }

    public static String documentId(AuditEvent event) {
        return DocumentIds.of(AuditEventIdentity.of(event));
    }

    public IndexAction toAction(AuditEvent event) {
        return IndexAction.Create.of(names.audit(), documentId(event), toJson(event));
    }

    public ObjectNode toJson(AuditEvent event) {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("@timestamp", Transitions.iso(event.getRequestReceivedTimestamp()));
        doc.putObject("ecs").put("version", EcsViolationFormatter.ECS_VERSION);
        ObjectNode dataStream = doc.putObject("data_stream");
        dataStream.put("type", "logs");
        dataStream.put("dataset", DATASET);
        dataStream.put("namespace", dataStreamNamespace);

        AuditObjectReference objectRef = event.getObjectRef();
        AuditResponseStatus response = event.getResponseStatus();
        String verb = event.getVerb();

        ObjectNode ecsEvent = doc.putObject("event");
        ecsEvent.put("kind", "event");
        ecsEvent.putArray("category").add("api");
        ecsEvent.putArray("type").add(eventType(verb));
        ecsEvent.put("action", verb);
        ecsEvent.put("outcome", outcome(response));
        ecsEvent.put("id", documentId(event));
        ecsEvent.put("dataset", DATASET);
        ecsEvent.put("module", "kubernetes");
        ecsEvent.put("provider", "kube-apiserver");
        ecsEvent.put("start", Transitions.iso(event.getRequestReceivedTimestamp()));
        ecsEvent.put("end", Transitions.iso(event.getStageTimestamp()));

        UserInfo user = event.getUser();
        UserInfo impersonated = event.getImpersonatedUser();
        ObjectNode ecsUser = doc.putObject("user");
        put(ecsUser, "name", user.getUsername());
        put(ecsUser, "id", user.getUid());
        if (!user.getGroups().isEmpty()) {
            strings(ecsUser.putObject("group"), "name", user.getGroups());
        }
        if (impersonated != null && impersonated.getUsername() != null) {
            ObjectNode effective = ecsUser.putObject("effective");
            effective.put("name", impersonated.getUsername());
            put(effective, "id", impersonated.getUid());
        }
        if (ecsUser.isEmpty()) {
            doc.remove("user");
        }

        List<String> sourceIps = event.getSourceIps();
        if (!sourceIps.isEmpty()) {
            doc.putObject("source").put("ip", sourceIps.get(0)).put("address", sourceIps.get(0));
        }
        ObjectNode related = MAPPER.createObjectNode();
        strings(related, "ip", sourceIps);
        Set<String> users = new LinkedHashSet<>();
        if (user.getUsername() != null) {
            users.add(user.getUsername());
        }
        if (impersonated != null && impersonated.getUsername() != null) {
            users.add(impersonated.getUsername());
        }
        strings(related, "user", List.copyOf(users));
        if (!related.isEmpty()) {
            doc.set("related", related);
        }
        if (event.getUserAgent() != null) {
            doc.putObject("user_agent").put("original", event.getUserAgent());
        }
        doc.putObject("url").put("original", event.getRequestUri());
        if (response != null && response.getCode() != null) {
            doc.putObject("http").putObject("response").put("status_code", response.getCode());
        }

        ObjectNode orchestrator = doc.putObject("orchestrator");
        orchestrator.put("type", "kubernetes");
        orchestrator.putObject("cluster").put("id", event.getClusterId()).put("name", event.getClusterId());
        if (objectRef != null) {
            put(orchestrator, "namespace", objectRef.getNamespace());
            String group = objectRef.getApiGroup();
            String version = objectRef.getApiVersion();
            if (version != null) {
                orchestrator.put("api_version", group == null || group.isEmpty() ? version : group + "/" + version);
            }
            ObjectNode resource = MAPPER.createObjectNode();
            put(resource, "type", objectRef.getResource());
            put(resource, "name", objectRef.getName());
            put(resource, "id", objectRef.getUid());
            if (!resource.isEmpty()) {
                orchestrator.set("resource", resource);
            }
        }

        ObjectNode audit = doc.putObject("kubernetes").putObject("audit");
        audit.put("kind", "Event");
        audit.put("apiVersion", event.getApiVersion());
        audit.put("level", event.getLevel().name());
        audit.put("auditID", event.getAuditId());
        audit.put("stage", event.getStage().name());
        audit.put("requestURI", event.getRequestUri());
        audit.put("verb", verb);
        audit.set("user", userInfo(user));
        if (impersonated != null) {
            audit.set("impersonatedUser", userInfo(impersonated));
        }
        strings(audit, "sourceIPs", sourceIps);
        put(audit, "userAgent", event.getUserAgent());
        if (objectRef != null) {
            ObjectNode ref = audit.putObject("objectRef");
            put(ref, "resource", objectRef.getResource());
            put(ref, "namespace", objectRef.getNamespace());
            put(ref, "name", objectRef.getName());
            put(ref, "uid", objectRef.getUid());
            put(ref, "apiGroup", objectRef.getApiGroup());
            put(ref, "apiVersion", objectRef.getApiVersion());
            put(ref, "resourceVersion", objectRef.getResourceVersion());
            put(ref, "subresource", objectRef.getSubresource());
        }
        if (response != null) {
            ObjectNode status = audit.putObject("responseStatus");
            if (response.getCode() != null) {
                status.put("code", response.getCode());
            }
            put(status, "status", response.getStatus());
            put(status, "reason", response.getReason());
            put(status, "message", response.getMessage());
        }
        ObjectNode unparsed = MAPPER.createObjectNode();
        body(audit, "requestObject", event.getRequestObject(), unparsed);
        body(audit, "responseObject", event.getResponseObject(), unparsed);
        audit.put("requestReceivedTimestamp", MICROS.format(event.getRequestReceivedTimestamp()));
        audit.put("stageTimestamp", MICROS.format(event.getStageTimestamp()));
        if (!event.getAnnotations().isEmpty()) {
            ObjectNode annotations = audit.putObject("annotations");
            new TreeMap<>(event.getAnnotations()).forEach((key, value) -> annotations.put(key.replace('.', '_'), value));
        }

        ObjectNode kubeproof = MAPPER.createObjectNode();
        put(kubeproof, "source", event.getSource());
        put(kubeproof, "format", event.getFormat());
        strings(kubeproof, "redactions", event.getRedactions());
        if (!unparsed.isEmpty()) {
            kubeproof.set("unparsed", unparsed.size() == 1 ? unparsed.elements().next() : unparsed);
        }
        if (!kubeproof.isEmpty()) {
            doc.putObject("kubeproof").set("audit", kubeproof);
        }
        return doc;
    }

    /** A body that is a JSON object (or array of objects) is indexed; anything else is kept, unindexed, as text. */
    private static void body(ObjectNode audit, String field, String json, ObjectNode unparsed) {
        if (json == null || json.isEmpty()) {
            return;
        }
        try {
            JsonNode body = MAPPER.readTree(json);
            boolean objects = body != null && (body.isObject()
                    || body.isArray() && body.size() > 0 && java.util.stream.StreamSupport.stream(body.spliterator(), false)
                    .allMatch(JsonNode::isObject));
            if (objects) {
                audit.set(field, body);
                return;
            }
        } catch (IOException e) {
            // falls through: kept as text
        }
        unparsed.put(field, json);
    }

    private static ObjectNode userInfo(UserInfo user) {
        ObjectNode node = MAPPER.createObjectNode();
        put(node, "username", user.getUsername());
        put(node, "uid", user.getUid());
        strings(node, "groups", user.getGroups());
        if (!user.getExtra().isEmpty()) {
            ObjectNode extra = node.putObject("extra");
            new TreeMap<>(user.getExtra()).forEach((key, values) -> {
                ArrayNode array = extra.putArray(key);
                values.forEach(array::add);
            });
        }
        return node;
    }

    static String eventType(String verb) {
        return switch (verb.toLowerCase(Locale.ROOT)) {
            case "get", "list", "watch" -> "access";
            case "create" -> "creation";
            case "update", "patch" -> "change";
            case "delete", "deletecollection" -> "deletion";
            default -> "info";
        };
    }

    static String outcome(AuditResponseStatus response) {
        if (response == null || response.getCode() == null) {
            return "unknown";
        }
        return response.getCode() < 400 ? "success" : "failure";
    }

    private static void strings(ObjectNode node, String field, List<String> values) {
        if (values != null && !values.isEmpty()) {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }

}
