package dev.kubeproof.testkit;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kubeproof.stack.StackEndpoints;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;

/** What a {@link RealStack} test gets: the endpoints, and helpers to isolate itself on the shared servers. */
public record RealServers(StackEndpoints endpoints) {

    /** A name no other test of this run uses: {@code prefix-<random>}, lower case (valid topic and index name). */
    public String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String kafkaBootstrapServers() {
        return require(endpoints.kafkaBootstrapServers(), "Kafka");
    }

    public String schemaRegistryUrl() {
        return require(endpoints.schemaRegistryUrl(), "the schema registry");
    }

    public String elasticsearchUrl() {
        return require(endpoints.elasticsearchUrl(), "Elasticsearch");
    }

    /** Client properties with the bootstrap servers set. */
    public Map<String, Object> kafkaProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers());
        return properties;
    }

    /**
     * Creates topics (one partition each unless given) and waits until the broker serves each partition with a
     * leader: an idempotent producer writing before that can lose its first records (KAFKA-15591), which made
     * tests that produce at once to a new topic miss records now and then.
     */
    public void createTopics(int partitions, String... topics) {
        Properties properties = new Properties();
        properties.putAll(kafkaProperties());
        try (Admin admin = Admin.create(properties)) {
            admin.createTopics(java.util.Arrays.stream(topics).map(t -> new NewTopic(t, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
            Awaitility.await("leaders of " + List.of(topics)).atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(ExecutionException.class)
                    .until(() -> admin.describeTopics(List.of(topics)).allTopicNames().get(10, TimeUnit.SECONDS).values()
                            .stream().flatMap(topic -> topic.partitions().stream())
                            .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics " + List.of(topics) + ": " + e.getMessage(), e);
        }
    }

    private static String require(String value, String what) {
        if (value == null) {
            throw new IllegalStateException(what + " was not started: name it in @RealStack");
        }
        return value;
    }
}
