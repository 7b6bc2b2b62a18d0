package dev.kubeproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class KafkaConfigTest {

    @Test
    void shouldAlwaysProduceDurablyAndIdempotently() {
        // Given
        KafkaConfig config = new KafkaConfig("k:9092", "http://r:8081", "audit",
                Map.of("linger.ms", "20", "bearer.auth.token", "t0ken"));

        // When
        Map<String, Object> producer = config.producerProperties();
        Map<String, Object> registry = config.registryProperties();

        // Then
        assertThat(producer).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("linger.ms", "20").containsEntry("client.id", "audit").doesNotContainKey("bearer.auth.token");
        assertThat(registry).containsEntry("schema.registry.url", "http://r:8081").containsEntry("bearer.auth.token", "t0ken");
        assertThat(config.toString()).doesNotContain("t0ken");
    }

    @Test
    void shouldRejectSettingsThePublisherOwns() {
        assertThatThrownBy(() -> new KafkaConfig("k:1", "http://r", "c", Map.of("enable.idempotence", "false")))
                .hasMessageContaining("enable.idempotence must be true");
        assertThatThrownBy(() -> new KafkaConfig("k:1", "http://r", "c", Map.of("bootstrap.servers", "x:1")))
                .hasMessageContaining("kafka.properties.bootstrap.servers");
        assertThatThrownBy(() -> new KafkaConfig("k:1", "ftp://r", "c", null))
                .hasMessageContaining("kafka.schemaRegistryUrl must be an http or https URL");
        assertThatThrownBy(() -> new KafkaConfig(" ", "http://r", "c", null))
                .hasMessageContaining("bootstrapServers");
    }
}
