package dev.kubeproof.ingest.resources.informer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.contract.redaction.CredentialValues;
import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.OwnerReference;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Turns what an informer saw into a {@link ResourceChange}: the key, the metadata fields, and the object as JSON
 * with {@code managedFields} stripped. Kinds watched metadata-only (Secrets) are reduced to apiVersion, kind and
 * metadata before anything is serialized, and lose the {@code last-applied-configuration} annotation, which
 * {@code kubectl apply} fills with the whole object, data included.
 */
public final class ResourceChangeMapper {
    /** Annotation that {@code kubectl apply} fills with the applied object; for Secrets it holds the data. */
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    /** The namespace part of the key of cluster-scoped objects. */
    public static final String CLUSTER_SCOPED = "-";
    private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String clusterId;
    private final Clock clock;
    private final int maxObjectBytes;
    private final KubernetesSerialization serialization;

    public ResourceChangeMapper(String clusterId, Clock clock, int maxObjectBytes, KubernetesSerialization serialization) {
        if (clusterId == null || !CLUSTER_ID.matcher(clusterId).matches()) {
            throw new IllegalArgumentException("clusterId '" + clusterId + "' must match " + CLUSTER_ID.pattern());
        }
        if (maxObjectBytes < 1) {
            throw new IllegalArgumentException("maxObjectBytes must be positive, was " + maxObjectBytes);
        }
        this.clusterId = clusterId;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxObjectBytes = maxObjectBytes;
        this.serialization = Objects.requireNonNull(serialization, "serialization");
    }

    public String clusterId() {
        return clusterId;
    }

    /** The record key: {@code cluster/kind/namespace/name}, {@code -} as namespace of cluster-scoped objects. */
    public static String key(String clusterId, String kind, String namespace, String name) {
        return clusterId + "/" + kind + "/" + (namespace == null || namespace.isEmpty() ? CLUSTER_SCOPED : namespace)
                + "/" + name;
    }

    /** The key of an object, or null when it has no name (such an object is dead-lettered by {@link #toChange}). */
    public String keyOf(WatchedKind kind, GenericKubernetesResource object) {
        ObjectMeta metadata = object == null ? null : object.getMetadata();
        if (metadata == null || isBlank(metadata.getName())) {
            return null;
        }
        return key(clusterId, kind.kind(), kind.namespaced() ? metadata.getNamespace() : null, metadata.getName());
    }

    /**
     * What of an object may leave the collector, and stay in its informers' cache: never managedFields; for a
     * metadata-only kind only apiVersion, kind and metadata, without the last-applied-configuration annotation (for
     * Secrets it holds the data). The original is left alone.
     */
    public static GenericKubernetesResource reduce(WatchedKind kind, GenericKubernetesResource object) {
        GenericKubernetesResource reduced = new GenericKubernetesResource();
        // Lists return items without apiVersion and kind; the watched kind is authoritative.
        reduced.setApiVersion(kind.apiVersion());
        reduced.setKind(kind.kind());
        if (!kind.metadataOnly()) {
            reduced.setAdditionalProperties(object.getAdditionalProperties());
        }
        ObjectMeta metadata = object.getMetadata();
        if (metadata != null) {
            Map<String, String> annotations = metadata.getAnnotations();
            if (kind.metadataOnly() && annotations != null) {
                annotations = new LinkedHashMap<>(annotations);
                annotations.remove(LAST_APPLIED);
            }
            reduced.setMetadata(new ObjectMetaBuilder(metadata)
                    .withManagedFields((List<ManagedFieldsEntry>) null)
                    .withAnnotations(annotations == null || annotations.isEmpty() ? null : annotations)
                    .build());
        }
        return reduced;
    }

    /**
     * The object as it may leave the collector: {@link #reduce reduced}, literal credential values of env variables
     * replaced ({@link CredentialValues}).
     */
    public ObjectNode sanitize(WatchedKind kind, GenericKubernetesResource object) {
        JsonNode tree = serialization.convertValue(reduce(kind, object), JsonNode.class);
        ObjectNode sanitized = tree instanceof ObjectNode node ? node : JsonNodeFactory.instance.objectNode();
        // Literal credentials in env values (and kubectl's copy of the manifest) never leave the collector.
        CredentialValues.redact(sanitized, CredentialValues.DEFAULT_NAMES);
        return sanitized;
    }

    /**
     * The change record for an object.
     *
     * @throws InvalidInputException (MISSING_FIELD, OVERSIZED) when the object cannot become a record
     */
    public ResourceChange toChange(WatchedKind kind, GenericKubernetesResource object, ChangeType changeType,
                                   boolean finalStateUnknown) {
        ObjectMeta metadata = object == null ? null : object.getMetadata();
        if (metadata == null) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, kind.kind() + " without metadata");
        }
        if (isBlank(metadata.getName())) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, kind.kind() + " without metadata.name");
        }
        String what = kind.kind() + " " + (metadata.getNamespace() == null ? "" : metadata.getNamespace() + "/")
                + metadata.getName();
        if (kind.namespaced() && isBlank(metadata.getNamespace())) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, what + " without metadata.namespace");
        }
        if (isBlank(metadata.getUid())) {
            throw new InvalidInputException(ErrorTypes.MISSING_FIELD, what + " without metadata.uid");
        }
        String json = serialization.asJson(sanitize(kind, object));
        int size = json.getBytes(StandardCharsets.UTF_8).length;
        if (size > maxObjectBytes) {
            throw new InvalidInputException(ErrorTypes.OVERSIZED, what + " is " + size + " bytes as JSON, more than the"
                    + " limit of " + maxObjectBytes);
        }
        return ResourceChange.newBuilder()
                .setClusterId(clusterId)
                .setApiVersion(kind.apiVersion())
                .setKind(kind.kind())
                .setNamespace(kind.namespaced() ? metadata.getNamespace() : null)
                .setName(metadata.getName())
                .setUid(metadata.getUid())
                .setResourceVersion(metadata.getResourceVersion())
                .setChangeType(changeType)
                .setObservedAt(clock.instant())
                .setLabels(metadata.getLabels() == null ? Map.of() : new LinkedHashMap<>(metadata.getLabels()))
                .setOwnerReferences(owners(metadata))
                .setObject(json)
                .setFinalStateUnknown(finalStateUnknown)
                .build();
    }

    /**
     * The delete of an object found missing at start-up: the last record the topic held, as DELETED with
     * {@code finalStateUnknown}, observed now.
     */
    public ResourceChange recoveredDelete(ResourceChange last) {
        return ResourceChange.newBuilder(last)
                .setChangeType(ChangeType.DELETED)
                .setFinalStateUnknown(true)
                .setObservedAt(clock.instant())
                .setAuditId(null)
                .setActor(null)
                .build();
    }

    private static List<OwnerReference> owners(ObjectMeta metadata) {
        List<OwnerReference> owners = new ArrayList<>();
        if (metadata.getOwnerReferences() != null) {
            for (io.fabric8.kubernetes.api.model.OwnerReference owner : metadata.getOwnerReferences()) {
                owners.add(OwnerReference.newBuilder()
                        .setApiVersion(Objects.toString(owner.getApiVersion(), ""))
                        .setKind(Objects.toString(owner.getKind(), ""))
                        .setName(Objects.toString(owner.getName(), ""))
                        .setUid(Objects.toString(owner.getUid(), ""))
                        .setController(Boolean.TRUE.equals(owner.getController()))
                        .build());
            }
        }
        return owners;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
