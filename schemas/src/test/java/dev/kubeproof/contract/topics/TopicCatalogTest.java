package dev.kubeproof.contract.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicCatalogTest {

    @Test
    void shouldNameEveryTopicOnceWithThePrefix() {
        TopicCatalog catalog = new TopicCatalog("acme.");
        assertThat(catalog.all()).extracting(TopicSpec::name).doesNotHaveDuplicates().allMatch(n -> n.startsWith("acme."));
        assertThat(catalog.all()).hasSize(12);
    }

    @Test
    void shouldCompactLatestStateTopicsAndKeepEvidenceForever() {
        TopicCatalog catalog = TopicCatalog.defaults();
        assertThat(catalog.resourceChanges().configs()).containsEntry("cleanup.policy", "compact");
        assertThat(catalog.imageScans().configs()).containsEntry("cleanup.policy", "compact");
        assertThat(catalog.evidenceState().configs()).containsEntry("cleanup.policy", "compact");
        assertThat(catalog.controlExceptions().configs()).containsEntry("cleanup.policy", "compact");
        assertThat(catalog.attestations().configs()).containsEntry("cleanup.policy", "compact");
        assertThat(catalog.evidence().configs()).containsEntry("cleanup.policy", "delete").containsEntry("retention.ms", "-1");
        assertThat(catalog.auditEvents().configs()).containsEntry("cleanup.policy", "delete");
    }

    @Test
    void shouldCarryJsonOnlyOnTheViolationsTopic() {
        assertThat(TopicCatalog.defaults().all()).filteredOn(t -> t.valueFormat() == ValueFormat.JSON)
                .extracting(TopicSpec::name).containsExactly("kubeproof.violations");
    }

    @Test
    void shouldRejectAnIllegalPrefix() {
        assertThatThrownBy(() -> new TopicCatalog("bad prefix/")).hasMessageContaining("bad prefix/");
    }
}
