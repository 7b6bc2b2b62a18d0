package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadAFileWithoutItsTrailingLineBreak() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "p@ss word\r\n");
        assertThat(Secret.fromFile("k", file).read(name -> null)).isEqualTo("p@ss word");
    }

    @Test
    void shouldReadAnEnvironmentVariable() {
        Secret secret = Secret.fromEnvironment("elasticsearch.api-key-env", "ES_KEY");
        assertThat(secret.read(Map.of("ES_KEY", "a2V5")::get)).isEqualTo("a2V5");
        assertThat(secret.toString()).isEqualTo("Secret[env:ES_KEY]");
    }

    @Test
    void shouldFailNamingTheSourceButNotAValue() throws Exception {
        Secret unset = Secret.fromEnvironment("elasticsearch.password-env", "NOT_SET");
        assertThatThrownBy(() -> unset.read(name -> null)).hasMessageContaining("NOT_SET");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> Secret.fromFile("elasticsearch.password-file", empty).read(name -> null))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Secret.fromFile("elasticsearch.password-file", dir.resolve("nope")))
                .hasMessageContaining("elasticsearch.password-file").hasMessageContaining("nope");
    }
}
