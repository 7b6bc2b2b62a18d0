package dev.kubeproof.streams.evaluation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.streams.state.KeyValueStore;

import dev.kubeproof.avro.Attribution;
import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditObjectReference;
import dev.kubeproof.avro.AuditStage;
import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.OwnerReference;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.k8s.ResourceNames;
import dev.kubeproof.controls.runtime.AuditRules;
import dev.kubeproof.controls.runtime.RuntimeSettings;

/**
 * Who made each change: the successful writes of the audit stream, remembered per object (the last few), matched to
 * the resource changes the informers saw. A change matches the write that produced its resourceVersion; when the
 * audit level gave no resourceVersion (Metadata), the latest write of the same kind (create for ADDED, update or
 * patch for MODIFIED, delete for DELETED) within {@code window} of the change. A pod that a controller made is
 * attributed to the last person who wrote its owning workload, through the controller. Nothing else is guessed.
 */
public final class Attributions {
    /** Writes remembered per object: enough for the writes an informer may fold into one change. */
    static final int WRITES_PER_OBJECT = 5;
    /** How far up the controllers' ownership chain (Pod → ReplicaSet → Deployment, Pod → Job → CronJob) to look. */
    private static final int OWNER_DEPTH = 3;
    private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete");
    /** Subresources whose writes change the object itself; exec, logs, evictions and tokens do not. */
    private static final Set<String> OBJECT_SUBRESOURCES = Set.of("status", "scale", "binding", "ephemeralcontainers");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Store key prefix of a cluster's marker (write keys start with the cluster id and contain '|'). */
    private static final String AUDITED_PREFIX = "audited/";
    private static final TypeReference<List<Write>> WRITES = new TypeReference<>() {
    };

    private final KeyValueStore<String, String> writes;
    private final RuntimeSettings settings;
    private final Duration window;
    /** Clusters known audited (in memory: the store's marker is written once, read only after a restart). */
    private final Set<String> auditedClusters = new HashSet<>();

    Attributions(KeyValueStore<String, String> writes, RuntimeSettings settings, Duration window) {
        this.writes = writes;
        this.settings = settings;
        this.window = window;
    }

    /** One successful write as remembered: the resulting resourceVersion and the principal. */
    record Write(String resourceVersion, String verb, long at, String username, String uid, List<String> groups,
                 String impersonatedUser, List<String> sourceIps, String userAgent, String auditId) {
        Attribution attribution(AttributionMethod method, String via) {
            return Attribution.newBuilder().setMethod(method).setUsername(username).setUid(uid)
                    .setGroups(groups == null ? List.of() : groups).setImpersonatedUser(impersonatedUser)
                    .setSourceIps(sourceIps == null ? List.of() : sourceIps).setUserAgent(userAgent).setAuditId(auditId)
                    .setAt(Instant.ofEpochMilli(at)).setVia(via).build();
        }
    }

    /** True for an audit event that records a successful write of an object (what attribution reads). */
    public static boolean isWrite(AuditEvent event) {
        AuditObjectReference ref = event.getObjectRef();
        int code = event.getResponseStatus() == null || event.getResponseStatus().getCode() == null ? 0
                : event.getResponseStatus().getCode();
        return event.getStage() == AuditStage.ResponseComplete && ref != null && ref.getResource() != null
                && WRITE_VERBS.contains(event.getVerb()) && code >= 200 && code < 300
                && (ref.getSubresource() == null || OBJECT_SUBRESOURCES.contains(ref.getSubresource()));
    }

    /**
     * The write as the evaluation partitions need it: the name, uid and resulting resourceVersion taken from the
     * response body (a create names the object only there), then every body dropped.
     */
    public static AuditEvent compact(AuditEvent event) {
        AuditObjectReference ref = AuditObjectReference.newBuilder(event.getObjectRef()).build();
        JsonNode metadata = metadata(event.getResponseObject());
        if (metadata != null) {
            if (ref.getName() == null || ref.getName().isEmpty()) {
                ref.setName(metadata.path("name").asText(null));
            }
            if (ref.getUid() == null) {
                ref.setUid(metadata.path("uid").asText(null));
            }
            String resourceVersion = metadata.path("resourceVersion").asText("");
            if (!resourceVersion.isEmpty()) {
                ref.setResourceVersion(resourceVersion);
            }
        } else {
            ref.setResourceVersion(null); // objectRef's own resourceVersion is the one the client sent, not the result
        }
        return AuditEvent.newBuilder(event).setObjectRef(ref).setRequestObject(null).setResponseObject(null).build();
    }

    /** The evaluation scope of a write ({@link EvaluationRouting#scope}): {@code cluster/namespace}. */
    public static String scope(AuditEvent write) {
        AuditObjectReference ref = write.getObjectRef();
        String namespace = "namespaces".equals(ref.getResource()) ? ref.getName() : ref.getNamespace();
        return write.getClusterId() + "/" + (namespace == null ? "" : namespace);
    }

    /** True once a write of the cluster reached this partition: its changes then wait for their writes. */
    boolean audited(String clusterId) {
        if (auditedClusters.contains(clusterId)) {
            return true;
        }
        boolean audited = writes.get(AUDITED_PREFIX + clusterId) != null; // after a restart: the store remembers
        if (audited) {
            auditedClusters.add(clusterId);
        }
        return audited;
    }

