package dev.kubeproof.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class StackConfigTest {

    @Test
    void shouldRejectAnOutOfRangePortNamingIt() {
        assertThatThrownBy(() -> new StackConfig(Path.of("x"), 70000, 9093, 8081, 9200, 9300, true,
                Duration.ofSeconds(60), false, false)).hasMessageContaining("kafkaPort");
    }

    @Test
    void shouldRejectTwoServersOnOnePort() {
        assertThatThrownBy(() -> new StackConfig(Path.of("x"), 9092, 9092, 8081, 9200, 9300, true,
                Duration.ofSeconds(60), false, false)).hasMessageContaining("must all differ");
    }

    @Test
    void shouldPickDistinctFreePortsForTestRuns() {
        StackConfig config = StackConfig.ephemeral(Path.of("target", "x"), true);
        assertThat(config.home()).isAbsolute();
        assertThat(config.stopWithJvm()).isTrue();
        assertThat(config.freshData()).isTrue();
        // five ports picked at once are always distinct (one at a time they could repeat)
        for (int i = 0; i < 200; i++) {
            assertThat(java.util.Arrays.stream(Ports.freePorts(5)).distinct().count()).isEqualTo(5);
        }
    }

    @Test
    void shouldFailAClashingPortWithAClearMessage() throws Exception {
        // Given a port something listens on
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            // When a server wants it, Then the error names the port and its purpose
            assertThatThrownBy(() -> Ports.requireFree(taken.getLocalPort(), "Kafka broker"))
                    .isInstanceOf(StackException.class)
                    .hasMessageContaining(Integer.toString(taken.getLocalPort()))
                    .hasMessageContaining("Kafka broker");
        }
    }

    @Test
    void shouldDiscoverAJdkOfTheVersionElasticsearchNeedsOrSayWhatToInstall() {
        // The machines have a JDK 21+ beside the default 17; elsewhere the error must say what to do.
        try {
            JavaRuntimes.Jdk jdk = JavaRuntimes.findAtLeast(21);
            assertThat(jdk.featureVersion()).isGreaterThanOrEqualTo(21);
            assertThat(jdk.javaExecutable()).isExecutable();
        } catch (StackException e) {
            assertThat(e).hasMessageContaining("KUBEPROOF_ES_JAVA_HOME");
        }
        assertThatThrownBy(() -> JavaRuntimes.findAtLeast(999)).isInstanceOf(StackException.class)
                .hasMessageContaining("no JDK 999");
    }
}
