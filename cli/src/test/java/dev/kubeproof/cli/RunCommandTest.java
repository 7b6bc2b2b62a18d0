package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;

import org.junit.jupiter.api.Test;

class RunCommandTest {

    @Test
    void shouldListOnlyTheIndicesAndDataStreamsOfThisRunsPrefix() {
        // Given a run with the prefix "kp-a" on an Elasticsearch that other runs also write to
        IndexNames names = IndexNames.of(ElasticsearchConfig.of(URI.create("http://localhost:9200")).withNames("kp-a", 0));

        // Then its own indices and data streams' backing indices are listed, the audit data stream among them
        assertThat(RunCommand.isOfThisRun("kp-a-posture", names)).isTrue();
        assertThat(RunCommand.isOfThisRun(".ds-kp-a-evidence-2026.12.01-000001", names)).isTrue();
        assertThat(RunCommand.isOfThisRun(".ds-logs-kp-a.violations-default-2026.12.01-000001", names)).isTrue();
        assertThat(RunCommand.isOfThisRun("security_solution-kp-a.misconfiguration_latest-v1", names)).isTrue();
        assertThat(RunCommand.isOfThisRun(".ds-logs-kubernetes.audit_logs-kp_a-2026.12.01-000001", names)).isTrue();
        // And another prefix's, or another run's audit events, are not
        assertThat(RunCommand.isOfThisRun("kp-a2-posture", names)).isFalse();
        assertThat(RunCommand.isOfThisRun(".ds-kp-a2-evidence-2026.12.01-000001", names)).isFalse();
        assertThat(RunCommand.isOfThisRun(".ds-logs-kubernetes.audit_logs-kubeproof-2026.12.01-000001", names)).isFalse();
    }
}
