package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokensTest {

    @Test
    void shouldAcceptAnyTokenOfTheFileAndNothingElse(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# rotated monthly\nold-token-0123456789\n\nnew-token-0123456789\n");
        BearerTokens tokens = BearerTokens.fromFile(file, "webhook.bearerTokenFile");

        // Then
        assertThat(tokens.acceptsHeader("Bearer new-token-0123456789")).isTrue();
        assertThat(tokens.acceptsHeader("bearer old-token-0123456789")).isTrue();
        assertThat(tokens.acceptsHeader("Bearer new-token-012345678")).isFalse();
        assertThat(tokens.acceptsHeader("Basic new-token-0123456789")).isFalse();
        assertThat(tokens.acceptsHeader(null)).isFalse();
        assertThat(tokens.toString()).doesNotContain("token-0123");
    }

    @Test
    void shouldRejectShortTokensAndEmptyFiles(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "# nothing\n");
        assertThatThrownBy(() -> BearerTokens.fromFile(empty, "k")).hasMessageContaining("holds no token");
        assertThatThrownBy(() -> BearerTokens.of(List.of("short"), "scans.bearerTokenFile"))
                .hasMessageContaining("scans.bearerTokenFile").hasMessageContaining("at least 16");
    }

    @Test
    void shouldReadBodiesUpToTheLimit() throws Exception {
        assertThat(LimitedBody.read(new ByteArrayInputStream(new byte[10]), 10).oversized()).isFalse();
        LimitedBody big = LimitedBody.read(new ByteArrayInputStream(new byte[100_000]), 10);
        assertThat(big.oversized()).isTrue();
        assertThat(big.bytes()).hasSize(10);
    }
}
