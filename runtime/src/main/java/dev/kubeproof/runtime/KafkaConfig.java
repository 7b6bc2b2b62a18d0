package dev.kubeproof.runtime;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.kubeproof.contract.registry.RegistryClientConfig;

import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The {@code kafka} section of every service's configuration: the Kafka cluster, the schema registry and extra
 * client properties. One record, so that every service, compose file and ConfigMap spells these keys the same way.
 * Producers built from it are always durable and idempotent.
 *
 * @param bootstrapServers  Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param schemaRegistryUrl base URL of the Confluent-compatible registry API
 * @param clientId          Kafka {@code client.id}; null for the service's own default
 * @param properties        extra Kafka client properties (e.g. {@code security.protocol}, SASL settings); the
 *                          registry keys {@code basic.auth.user.info}, {@code bearer.auth.token} and
 *                          {@code auto.register.schemas} go to the registry client instead. Settings that would
 *                          weaken durability ({@code acks}, {@code enable.idempotence}) are rejected.
 */
public record KafkaConfig(
        @JsonPropertyDescription("Kafka bootstrap servers, host:port[,host:port...]. Required.")
        String bootstrapServers,
        @JsonPropertyDescription("Base URL of the schema registry's Confluent-compatible API. Required.")
        String schemaRegistryUrl,
        @JsonPropertyDescription("Kafka client.id prefix. Default: the service's name.")
        String clientId,
        @JsonPropertyDescription("Extra Kafka client settings (security.protocol, sasl.*, ssl.*; for streams any Kafka"
                + " Streams setting); basic.auth.user.info, bearer.auth.token and auto.register.schemas go to the"
                + " registry client. acks and enable.idempotence cannot be weakened.")
        Map<String, String> properties) {

    /** Keys of {@link #properties} that configure the registry client and serializer, not the Kafka clients. */
    public static final Set<String> REGISTRY_KEYS = Set.of("basic.auth.user.info", "bearer.auth.token",
            "auto.register.schemas");

    /** Client settings the services own: where to connect and how to serialize are not negotiable. */
    private static final Set<String> OWNED_KEYS = Set.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.CLIENT_ID_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG);

    public KafkaConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrapServers must be set (host:port[,host:port...])");
        }
        if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
            throw new IllegalArgumentException("kafka.schemaRegistryUrl must be set");
        }
        URI url;
        try {
            url = URI.create(schemaRegistryUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kafka.schemaRegistryUrl is not a URL: " + schemaRegistryUrl, e);
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("kafka.schemaRegistryUrl must be an http or https URL, was "
                    + schemaRegistryUrl);
        }
        clientId = clientId == null || clientId.isBlank() ? null : clientId;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        for (Map.Entry<String, String> entry : properties.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            if (OWNED_KEYS.contains(key)) {
                throw new IllegalArgumentException("kafka.properties." + key + " cannot be set: kubeproof sets it"
                        + " (use kafka.bootstrapServers / kafka.clientId)");
            }
            if (ProducerConfig.ACKS_CONFIG.equals(key) && !value.equals("all") && !value.equals("-1")) {
                throw new IllegalArgumentException("kafka.properties.acks must be 'all' (kubeproof answers only after"
                        + " a durable write), was '" + value + "'");
            }
            if (ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG.equals(key) && !value.equalsIgnoreCase("true")) {
                throw new IllegalArgumentException("kafka.properties.enable.idempotence must be true, was '" + value + "'");
            }
        }
    }

    /** The {@code kafka} section every service requires, named in the message when it is missing. */
    public static KafkaConfig required(KafkaConfig kafka) {
        if (kafka == null) {
            throw new IllegalArgumentException("kafka must be set (bootstrapServers, schemaRegistryUrl)");
        }
        return kafka;
    }

    /** A config with no extra properties. */
    public static KafkaConfig of(String bootstrapServers, String schemaRegistryUrl, String clientId) {
        return new KafkaConfig(bootstrapServers, schemaRegistryUrl, clientId, Map.of());
    }

    /** This config with {@code fallback} as client id when none is configured. */
    public KafkaConfig withDefaultClientId(String fallback) {
        return clientId != null ? this : new KafkaConfig(bootstrapServers, schemaRegistryUrl, fallback, properties);
    }

    /** The client id, or {@code fallback} when none is configured. */
    public String clientIdOr(String fallback) {
        return clientId != null ? clientId : fallback;
    }

    /**
     * A config for a producer beside other clients (a service's dead-letter producer): only the properties a
     * producer understands (connection, security, {@code producer.}-prefixed ones unprefixed) and the registry's.
     */
    public KafkaConfig forProducer(String producerClientId) {
        Map<String, String> producer = new LinkedHashMap<>();
        properties.forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key) || REGISTRY_KEYS.contains(key)) {
                producer.putIfAbsent(key, value);
            }
        });
        properties.forEach((key, value) -> {
            if (key.startsWith("producer.")) {
                producer.put(key.substring("producer.".length()), value);
            }
        });
        return new KafkaConfig(bootstrapServers, schemaRegistryUrl, producerClientId, producer);
    }

    /** The extra properties meant for the Kafka clients: all but the registry's. */
    public Map<String, String> clientSettings() {
        Map<String, String> client = new LinkedHashMap<>(properties);
        client.keySet().removeAll(REGISTRY_KEYS);
        return client;
    }

    /** Settings every Kafka client gets: {@link #clientSettings()} and the bootstrap servers. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> client = new LinkedHashMap<>(clientSettings());
        client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return client;
    }

    /** The registry client's configuration: the URL and the registry keys of {@link #properties} (credentials). */
    public RegistryClientConfig registryClientConfig() {
        return RegistryClientConfig.fromSerdeConfigs(registryProperties());
    }

    /** The producer properties: the extra ones, then the settings the publisher owns (durable, idempotent). */
    public Map<String, Object> producerProperties() {
        Map<String, Object> producer = clientProperties();
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, clientIdOr("kubeproof"));
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        producer.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.StringSerializer");
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.ByteArraySerializer");
        return producer;
    }

    /** The registry and serializer properties: the URL plus any registry keys of {@link #properties}. */
    public Map<String, Object> registryProperties() {
        Map<String, Object> registry = new LinkedHashMap<>();
        registry.put("schema.registry.url", schemaRegistryUrl);
        properties.forEach((key, value) -> {
            if (REGISTRY_KEYS.contains(key)) {
                registry.put(key, value);
            }
        });
        return registry;
    }

    @Override
    public String toString() {
        // Extra properties may hold SASL passwords or registry tokens: never print their values.
        return "KafkaConfig[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", clientId=" + clientId + ", properties=" + properties.keySet() + "]";
    }
}
