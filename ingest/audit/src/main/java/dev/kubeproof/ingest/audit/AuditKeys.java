package dev.kubeproof.ingest.audit;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.contract.audit.AuditEventIdentity;
import dev.kubeproof.avro.AuditObjectReference;

/**
 * Record keys of the audit-events topic: events about one object share a key (and so a partition, in order):
 * {@code cluster/namespace/resource/name}, with {@code -} for a missing namespace or name, and
 * {@code cluster/-/nonresource/<path>} for non-resource requests such as {@code /healthz}. Subresource requests
 * ({@code pods/exec}) are keyed by their parent object; a Namespace is keyed as the cluster-scoped object it is.
 */
public final class AuditKeys {
    private static final String NONE = "-";

    private AuditKeys() {
    }

    /**
     * @param nameHint the object's name when {@code objectRef} has none (a create with {@code generateName}
     *                 names the object only in the response); may be null
     */
    public static String keyOf(AuditEvent event, String nameHint) {
        AuditObjectReference ref = event.getObjectRef();
        String cluster = event.getClusterId();
        if (ref == null || blank(ref.getResource())) {
            String uri = event.getRequestUri();
            int query = uri.indexOf('?');
            String path = query < 0 ? uri : uri.substring(0, query);
            while (path.startsWith("/")) {
                path = path.substring(1);
            }
            return cluster + "/" + NONE + "/nonresource/" + path;
        }
        String resource = ref.getResource();
        String namespace = "namespaces".equals(resource) || blank(ref.getNamespace()) ? NONE : ref.getNamespace();
        String name = !blank(ref.getName()) ? ref.getName() : !blank(nameHint) ? nameHint : NONE;
        return cluster + "/" + namespace + "/" + resource + "/" + name;
    }

    /** The de-duplication key: the event's identity ({@link AuditEventIdentity}). */
    public static String dedupKeyOf(AuditEvent event) {
        return AuditEventIdentity.of(event);
    }

    private static boolean blank(String value) {
        return value == null || value.isEmpty();
    }
}
