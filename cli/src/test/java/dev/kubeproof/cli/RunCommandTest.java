package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;

import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.StackEndpoints;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

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

    @Test
    void shouldPointTheReportAndVerifyCommandsAtThisRunsPrefixesOnTheLocalServers() {
        // Given the local servers of --home
        StackEndpoints local = new StackEndpoints("127.0.0.1:9092", "http://127.0.0.1:8081", "http://127.0.0.1:9200",
                Optional.empty());

        // When the run has the default prefixes, Then --home is all the printed commands need
        assertThat(command("run", "--home", "/h").evidenceSource(local)).isEqualTo("--home /h");
        // When it has its own, Then the commands name them (the index prefix through elasticsearch.*, with its urls)
        assertThat(command("run", "--home", "/h", "--index-prefix", "kpx", "--topic-prefix", "kpx.").evidenceSource(local))
                .isEqualTo("--home /h --set elasticsearch.urls=http://127.0.0.1:9200 --set elasticsearch.indexPrefix=kpx"
                        + " --set topicPrefix=kpx.");
        // And against servers of the user's, their urls, user and password file, and the prefixes
        assertThat(command("run", "--bootstrap-servers", "k:9092", "--registry-url", "http://r", "--elasticsearch-url",
                "http://es:9200", "--elasticsearch-user", "u", "--elasticsearch-password-file", "/p", "--topic-prefix", "t.")
                .evidenceSource(local)).isEqualTo("--set elasticsearch.urls=http://es:9200 --set elasticsearch.username=u"
                + " --set elasticsearch.password.file=/p --set elasticsearch.indexPrefix=kubeproof --set topicPrefix=t.");
    }

    private static RunCommand command(String... args) {
        CommandLine commandLine = Kubeproof.commandLine();
        return (RunCommand) commandLine.parseArgs(args).subcommand().commandSpec().userObject();
    }
}
