package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** docs/reference.md is what the code generates today: a new option or config key without a doc update fails. */
class ReferenceDocTest {

    @Test
    void shouldMatchTheReferenceGeneratedFromTheCode() throws Exception {
        Path committed = DeployManifestsTest.repoRoot().resolve("docs/reference.md");
        assertThat(committed).as("run ./kubeproof docs --output docs/reference.md").exists();
        assertThat(Files.readString(committed)).as("docs/reference.md is stale: run ./kubeproof docs --output docs/reference.md")
                .isEqualTo(ReferenceDoc.generate());
    }

    @Test
    void shouldDocumentEveryCommandAndTheConfigKeys() {
        String reference = ReferenceDoc.generate();
        assertThat(reference).contains("### `kubeproof run`", "### `kubeproof stack up`", "### `kubeproof ingest audit`",
                "### `kubeproof streams`", "### `kubeproof sink`", "### `kubeproof scan`", "`webhook.tls.certFile`",
                "`leaderElection.enabled`", "`elasticsearch.password.file`", "`KUBEPROOF_KAFKA_BOOTSTRAP_SERVERS`");
    }

    @Test
    void shouldDescribeEveryConfigKeyOfEveryService() {
        for (Class<?> service : java.util.List.of(dev.kubeproof.ingest.audit.AuditCollectorConfig.class,
                dev.kubeproof.ingest.scans.ScanCollectorConfig.class,
                dev.kubeproof.ingest.resources.ResourceCollectorConfig.class,
                dev.kubeproof.streams.EvidenceServiceConfig.class, dev.kubeproof.sink.config.SinkConfig.class)) {
            assertThat(dev.kubeproof.runtime.ConfigKeys.of(service))
                    .as(service.getSimpleName() + " keys without a meaning")
                    .filteredOn(key -> key.description().isBlank())
                    .extracting(dev.kubeproof.runtime.ConfigKeys.ConfigKey::path).isEmpty();
        }
    }
}
