package dev.kubeproof.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditLevel;
import dev.kubeproof.avro.AuditStage;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.UserInfo;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.IncompatibleSchemaException;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.serde.AvroSerializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.stack.ServerKind;
import dev.kubeproof.testkit.RealServers;
import dev.kubeproof.testkit.RealStack;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The contract on the real broker and the real registry (Confluent-compatible API). */
@RealStack({ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY})
class ContractIT {

    @Test
    void shouldProduceAnAvroRecordThroughTheRegistryAndConsumeItBackEqual(RealServers servers) {
        // Given the catalog's topics, created on the real broker
        TopicCatalog catalog = new TopicCatalog(servers.uniqueName("contract") + ".");
        try (Admin admin = Admin.create(properties(servers))) {
            TopicProvisioner.createTopics(admin, catalog, (short) 1);
        }
        AuditEvent sent = AuditEvent.newBuilder().setClusterId("it").setAuditId("a-1").setStage(AuditStage.ResponseComplete)
                .setLevel(AuditLevel.Metadata).setVerb("get").setRequestUri("/api/v1/namespaces/default/pods/x")
                .setUser(UserInfo.newBuilder().setUsername("alice").build())
                .setRequestReceivedTimestamp(Instant.parse("2026-11-23T10:00:00.000001Z"))
                .setStageTimestamp(Instant.parse("2026-11-23T10:00:00.000002Z")).build();

        // When it is produced with the Avro serializer (registering through the Confluent REST API)
        Properties producerProps = properties(servers);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(RegistryClientConfig.URL, servers.schemaRegistryUrl());
        try (KafkaProducer<String, AuditEvent> producer = new KafkaProducer<>(producerProps)) {
            producer.send(new ProducerRecord<>(catalog.auditEvents().name(), "it/default/pods/x", sent));
            producer.flush();
        }

        // Then a consumer with the Avro deserializer reads back an equal record
        Properties consumerProps = properties(servers);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, servers.uniqueName("g"));
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class);
        consumerProps.put(AvroDeserializer.VALUE_TYPE, AuditEvent.class.getName());
        consumerProps.put(RegistryClientConfig.URL, servers.schemaRegistryUrl());
        List<ConsumerRecord<String, AuditEvent>> received = new ArrayList<>();
        try (KafkaConsumer<String, AuditEvent> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of(catalog.auditEvents().name()));
            Instant deadline = Instant.now().plusSeconds(30);
            while (received.isEmpty() && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
            }
        }
        assertThat(received).hasSize(1);
        assertThat(received.get(0).key()).isEqualTo("it/default/pods/x");
        assertThat(received.get(0).value()).isEqualTo(sent);
    }

    @Test
    void shouldCreateTopicsWithTheCatalogsSettings(RealServers servers) throws Exception {
        // Given a fresh catalog, When provisioned twice (idempotent)
        TopicCatalog catalog = new TopicCatalog(servers.uniqueName("provision") + ".");
        ConfluentRestSchemaRegistryClient registry = new ConfluentRestSchemaRegistryClient(
                RegistryClientConfig.of(servers.schemaRegistryUrl()));
        try (Admin admin = Admin.create(properties(servers))) {
            TopicProvisioner.Outcome first = TopicProvisioner.provision(admin, registry, catalog, (short) 1);
            TopicProvisioner.Outcome second = TopicProvisioner.provision(admin, registry, catalog, (short) 1);

            // Then the first creates every topic of the catalog, the second finds them
            assertThat(first.created()).hasSize(catalog.all().size());
            assertThat(second.created()).isEmpty();
            assertThat(second.existing()).hasSize(catalog.all().size());
            assertThat(first.subjects()).contains(catalog.evidence().valueSubject());
            // And the broker has the partitions and cleanup policy of the catalog
            TopicDescription resourceChanges = admin.describeTopics(List.of(catalog.resourceChanges().name()))
                    .allTopicNames().get().get(catalog.resourceChanges().name());
            assertThat(resourceChanges.partitions()).hasSize(catalog.resourceChanges().partitions());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, catalog.resourceChanges().name());
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value())
                    .isEqualTo("compact");
        }
    }

    @Test
    void shouldHaveTheRegistryRefuseAnIncompatibleSchemaChange(RealServers servers) throws Exception {
        // Given the evidence schema registered under a subject that enforces BACKWARD compatibility
        String subject = servers.uniqueName("evidence") + "-value";
        ConfluentRestSchemaRegistryClient registry = new ConfluentRestSchemaRegistryClient(
                RegistryClientConfig.of(servers.schemaRegistryUrl()));
        registry.setCompatibility(subject, "BACKWARD");
        int id = registry.register(subject, EvidenceRecord.getClassSchema());
        assertThat(registry.schemaById(id)).isEqualTo(EvidenceRecord.getClassSchema());

        // When a version that adds a required field (no default) is registered
        ObjectNode changed = (ObjectNode) new ObjectMapper().readTree(EvidenceRecord.getClassSchema().toString());
        ((ArrayNode) changed.get("fields")).addObject().put("name", "tenant").put("type", "string");
        Schema incompatible = new Schema.Parser().parse(changed.toString());

        // Then the real registry refuses it with 409
        assertThatThrownBy(() -> registry.register(subject, incompatible))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining(subject);
        // And a compatible change (the same field with a default) is accepted under a new id
        ((ObjectNode) changed.get("fields").get(changed.get("fields").size() - 1)).put("default", "");
        int compatibleId = registry.register(subject, new Schema.Parser().parse(changed.toString()));
        assertThat(compatibleId).isNotEqualTo(id);
    }

    private static Properties properties(RealServers servers) {
        Properties properties = new Properties();
        properties.putAll(Map.of("bootstrap.servers", servers.kafkaBootstrapServers()));
        return properties;
    }
}
