package dev.kubeproof.ingest.resources.informer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;
import dev.kubeproof.ingest.resources.kinds.KindCatalog;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import org.junit.jupiter.api.Test;

class ResourceChangeMapperTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final WatchedKind POD = kind("Pod");
    private static final WatchedKind SECRET = kind("Secret");
    private static final WatchedKind NODE = kind("Node");

    private final ResourceChangeMapper mapper = new ResourceChangeMapper("c1", CLOCK, 4096, new KubernetesSerialization());

    @Test
    void shouldKeyNamespacedAndClusterScopedObjects() {
        assertThat(mapper.keyOf(POD, object("shop", "web", "u1"))).isEqualTo("c1/Pod/shop/web");
        assertThat(mapper.keyOf(NODE, object(null, "node-1", "u2"))).isEqualTo("c1/Node/-/node-1");
        assertThat(mapper.keyOf(POD, new GenericKubernetesResource())).isNull();
    }

    @Test
    void shouldMapMetadataOwnersAndTheObjectWithoutManagedFields() {
        // Given
        GenericKubernetesResource pod = object("shop", "web-1", "u1");
        pod.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                .withKind("ReplicaSet").withName("web").withUid("rs-1").withController(true).build()));
        pod.getMetadata().setManagedFields(List.of(new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
                .withManager("kube-controller-manager").build()));

        // When
        ResourceChange change = mapper.toChange(POD, pod, ChangeType.MODIFIED, false);

        // Then
        assertThat(change.getKind()).isEqualTo("Pod");
        assertThat(change.getApiVersion()).isEqualTo("v1");
        assertThat(change.getChangeType()).isEqualTo(ChangeType.MODIFIED);
        assertThat(change.getResourceVersion()).isEqualTo("7");
        assertThat(change.getObservedAt()).isEqualTo(CLOCK.instant());
        assertThat(change.getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("ReplicaSet");
            assertThat(owner.getController()).isTrue();
        });
        assertThat(change.getObject()).contains("\"image\":\"nginx\"").contains("\"kind\":\"Pod\"")
                .doesNotContain("managedFields").doesNotContain("kube-controller-manager");
        assertThat(change.getAuditId()).isNull();
    }

    @Test
    void shouldReplaceLiteralCredentialsInEnvValuesAndInTheLastAppliedManifest() {
        // Given a pod with DB_PASSWORD written in its env, and kubectl's copy of the manifest with it
        GenericKubernetesResource pod = object("shop", "web-1", "u1");
        String password = "hunter2-do-not-leak";
        pod.setAdditionalProperty("spec", java.util.Map.of("containers", List.of(java.util.Map.of("name", "app",
                "env", List.of(java.util.Map.of("name", "DB_PASSWORD", "value", password),
                        java.util.Map.of("name", "PASSWORD_FILE", "value", "/run/secrets/db"),
                        java.util.Map.of("name", "ALLOW_EMPTY_PASSWORD", "value", "yes"))))));
        pod.getMetadata().setAnnotations(java.util.Map.of("kubectl.kubernetes.io/last-applied-configuration",
                "{\"spec\":{\"containers\":[{\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"" + password + "\"}]}]}}"));

        // When it becomes a change record
        ResourceChange change = mapper.toChange(POD, pod, ChangeType.ADDED, false);

        // Then the value is nowhere in it, the marker says where it was, and a file path and a yes/no switch stay
        assertThat(change.getObject()).doesNotContain(password)
                .contains(dev.kubeproof.contract.redaction.CredentialValues.MARKER).contains("/run/secrets/db")
                .contains("\"value\":\"yes\"");
    }

    @Test
    void shouldReplaceCredentialsInConfigMapDataAndKeepWhereTheyWere() {
        // Given a ConfigMap with a password entry, a private key, an embedded properties file and kubectl's copy
        GenericKubernetesResource configMap = object("shop", "settings", "u9");
        String password = "hunter2-do-not-leak";
        String key = "MIIEexample-do-not-leak";
        configMap.setAdditionalProperty("data", java.util.Map.of("db_password", password, "db_host", "db.shop",
                "tls.pem", "-----BEGIN RSA PRIVATE KEY-----\n" + key + "\n-----END RSA PRIVATE KEY-----\n",
                "app.properties", "region=eu-west-1\napi_token = " + password + "\npassword_file=/run/secrets/db\n"));
        configMap.getMetadata().setAnnotations(java.util.Map.of("kubectl.kubernetes.io/last-applied-configuration",
                "{\"kind\":\"ConfigMap\",\"data\":{\"db_password\":\"" + password + "\"}}"));
        WatchedKind kind = kind("ConfigMap");

        // When it becomes a change record
        ResourceChange change = mapper.toChange(kind, configMap, ChangeType.ADDED, false);

        // Then neither the password nor the key is in it; the settings and the file path stay
        assertThat(change.getObject()).doesNotContain(password).doesNotContain(key)
                .contains(dev.kubeproof.contract.redaction.CredentialValues.MARKER).contains("BEGIN PRIVATE KEY")
                .contains("region=eu-west-1").contains("/run/secrets/db").contains("db.shop");
    }

    @Test
    void shouldReduceMetadataOnlyKindsBeforeSerializingAnything() {
        // Given: a Secret as a server that ignored the metadata-only request would send it
        GenericKubernetesResource secret = new GenericKubernetesResourceBuilder()
                .withApiVersion("v1").withKind("Secret")
                .withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("db").withUid("u3")
                        .withResourceVersion("9")
                        .addToAnnotations(ResourceChangeMapper.LAST_APPLIED, "{\"data\":{\"password\":\"aHVudGVyMg==\"}}")
                        .build())
                .addToAdditionalProperties("data", Map.of("password", "aHVudGVyMg=="))
                .addToAdditionalProperties("stringData", Map.of("token", "hunter2"))
                .addToAdditionalProperties("type", "Opaque")
                .build();

        // When
        ObjectNode sanitized = mapper.sanitize(SECRET, secret);
        ResourceChange change = mapper.toChange(SECRET, secret, ChangeType.ADDED, false);

        // Then
        assertThat(sanitized.properties()).extracting(Map.Entry::getKey)
                .containsExactly("apiVersion", "kind", "metadata");
        assertThat(change.getObject()).doesNotContain("aHVudGVyMg==").doesNotContain("hunter2")
                .doesNotContain("last-applied-configuration").contains("\"name\":\"db\"");
    }

    @Test
    void shouldRejectObjectsThatCannotBecomeRecords() {
        assertThatThrownBy(() -> mapper.toChange(POD, object("shop", "web", null), ChangeType.ADDED, false))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorTypes.MISSING_FIELD))
                .hasMessage("Pod shop/web without metadata.uid");
        assertThatThrownBy(() -> mapper.toChange(POD, object(null, "web", "u1"), ChangeType.ADDED, false))
                .hasMessage("Pod web without metadata.namespace");
        assertThatThrownBy(() -> mapper.toChange(POD, new GenericKubernetesResource(), ChangeType.ADDED, false))
                .hasMessage("Pod without metadata");
        GenericKubernetesResource big = object("shop", "big", "u1");
        big.getMetadata().setAnnotations(Map.of("notes", "x".repeat(5000)));
        assertThatThrownBy(() -> mapper.toChange(POD, big, ChangeType.ADDED, false))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorTypes.OVERSIZED))
                .hasMessageContaining("more than the limit of 4096");
    }

    @Test
    void shouldTurnTheLastRecordIntoARecoveredDelete() {
        // Given
        ResourceChange last = mapper.toChange(POD, object("shop", "web", "u1"), ChangeType.ADDED, false);
        ResourceChangeMapper later = new ResourceChangeMapper("c1", Clock.offset(CLOCK, java.time.Duration.ofHours(1)),
                4096, new KubernetesSerialization());

        // When
        ResourceChange deleted = later.recoveredDelete(last);

        // Then
        assertThat(deleted.getChangeType()).isEqualTo(ChangeType.DELETED);
        assertThat(deleted.getFinalStateUnknown()).isTrue();
        assertThat(deleted.getObject()).isEqualTo(last.getObject());
        assertThat(deleted.getObservedAt()).isEqualTo(CLOCK.instant().plusSeconds(3600));
    }

    static WatchedKind kind(String name) {
        return KindCatalog.resolve(List.of(name), "kinds").get(0);
    }

    static GenericKubernetesResource object(String namespace, String name, String uid) {
        return new GenericKubernetesResourceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid(uid)
                        .withResourceVersion("7").addToLabels("app", name).build())
                .addToAdditionalProperties("spec", Map.of("containers", List.of(Map.of("name", "main",
                        "image", "nginx"))))
                .build();
    }
}
