package dev.kubeproof.ingest.resources.informer;

import static dev.kubeproof.ingest.resources.informer.ResourceChangeMapperTest.kind;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import org.junit.jupiter.api.Test;

class CompactItemStoreTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Test
    void shouldKeepOnlyTheMetadataOfASecret() {
        // Given
        CompactItemStore store = new CompactItemStore(kind("Secret"), SERIALIZATION);
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
        assertThat(kept.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(secret.getMetadata().getAnnotations()).as("the original is left alone")
                .containsKey(ResourceChangeMapper.LAST_APPLIED);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.remove("shop/db")).isEqualTo(kept);
        assertThat(store.contains("shop/db")).isFalse();
    }

    @Test
    void shouldGiveBackAPodAsItWasListedWithoutItsManagedFields() {
        // Given a Pod as a list returns it: without apiVersion and kind, with managedFields and last-applied
        CompactItemStore store = new CompactItemStore(kind("Pod"), SERIALIZATION);
        GenericKubernetesResource pod = new GenericKubernetesResourceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("web-1").withResourceVersion("7")
                        .withUid("u-1").addToLabels("app", "web")
                        .addToAnnotations(ResourceChangeMapper.LAST_APPLIED, "{\"kind\":\"Pod\"}")
                        .withManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl").build()))
                        .build())
                .addToAdditionalProperties("spec", Map.of("containers", List.of(Map.of("name", "web",
                        "image", "nginx:1.27", "ports", List.of(Map.of("containerPort", 8080))))))
                .addToAdditionalProperties("status", Map.of("phase", "Running"))
                .build();

        // When
        GenericKubernetesResource previous = store.put(store.getKey(pod), pod);

        // Then spec, status and metadata come back equal; only managedFields are gone, and kind is the watched one
        assertThat(previous).isNull();
        GenericKubernetesResource kept = store.get("shop/web-1");
        assertThat(kept.getAdditionalProperties()).isEqualTo(pod.getAdditionalProperties());
        assertThat(kept.getMetadata().getAnnotations()).isEqualTo(pod.getMetadata().getAnnotations());
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(kept.getApiVersion()).isEqualTo("v1");
        assertThat(kept.getKind()).isEqualTo("Pod");
        assertThat(pod.getMetadata().getManagedFields()).as("the original is left alone").hasSize(1);
        assertThat(store.values()).containsExactly(kept);
        assertThat(store.keySet()).containsExactly("shop/web-1");
    }

    @Test
    void shouldReturnThePreviousStateOnUpdateForTheInformersUpdateEvent() {
        // Given
        CompactItemStore store = new CompactItemStore(kind("Pod"), SERIALIZATION);
        GenericKubernetesResource first = new GenericKubernetesResourceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("web-1").withResourceVersion("7")
                        .build())
                .build();
        GenericKubernetesResource second = new GenericKubernetesResourceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("web-1").withResourceVersion("8")
                        .build())
                .build();
        store.put("shop/web-1", first);

        // When
        GenericKubernetesResource previous = store.put("shop/web-1", second);

        // Then
        assertThat(previous.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(store.get("shop/web-1").getMetadata().getResourceVersion()).isEqualTo("8");
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.contains("shop/web-1")).isTrue();
    }
}
