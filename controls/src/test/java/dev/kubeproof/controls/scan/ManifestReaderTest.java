package dev.kubeproof.controls.scan;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestReaderTest {

    @Test
    void shouldReadDirectoriesRecursivelyInNameOrderAndUnwrapLists() {
        // Given the hardened manifests folder (a subfolder, a multi-document file, a JSON List, a text file)
        ManifestReader reader = new ManifestReader(null, InputStreams.empty());

        // When it is read
        List<Manifest> manifests = reader.read(List.of(ScanFixtures.path("manifests/hardened")));

        // Then every object is there, the List's items unwrapped, the text file ignored, lines recorded
        assertThat(manifests).extracting(Manifest::displayName).containsExactly(
                "ServiceAccount shop/web", "Deployment shop/web", "Service shop/web",
                "LimitRange shop/defaults",
                "Namespace shop", "NetworkPolicy shop/default-deny", "ResourceQuota shop/compute");
        assertThat(manifests.get(4).line()).isEqualTo(2);
        assertThat(manifests.get(5).line()).isEqualTo(10);
        assertThat(manifests.get(6).line()).isEqualTo(20);
        assertThat(manifests.get(3).source()).endsWith("limits.json");
    }

    @Test
    void shouldReadStandardInputAndSkipNonKubernetesDocumentsWithAWarning() {
        // Given kustomize-like output on stdin, with an empty document, a stray values file and a Kustomization
        String input = """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                ---
                replicas: 3
                ---
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [a.yaml]
                """;
        ManifestReader reader = new ManifestReader(null, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));

        // When - is read
        List<Manifest> manifests = reader.read(List.of("-"));

        // Then the ConfigMap is read from <stdin> and the rest is reported, not silently dropped
        assertThat(manifests).extracting(Manifest::displayName, Manifest::source)
                .containsExactly(tuple("ConfigMap settings", "<stdin>"));
        assertThat(reader.warnings()).hasSize(2)
                .anySatisfy(w -> assertThat(w).startsWith("<stdin>:6: skipped a document that is not a Kubernetes object"))
                .anySatisfy(w -> assertThat(w).startsWith("<stdin>:8: skipped Kustomization"));
    }

    @Test
    void shouldGiveNamespacedObjectsWithoutNamespaceTheRequestedOne() {
        // Given a namespace like kubectl apply -n
        ManifestReader reader = new ManifestReader("shop", InputStreams.empty());

        // When namespaced and cluster-scoped objects are read
        List<Manifest> manifests = reader.parse(new StringReader("""
                {apiVersion: v1, kind: Pod, metadata: {name: a}}
                ---
                {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: other}}
                ---
                {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: c}}
                """), "test.yaml");

        // Then only the namespaced object without one gets it
        assertThat(manifests).extracting(Manifest::displayName).containsExactly("Pod shop/a", "Pod other/b", "ClusterRole c");
    }

    @Test
    void shouldNameFileAndLineOfMalformedYaml() {
        ManifestReader reader = new ManifestReader(null, InputStreams.empty());

        assertThatThrownBy(() -> reader.parse(new StringReader("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n"), "broken.yaml"))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith("broken.yaml:")
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> reader.read(List.of("/no/such/dir")))
                .hasMessage("/no/such/dir: no such file or directory");
    }
}
