package dev.kubeproof.ingest.resources.informer;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;

/**
 * Asks the API server for metadata only on every request for a metadata-only kind (Secrets): list, watch and get
 * carry {@code Accept: application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1}, the server-side
 * projection that client-go's metadata informers use, so the Secret data never crosses the wire. fabric8 7.5 has
 * no metadata-only DSL (fabric8io/kubernetes-client#5716), hence the header is set here. There is deliberately no
 * {@code application/json} fallback in the header: a server that cannot project answers 406 rather than with
 * the full Secret. Behind this, {@link CompactItemStore} and {@link ResourceChangeMapper} reduce whatever
 * arrives to metadata, in case a server ignores the header.
 */
public final class MetadataOnlyRequests implements Interceptor {
    /** The name this interceptor is registered under in the HTTP client. */
    public static final String NAME = "kubeproof-metadata-only";
    static final String LIST_ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    static final String OBJECT_ACCEPT = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

    private final List<Pattern> collections;
    private final List<Pattern> objects;

    public MetadataOnlyRequests(Collection<WatchedKind> kinds) {
        List<WatchedKind> metadataOnly = kinds.stream().filter(WatchedKind::metadataOnly).toList();
        this.collections = metadataOnly.stream()
                .map(kind -> Pattern.compile(Pattern.quote(kind.apiRoot()) + "(/namespaces/[^/]+)?/"
                        + Pattern.quote(kind.plural()) + "/?"))
                .toList();
        this.objects = metadataOnly.stream()
                .map(kind -> Pattern.compile(Pattern.quote(kind.apiRoot()) + "(/namespaces/[^/]+)?/"
                        + Pattern.quote(kind.plural()) + "/[^/]+"))
                .toList();
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String accept = acceptFor(request.uri());
        if (accept != null) {
            builder.setHeader("Accept", accept);
        }
    }

    /** The Accept header for a request URI, or null when the URI is not one of a metadata-only kind. */
    String acceptFor(URI uri) {
        String path = uri.getRawPath();
        if (path == null) {
            return null;
        }
        if (collections.stream().anyMatch(p -> p.matcher(path).matches())) {
            return isWatch(uri.getRawQuery()) ? OBJECT_ACCEPT : LIST_ACCEPT;
        }
        if (objects.stream().anyMatch(p -> p.matcher(path).matches())) {
            return OBJECT_ACCEPT;
        }
        return null;
    }

    private static boolean isWatch(String query) {
        if (query == null) {
            return false;
        }
        for (String parameter : query.split("&")) {
            if (parameter.equals("watch=true") || parameter.equals("watch=1") || parameter.equals("watch")) {
                return true;
            }
        }
        return false;
    }
}
