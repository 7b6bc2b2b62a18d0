package dev.kubeproof.ingest.resources;

import java.time.Instant;
import java.util.Map;

import dev.kubeproof.avro.ChangeType;
import dev.kubeproof.avro.ResourceChange;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;

/** Kubernetes objects and records the tests create. */
final class Fixtures {
    static final String CLUSTER = "test-cluster";

    private Fixtures() {
    }

    static Pod pod(String namespace, String name) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).addToLabels("app", name)
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Update")
                        .withApiVersion("v1").build())
                .endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("nginx:1.27").endContainer().endSpec()
                .build();
    }

    static Role role(String namespace, String name, String verb) {
        return new RoleBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .addNewRule().withApiGroups("").withResources("pods").withVerbs(verb).endRule()
                .build();
    }

    static Namespace namespace(String name) {
        return new NamespaceBuilder().withNewMetadata().withName(name).addToLabels("team", "payments").endMetadata()
                .build();
    }

    /** A record as an earlier run of the collector would have written it. */
    static ResourceChange published(String kind, String apiVersion, String namespace, String name,
                                    String resourceVersion) {
        return ResourceChange.newBuilder()
                .setClusterId(CLUSTER)
                .setApiVersion(apiVersion)
                .setKind(kind)
                .setNamespace(namespace)
                .setName(name)
                .setUid("uid-" + name)
                .setResourceVersion(resourceVersion)
                .setChangeType(ChangeType.ADDED)
                .setObservedAt(Instant.parse("2025-12-31T23:00:00Z"))
                .setLabels(Map.of("app", name))
                .setObject("{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\""
                        + name + "\",\"namespace\":\"" + namespace + "\",\"resourceVersion\":\"" + resourceVersion + "\"}}")
                .build();
    }
}
