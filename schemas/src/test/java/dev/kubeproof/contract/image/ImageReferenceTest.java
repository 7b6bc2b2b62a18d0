package dev.kubeproof.contract.image;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kubeproof.avro.ImageScan;

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

    @Test
    void shouldNormaliseDockerHubSpellingsToOneKey() {
        assertThat(ImageReference.lookupKeys("nginx")).containsExactly("docker.io/library/nginx:latest");
        assertThat(ImageReference.lookupKeys("nginx:1.27")).containsExactly("docker.io/library/nginx:1.27");
        assertThat(ImageReference.lookupKeys("index.docker.io/library/nginx:1.27"))
                .containsExactly("docker.io/library/nginx:1.27");
        assertThat(ImageReference.lookupKeys("bitnami/redis:7")).containsExactly("docker.io/bitnami/redis:7");
        assertThat(ImageReference.lookupKeys("registry.example.com:5000/team/app:2"))
                .containsExactly("registry.example.com:5000/team/app:2");
        assertThat(ImageReference.lookupKeys("localhost/app")).containsExactly("localhost/app:latest");
        assertThat(ImageReference.lookupKeys("ghcr.io/acme/app:1.0@sha256:abc")).containsExactly("@sha256:abc");
        assertThat(ImageReference.lookupKeys("  ")).isEmpty();
    }

    @Test
    void shouldFindAScanByTagOrDigest() {
        // Given
        // (only the reference fields matter to the lookup)
        ImageScan scan = new ImageScan();
        scan.setImageRef("index.docker.io/library/nginx:1.27");
        scan.setRepository("index.docker.io/library/nginx");
        scan.setTag("1.27");
        scan.setDigest("sha256:abc");

        // Then
        assertThat(ImageReference.lookupKeys(scan)).containsExactly("@sha256:abc", "docker.io/library/nginx:1.27");
        assertThat(ImageReference.lookupKeys(scan)).containsAll(ImageReference.lookupKeys("nginx:1.27"));
        assertThat(ImageReference.lookupKeys(scan)).containsAll(ImageReference.lookupKeys("nginx@sha256:abc"));
    }


    @Test
    void shouldSplitAReferenceAsWritten() {
        assertThat(ImageReference.split("registry:5000/app")).isEqualTo(new ImageReference.Parts("registry:5000/app", null, null));
        assertThat(ImageReference.split("alpine:3.10@sha256:ab")).isEqualTo(new ImageReference.Parts("alpine", "3.10", "sha256:ab"));
    }
}
