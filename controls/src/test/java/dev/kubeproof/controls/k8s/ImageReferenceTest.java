package dev.kubeproof.controls.k8s;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageReferenceTest {

    @Test
    void shouldApplyDockerDefaultsToShortNames() {
        assertThat(ImageReference.parse("nginx")).isEqualTo(new ImageReference("docker.io", "library/nginx", null, null));
        assertThat(ImageReference.parse("index.docker.io/library/nginx:alpine").name()).isEqualTo("docker.io/library/nginx");
        assertThat(ImageReference.parse("bitnami/kafka:3.9").name()).isEqualTo("docker.io/bitnami/kafka");
    }

    @Test
    void shouldTellARegistryPortFromATagAndKeepDigests() {
        ImageReference reference = ImageReference.parse("localhost:5000/team/app@sha256:abc");
        assertThat(reference.registry()).isEqualTo("localhost:5000");
        assertThat(reference.repository()).isEqualTo("team/app");
        assertThat(reference.tag()).isNull();
        assertThat(reference.hasDigest()).isTrue();
        assertThat(ImageReference.parse("registry.example.com:5000/app:1.0").tag()).isEqualTo("1.0");
    }

    @Test
    void shouldMatchTrustedPrefixesByPathSegment() {
        ImageReference image = ImageReference.parse("ghcr.io/kubeproof/app:1.0");
        assertThat(image.isUnder("ghcr.io/kubeproof")).isTrue();
        assertThat(image.isUnder("ghcr.io/kubeproof/")).isTrue();
        assertThat(image.isUnder("ghcr.io")).isTrue();
        assertThat(image.isUnder("ghcr.io/kube")).isFalse();
        assertThat(ImageReference.parse("nginx").isUnder("index.docker.io/library")).isTrue();
    }
}
