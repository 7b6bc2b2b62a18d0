package dev.kubeproof.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.stack.StackConfig;

/** The servers a process started do not outlive it, even when it dies without running its shutdown hooks. */
class LocalStackGuardIT {

    @Test
    void shouldStopTheServersWhenTheirOwnerIsKilled() throws Exception {
        // Given a Kafka started on behalf of an owner process, guarded against its death
        Process owner = new ProcessBuilder("sleep", "600").start();
        LocalStack stack = LocalStack.start(StackConfig.ephemeral(Path.of("target", "it-stack", "guard-it"), true),
                EnumSet.of(ServerKind.KAFKA));
        try {
            List<ProcessHandle> servers = stack.pids().values().stream().map(ProcessHandle::of)
                    .flatMap(java.util.Optional::stream).toList();
            assertThat(servers).isNotEmpty().allMatch(ProcessHandle::isAlive);
            stack.stopWhenGone(owner.toHandle());

            // When the owner is killed with SIGKILL (no hook of it runs)
            owner.destroyForcibly().waitFor();

            // Then the guard stops the servers by itself
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(servers).noneMatch(ProcessHandle::isAlive));
        } finally {
            owner.destroyForcibly();
            stack.close();
        }
    }
}
