package dev.kubeproof.ingest.resources.informer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import dev.kubeproof.ingest.resources.kinds.KindCatalog;

import org.junit.jupiter.api.Test;

class MetadataOnlyRequestsTest {
    private final MetadataOnlyRequests requests = new MetadataOnlyRequests(KindCatalog.all());

    @Test
    void shouldAskForPartialObjectMetadataOnSecretListsWatchesAndGets() {
        assertThat(requests.acceptFor(URI.create("https://api:6443/api/v1/secrets?resourceVersion=0")))
                .isEqualTo("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
        assertThat(requests.acceptFor(URI.create("https://api:6443/api/v1/namespaces/shop/secrets?limit=500")))
                .isEqualTo("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
        assertThat(requests.acceptFor(URI.create(
                "https://api:6443/api/v1/secrets?allowWatchBookmarks=true&resourceVersion=12&watch=true")))
                .isEqualTo("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
        assertThat(requests.acceptFor(URI.create("https://api:6443/api/v1/namespaces/shop/secrets/db")))
                .isEqualTo("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
    }

    @Test
    void shouldLeaveOtherRequestsAlone() {
        assertThat(requests.acceptFor(URI.create("https://api:6443/api/v1/pods?watch=true"))).isNull();
        assertThat(requests.acceptFor(URI.create("https://api:6443/api/v1/namespaces/secrets"))).isNull();
        assertThat(requests.acceptFor(URI.create("https://api:6443/apis/apps/v1/secrets"))).isNull();
        assertThat(requests.acceptFor(URI.create("https://api:6443/apis/coordination.k8s.io/v1/namespaces/kubeproof/leases/x")))
                .isNull();
    }
}
