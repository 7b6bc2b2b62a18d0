package dev.kubeproof.ingest.resources.informer;

import static dev.kubeproof.ingest.resources.informer.ResourceChangeMapperTest.kind;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

import org.junit.jupiter.api.Test;

class MetadataOnlyItemStoreTest {

    @Test
    void shouldKeepOnlyTheMetadataOfASecret() {
        // Given
        MetadataOnlyItemStore store = new MetadataOnlyItemStore(kind("Secret"));
        GenericKubernetesResource secret = new GenericKubernetesResourceBuilder()
                .withApiVersion("v1").withKind("Secret")
                .withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("db").withResourceVersion("4")
                        .addToLabels("app", "db")
                        .addToAnnotations(ResourceChangeMapper.LAST_APPLIED, "{\"data\":{\"password\":\"aHVudGVyMg==\"}}")
                        .withManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl").build()))
                        .build())
                .addToAdditionalProperties("data", Map.of("password", "aHVudGVyMg=="))
                .build();

        // When
        store.put(store.getKey(secret), secret);

        // Then
        GenericKubernetesResource kept = store.get("shop/db");
        assertThat(kept.getAdditionalProperties()).isEmpty();
        assertThat(kept.getMetadata().getLabels()).containsEntry("app", "db");
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("4");
        assertThat(kept.getMetadata().getAnnotations()).isNull();
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(secret.getMetadata().getAnnotations()).as("the original is left alone")
                .containsKey(ResourceChangeMapper.LAST_APPLIED);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.remove("shop/db")).isSameAs(kept);
    }
}
