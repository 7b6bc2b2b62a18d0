package dev.kubeproof.ingest.resources.kinds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class KindCatalogTest {

    @Test
    void shouldResolveKindsByNameOrPluralIgnoringCase() {
        assertThat(KindCatalog.resolve(List.of("pods", "ClusterRoleBinding", "networkpolicy"), "kinds"))
                .extracting(WatchedKind::apiVersion, WatchedKind::plural, WatchedKind::namespaced)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("v1", "pods", true),
                        org.assertj.core.groups.Tuple.tuple("rbac.authorization.k8s.io/v1", "clusterrolebindings", false),
                        org.assertj.core.groups.Tuple.tuple("networking.k8s.io/v1", "networkpolicies", true));
    }

    @Test
    void shouldWatchSecretsMetadataOnlyAndVulnerabilityReportsOnlyWhenServed() {
        WatchedKind secret = KindCatalog.resolve(List.of("Secret"), "kinds").get(0);
        WatchedKind report = KindCatalog.resolve(List.of("VulnerabilityReport"), "kinds").get(0);
        assertThat(secret.metadataOnly()).isTrue();
        assertThat(KindCatalog.all()).filteredOn(WatchedKind::metadataOnly).containsExactly(secret);
        assertThat(report.optional()).isTrue();
        assertThat(report.apiVersion()).isEqualTo("aquasecurity.github.io/v1alpha1");
        assertThat(report.apiRoot()).isEqualTo("/apis/aquasecurity.github.io/v1alpha1");
    }

    @Test
    void shouldRejectDuplicatesAndEmptyLists() {
        assertThatThrownBy(() -> KindCatalog.resolve(List.of("Pod", "pods"), "kinds"))
                .hasMessage("kinds[1]: kind 'pods' is listed twice");
        assertThatThrownBy(() -> KindCatalog.resolve(List.of(), "kinds"))
                .hasMessageStartingWith("kinds must list at least one kind");
    }
}
