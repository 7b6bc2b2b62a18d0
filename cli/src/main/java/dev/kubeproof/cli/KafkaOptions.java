package dev.kubeproof.cli;

import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.RegistryClientConfig;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.topics.TopicCatalog;
import picocli.CommandLine.Option;

/** Where the commands that read or write kubeproof's topics find Kafka, the registry and the topics (one spelling). */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    public String bootstrapServers;

    @Option(names = "--registry-url", defaultValue = "http://127.0.0.1:8081/apis/ccompat/v7",
            description = "Confluent-compatible schema registry API (default: ${DEFAULT-VALUE}).")
    public String registryUrl;

    @Option(names = "--topic-prefix", defaultValue = TopicCatalog.DEFAULT_PREFIX,
            description = "Prefix of every topic name (default: ${DEFAULT-VALUE}).")
    public String topicPrefix;

    public TopicCatalog topics() {
        return new TopicCatalog(topicPrefix);
    }

    public SchemaRegistryClient registry() {
        return new ConfluentRestSchemaRegistryClient(RegistryClientConfig.of(registryUrl));
    }
}
