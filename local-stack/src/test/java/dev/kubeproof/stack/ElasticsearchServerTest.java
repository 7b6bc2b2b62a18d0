package dev.kubeproof.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElasticsearchServerTest {

    @Test
    void shouldRemoveOnlyTheMovedDataOfStackHomesThatNoLongerExist(@TempDir Path tmp) throws IOException {
        // Given: bases moved to the temporary directory, as when running as root with a home others cannot reach
        Path liveHome = Files.createDirectories(tmp.resolve("homes/live/elasticsearch"));
        Path orphan = base(tmp, "kubeproof-es-1", tmp.resolve("homes/deleted/elasticsearch").toString());
        Path live = base(tmp, "kubeproof-es-2", liveHome.toString());
        Path own = base(tmp, "kubeproof-es-3", tmp.resolve("homes/also-deleted/elasticsearch").toString());
        Path unmarked = Files.createDirectories(tmp.resolve("kubeproof-es-4/data"));
        Path unrelated = Files.createDirectories(tmp.resolve("something-else"));

        // When: the base of a stack starting now is own
        var removed = ElasticsearchServer.removeOrphanedBases(tmp, own);

        // Then: only the base whose home is gone; a live one, one's own, an unmarked one and others stay
        assertThat(removed).containsExactly(orphan);
        assertThat(orphan).doesNotExist();
        assertThat(live).exists();
        assertThat(own).exists();
        assertThat(unmarked).exists();
        assertThat(unrelated).exists();
    }

    private static Path base(Path tmp, String name, String home) throws IOException {
        Path base = Files.createDirectories(tmp.resolve(name).resolve("data/nodes"));
        Files.writeString(base.resolve("segment"), "x", StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve(name).resolve(ElasticsearchServer.HOME_MARKER), home, StandardCharsets.UTF_8);
        return tmp.resolve(name);
    }
}
