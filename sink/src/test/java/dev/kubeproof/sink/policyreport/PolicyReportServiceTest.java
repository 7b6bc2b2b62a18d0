package dev.kubeproof.sink.policyreport;

import static dev.kubeproof.sink.TestEvidence.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.contract.registry.InMemorySchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroSerdes;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.config.PolicyReportConfig;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/** The evidence-state consumer: rebuilds the whole posture from the compacted topic before it writes anything. */
@EnableKubernetesMockClient(crud = true)
class PolicyReportServiceTest {
    private static final String TOPIC = "kubeproof.evidence-state";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    KubernetesClient client;

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final Serde<EvidenceRecord> serde = AvroSerdes.value(EvidenceRecord.class, new InMemorySchemaRegistryClient());
    private PolicyReportService service;
    private Thread thread;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (service != null) {
            service.close();
            thread.join(10_000);
        }
    }

    @Test
    void shouldWriteReportsOnlyOnceCaughtUpWithTheTopicAndSkipUndecodableRecords() throws Exception {
        // Given: a topic whose end is at offset 4, of which only 3 records have arrived yet (one undecodable)
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.updateEndOffsets(Map.of(PARTITION, 4L));
        EvidenceRecord web = PolicyReportWriterTest.pod("c1", "payments", "web", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.FAIL);
        EvidenceRecord api = PolicyReportWriterTest.pod("c1", "payments", "api", "KP-POD-001", ControlSeverity.HIGH, EvidenceStatus.PASS);
        consumer.schedulePollTask(() -> {
            add(0, web);
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, key(web), "garbage".getBytes(StandardCharsets.UTF_8)));
            add(2, api);
        });
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        PolicyReportWriter writer = new PolicyReportWriter(client, ControlCatalog.empty(), PolicyReportConfig.enabled("c1"), clock);
        service = new PolicyReportService(consumer, serde.deserializer(), TOPIC, writer, Duration.ofMillis(20), () -> { }, clock);

        // When
        thread = new Thread(service, "policy-reports-test");
        thread.start();

        // Then: three records read, but not caught up: nothing written from half a posture
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.position(PARTITION) == 3L);
        assertThat(service.awaitCaughtUp(Duration.ofMillis(200))).isFalse();
        assertThat(report()).isNull();
        assertThat(service.malformed()).isEqualTo(1);

        // When: the last record arrives, a tombstone removing web's result
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 3, key(web), null)));

        // Then: caught up, one report with api's pass only
        assertThat(service.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> report() != null);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) report().getAdditionalProperties().get("results");
        assertThat(results).singleElement().satisfies(r -> assertThat(r).containsEntry("result", "pass"));
    }

    private void add(long offset, EvidenceRecord record) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, key(record), serde.serializer().serialize(TOPIC, record)));
    }

    private static byte[] key(EvidenceRecord record) {
        return (EvidenceKey.of(record))
                .getBytes(StandardCharsets.UTF_8);
    }

    private GenericKubernetesResource report() {
        return client.genericKubernetesResources(PolicyReportWriter.POLICY_REPORTS).inNamespace("payments")
                .withName("kubeproof-payments").get();
    }
}