    /** Remembers a write (the latest {@link #WRITES_PER_OBJECT} per object). */
    void remember(AuditEvent write) {
        if (auditedClusters.add(write.getClusterId())) {
            writes.put(AUDITED_PREFIX + write.getClusterId(), write.getStageTimestamp().toString());
        }
        AuditObjectReference ref = write.getObjectRef();
        if (ref.getName() == null || ref.getName().isEmpty()) {
            return; // a deletecollection or a create whose response named nothing: no object to attribute
        }
        String key = key(write);
        List<Write> known = new ArrayList<>(read(key));
        known.add(new Write(ref.getResourceVersion(), write.getVerb(), write.getStageTimestamp().toEpochMilli(),
                AuditRules.principal(write), write.getUser() == null ? null : write.getUser().getUid(),
                write.getUser() == null ? List.of() : List.copyOf(write.getUser().getGroups()),
                write.getImpersonatedUser() == null ? null : write.getImpersonatedUser().getUsername(),
                List.copyOf(write.getSourceIps()), write.getUserAgent(), write.getAuditId()));
        while (known.size() > WRITES_PER_OBJECT) {
            known.remove(0);
        }
        try {
            writes.put(key, JSON.writeValueAsString(known));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode writes of " + key, e);
        }
    }

    /** The write that made the change, when the audit stream has it. */
    Optional<Write> writeOf(ResourceChange change) {
        List<Write> known = read(key(change));
        String resourceVersion = change.getResourceVersion();
        for (int i = known.size() - 1; i >= 0; i--) {
            Write write = known.get(i);
            if (resourceVersion != null && resourceVersion.equals(write.resourceVersion())) {
                return Optional.of(write);
            }
        }
        for (int i = known.size() - 1; i >= 0; i--) {
            Write write = known.get(i);
            if (write.resourceVersion() == null && verbMatches(write.verb(), change.getChangeType())
                    && Math.abs(change.getObservedAt().toEpochMilli() - write.at()) <= window.toMillis()) {
                return Optional.of(write);
            }
        }
        return Optional.empty();
    }

    /**
     * The change's attribution from its write: the write's principal, or for an object a controller made, the last
     * person who wrote its owning workload (up the ownership chain) with the controller named in {@code via}.
     *
     * @param owners finds an owner object in the inventory (same cluster and namespace)
     */
    Attribution attribute(ResourceChange change, Write write, OwnerLookup owners) {
        if (!settings.isAutomation(write.username(), write.groups() == null ? List.of() : write.groups())) {
            return write.attribution(AttributionMethod.REQUEST, null);
        }
        ResourceChange current = change;
        for (int depth = 0; depth < OWNER_DEPTH; depth++) {
            Optional<OwnerReference> controller = current.getOwnerReferences().stream()
                    .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
            if (controller.isEmpty()) {
                break;
            }
            OwnerReference owner = controller.get();
            List<Write> ownerWrites = read(key(change.getClusterId(), ResourceNames.plural(owner.getKind()),
                    change.getNamespace(), owner.getName()));
            for (int i = ownerWrites.size() - 1; i >= 0; i--) {
                Write ownerWrite = ownerWrites.get(i);
                if (!settings.isAutomation(ownerWrite.username(), ownerWrite.groups() == null ? List.of() : ownerWrite.groups())) {
                    return ownerWrite.attribution(AttributionMethod.CONTROLLER, owner.getKind() + " "
                            + (change.getNamespace() == null ? "" : change.getNamespace() + "/") + owner.getName()
                            + " via " + write.username());
                }
            }
            Optional<ResourceChange> next = owners.find(owner.getKind(), owner.getName());
            if (next.isEmpty()) {
                break;
            }
            current = next.get();
        }
        return write.attribution(AttributionMethod.REQUEST, null);
    }

    /** The attribution of a change no write was found for. */
    static Attribution unknown() {
        return Attribution.newBuilder().setMethod(AttributionMethod.UNKNOWN).build();
    }

    /** The object is gone: its writes are forgotten. */
    void forget(ResourceChange change) {
        writes.delete(key(change));
    }

    /** The store key of an object's writes (also the key of a change held for its write). */
    static String key(ResourceChange change) {
        return key(change.getClusterId(), ResourceNames.plural(change.getKind()), change.getNamespace(), change.getName());
    }

    static String key(AuditEvent write) {
        AuditObjectReference ref = write.getObjectRef();
        return key(write.getClusterId(), ref.getResource(), namespaceOf(ref), ref.getName());
    }

    /**
     * The namespace of the written object, as its resource changes name it: none for a Namespace, which is
     * cluster-scoped though the apiserver names it as its own namespace in the objectRef of every request on
     * /namespaces/{name} (an update, a patch, a delete; not the create).
     */
    static String namespaceOf(AuditObjectReference ref) {
        return "namespaces".equals(ref.getResource()) ? null : ref.getNamespace();
    }

    private static String key(String cluster, String resource, String namespace, String name) {
        return cluster + "|" + resource + "|" + (namespace == null ? "" : namespace) + "|" + name;
    }

    private static boolean verbMatches(String verb, ChangeType type) {
        return switch (type) {
            case ADDED -> verb.equals("create");
            case MODIFIED -> verb.equals("update") || verb.equals("patch");
            case DELETED -> verb.equals("delete");
            default -> false;
        };
    }

    private List<Write> read(String key) {
        String json = writes.get(key);
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, WRITES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored writes of " + key + " are not readable", e);
        }
    }

    private static JsonNode metadata(String body) {
        if (body == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode metadata = node == null ? null : node.get("metadata");
            return metadata != null && metadata.isObject() && !"Status".equals(node.path("kind").asText()) ? metadata : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Finds an owner object in the inventory by kind and name, in the changed object's namespace. */
    interface OwnerLookup {
        Optional<ResourceChange> find(String kind, String name);
    }
}
