package dev.kubeproof.runtime;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Where and how a collector publishes: the Kafka cluster, the schema registry and extra client properties.
 *
 * @param bootstrapServers  Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param schemaRegistryUrl base URL of the Confluent-compatible registry API
 * @param clientId          Kafka {@code client.id}; also the default {@code source} tag of the publish metrics
 * @param kafkaProperties   extra producer properties (e.g. {@code security.protocol}, SASL settings); the registry
 *                          keys {@code basic.auth.user.info}, {@code bearer.auth.token} and
 *                          {@code auto.register.schemas} go to the registry client instead. Settings that would
 *                          weaken durability ({@code acks}, {@code enable.idempotence}) are rejected.
 */
public record PublisherConfig(String bootstrapServers, String schemaRegistryUrl, String clientId,
                              Map<String, String> kafkaProperties) {

    /** Keys of {@link #kafkaProperties} that configure the registry client and serializer, not the producer. */
    public static final Set<String> REGISTRY_KEYS = Set.of("basic.auth.user.info", "bearer.auth.token",
            "auto.register.schemas");

    /** Producer settings the publisher owns: durability and serialization are not negotiable. */
    private static final Set<String> OWNED_KEYS = Set.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.CLIENT_ID_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG);

    public PublisherConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must be set (host:port[,host:port...])");
        }
        if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
            throw new IllegalArgumentException("schemaRegistryUrl must be set");
        }
        URI url;
        try {
            url = URI.create(schemaRegistryUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schemaRegistryUrl is not a URL: " + schemaRegistryUrl, e);
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("schemaRegistryUrl must be an http or https URL, was " + schemaRegistryUrl);
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("clientId must be set");
        }
        kafkaProperties = kafkaProperties == null ? Map.of() : Map.copyOf(kafkaProperties);
        for (Map.Entry<String, String> entry : kafkaProperties.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            if (OWNED_KEYS.contains(key)) {
                throw new IllegalArgumentException("kafkaProperties." + key + " cannot be set: the publisher sets it"
                        + " (use bootstrapServers / clientId)");
            }
            if (ProducerConfig.ACKS_CONFIG.equals(key) && !value.equals("all") && !value.equals("-1")) {
                throw new IllegalArgumentException("kafkaProperties.acks must be 'all' (collectors answer only after"
                        + " a durable write), was '" + value + "'");
            }
            if (ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG.equals(key) && !value.equalsIgnoreCase("true")) {
                throw new IllegalArgumentException("kafkaProperties.enable.idempotence must be true, was '" + value + "'");
            }
        }
    }

    /** A config with no extra properties. */
    public static PublisherConfig of(String bootstrapServers, String schemaRegistryUrl, String clientId) {
        return new PublisherConfig(bootstrapServers, schemaRegistryUrl, clientId, Map.of());
    }

    /** The producer properties: the extra ones, then the settings the publisher owns (durable, idempotent). */
    public Map<String, Object> producerProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        kafkaProperties.forEach((key, value) -> {
            if (!REGISTRY_KEYS.contains(key)) {
                properties.put(key, value);
            }
        });
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        properties.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.StringSerializer");
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.ByteArraySerializer");
        return properties;
    }

    /** The registry and serializer properties: the URL plus any registry keys of {@link #kafkaProperties}. */
    public Map<String, Object> registryProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("schema.registry.url", schemaRegistryUrl);
        kafkaProperties.forEach((key, value) -> {
            if (REGISTRY_KEYS.contains(key)) {
                properties.put(key, value);
            }
        });
        return properties;
    }

    @Override
    public String toString() {
        // Extra properties may hold SASL passwords or registry tokens: never print their values.
        return "PublisherConfig[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", clientId=" + clientId + ", kafkaProperties=" + kafkaProperties.keySet() + "]";
    }
}
