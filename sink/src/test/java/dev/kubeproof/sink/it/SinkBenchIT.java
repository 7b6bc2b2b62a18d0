package dev.kubeproof.sink.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kubeproof.sink.SinkCommand;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackEndpoints;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

import picocli.CommandLine;

/** {@code kubeproof sink bench} runs end to end on the real servers and prints both rates and their ratio (no timing asserted). */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH})
class SinkBenchIT {

    @Test
    void shouldPrintTheSinksThroughputAgainstRawBulk(RealServers servers, @TempDir Path dir) throws Exception {
        StackEndpoints.Credentials credentials = servers.endpoints().elasticsearchCredentials().orElseThrow();
        Path password = Files.writeString(dir.resolve("password"), credentials.password());
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new SinkCommand());
        command.setOut(new PrintWriter(out));

        // a larger run for a report: -Dkubeproof.bench.records=20000
        String records = System.getProperty("kubeproof.bench.records", "1000");
        int exit = command.execute("bench", "--bootstrap-servers", servers.kafkaBootstrapServers(),
                "--schema-registry", servers.schemaRegistryUrl(), "--elasticsearch", servers.elasticsearchUrl(),
                "--username", credentials.username(), "--password-file", password.toString(),
                "--records", records, "--batch", "250");

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("records: " + records + ", batch: 250").containsPattern("sink: +\\d+ docs/s")
                .containsPattern("raw _bulk: +\\d+ docs/s").containsPattern("ratio sink/raw: \\d+\\.\\d\\d");
        System.out.print(out);
    }
}
