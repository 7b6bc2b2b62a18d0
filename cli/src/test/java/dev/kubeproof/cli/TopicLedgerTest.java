package dev.kubeproof.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kubeproof.avro.ControlException;
import dev.kubeproof.contract.topics.TopicCatalog;

/** An operator whose Kafka is not there hears so, quickly, with what to do. */
class TopicLedgerTest {

    @Test
    void shouldSayWhichKafkaDidNotAnswerAndHowToStartOne() throws Exception {
        // Given a port nothing listens on
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        KafkaOptions kafka = new KafkaOptions();
        kafka.bootstrapServers = "127.0.0.1:" + port;
        kafka.registryUrl = "http://127.0.0.1:" + port;
        kafka.topicPrefix = TopicCatalog.DEFAULT_PREFIX;
        TopicLedger<ControlException> ledger = new TopicLedger<>(kafka, kafka.topics().controlExceptions(),
                ControlException.class, Duration.ofSeconds(2));

        // Then reading and writing both fail naming the servers and the way out
        assertThatThrownBy(ledger::current).hasMessageContaining("Kafka at 127.0.0.1:" + port + " did not answer")
                .hasMessageContaining("kubeproof stack up");
        assertThatThrownBy(() -> ledger.write(Map.of())).hasMessageContaining("did not answer");
    }
}
