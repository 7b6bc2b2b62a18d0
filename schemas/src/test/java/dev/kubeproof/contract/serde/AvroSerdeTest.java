package dev.kubeproof.contract.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditLevel;
import dev.kubeproof.avro.AuditStage;
import dev.kubeproof.avro.UserInfo;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serde<AuditEvent> serde = AvroSerdes.value(AuditEvent.class, registry);

    static AuditEvent auditEvent(String auditId) {
        return AuditEvent.newBuilder()
                .setClusterId("local")
                .setAuditId(auditId)
                .setStage(AuditStage.ResponseComplete)
                .setLevel(AuditLevel.Metadata)
                .setVerb("create")
                .setRequestUri("/api/v1/namespaces/default/pods")
                .setUser(UserInfo.newBuilder().setUsername("minikube-user").setGroups(List.of("system:masters"))
                        .setExtra(Map.of()).build())
                .setSourceIps(List.of("192.168.99.1"))
                .setRequestReceivedTimestamp(Instant.parse("2019-01-01T10:00:00.123456Z"))
                .setStageTimestamp(Instant.parse("2019-01-01T10:00:00.223456Z"))
                .build();
    }

    @Test
    void shouldWriteTheConfluentWireFormatAndReadItBackEqual() {
        // Given an audit event with microsecond timestamps
        AuditEvent event = auditEvent("a-1");

        // When it is serialized for a topic
        byte[] bytes = serde.serializer().serialize("t", event);

        // Then the bytes start with magic 0 and the id the registry gave the subject t-value
        int id = registry.lookup("t-value", AuditEvent.getClassSchema());
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        // And reading them back gives an equal record, microseconds intact
        AuditEvent read = serde.deserializer().deserialize("t", bytes);
        assertThat(read).isEqualTo(event);
        assertThat(read.getRequestReceivedTimestamp().getNano()).isEqualTo(123_456_000);
    }

    @Test
    void shouldEncodeARecordWrittenToSeveralTopicsInARowOnceWithEachTopicsSchemaId() {
        // Given the serde for records never changed once written, and two events
        Serde<AuditEvent> unchanging = AvroSerdes.unchangingValue(AuditEvent.class, registry);
        AuditEvent first = auditEvent("a-1");
        AuditEvent second = auditEvent("a-2");

        // When the first is written to two topics, then the second to the first topic
        byte[] toA = unchanging.serializer().serialize("a", first);
        byte[] toB = unchanging.serializer().serialize("b", first);
        byte[] secondToA = unchanging.serializer().serialize("a", second);

        // Then each carries its topic's schema id and the bytes the plain serde writes: nothing stale, nothing lost
        assertThat(ByteBuffer.wrap(toA, 1, 4).getInt()).isEqualTo(registry.lookup("a-value", AuditEvent.getClassSchema()));
        assertThat(ByteBuffer.wrap(toB, 1, 4).getInt()).isEqualTo(registry.lookup("b-value", AuditEvent.getClassSchema()));
        assertThat(toA).isEqualTo(serde.serializer().serialize("a", first));
        assertThat(toB).isEqualTo(serde.serializer().serialize("b", first));
        assertThat(secondToA).isEqualTo(serde.serializer().serialize("a", second));
        assertThat(unchanging.deserializer().deserialize("b", toB)).isEqualTo(first);
        assertThat(unchanging.deserializer().deserialize("a", secondToA)).isEqualTo(second);
    }

    @Test
    void shouldKeepNullAsNullForTombstones() {
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void shouldRejectBytesThatAreNotWireFormatWithAReason() {
        // Given JSON bytes where Avro is expected
        byte[] json = "{\"kind\":\"Event\"}".getBytes();

        // When read, Then the error names the magic byte problem
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("magic byte");
    }

    @Test
    void shouldRejectAnUnknownSchemaIdWithAReason() {
        // Given a framed payload with an id the registry never issued
        byte[] bytes = ByteBuffer.allocate(9).put((byte) 0).putInt(4242).putInt(0).array();

        // When read, Then the error names the id
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("4242");
    }

    @Test
    void shouldRejectTruncatedAvroWithAReason() {
        // Given a valid record cut short
        byte[] bytes = serde.serializer().serialize("t", auditEvent("a-2"));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);

        // When read, Then it fails as a serialization error (for the dead-letter handler), not some other exception
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("AuditEvent");
    }
}
