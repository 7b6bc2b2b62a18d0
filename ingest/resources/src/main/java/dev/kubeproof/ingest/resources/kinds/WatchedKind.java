package dev.kubeproof.ingest.resources.kinds;

import java.util.Objects;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * One kind the collector watches: where it lives in the API and how much of it the collector may hold.
 *
 * @param kind         the kind, e.g. {@code Deployment}
 * @param group        the API group, empty for the core group
 * @param version      the API version within the group
 * @param plural       the resource name in URLs, e.g. {@code deployments}
 * @param namespaced   true for namespaced kinds
 * @param metadataOnly true when only {@code metadata} may be fetched, cached and published (Secrets)
 * @param optional     true when the kind is served only if a CRD is installed; checked by API discovery and
 *                     skipped when absent
 */
public record WatchedKind(String kind, String group, String version, String plural, boolean namespaced,
                          boolean metadataOnly, boolean optional) {

    public WatchedKind {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(plural, "plural");
    }

    /** {@code v1} for the core group, {@code group/version} otherwise. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The path prefix of the resource's collection across namespaces, e.g. {@code /apis/apps/v1}. */
    public String apiRoot() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    public ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }

    @Override
    public String toString() {
        return kind + " (" + apiVersion() + ")";
    }
}
