package dev.kubeproof.stack;

import java.util.Optional;

/**
 * How to reach a started stack. Fields of servers that were not started are null.
 *
 * @param kafkaBootstrapServers   e.g. {@code 127.0.0.1:9092}
 * @param schemaRegistryUrl       the Confluent-compatible API base, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}
 * @param elasticsearchUrl        e.g. {@code http://127.0.0.1:9200}
 * @param elasticsearchCredentials superuser of the file realm; absent when security is off
 */
public record StackEndpoints(String kafkaBootstrapServers, String schemaRegistryUrl, String elasticsearchUrl,
                             Optional<Credentials> elasticsearchCredentials) {

    /** A user name and password. {@link #toString()} never shows the password. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=****]";
        }
    }

    public StackEndpoints merge(StackEndpoints other) {
        return new StackEndpoints(
                other.kafkaBootstrapServers != null ? other.kafkaBootstrapServers : kafkaBootstrapServers,
                other.schemaRegistryUrl != null ? other.schemaRegistryUrl : schemaRegistryUrl,
                other.elasticsearchUrl != null ? other.elasticsearchUrl : elasticsearchUrl,
                other.elasticsearchCredentials.isPresent() ? other.elasticsearchCredentials : elasticsearchCredentials);
    }

    public static StackEndpoints none() {
        return new StackEndpoints(null, null, null, Optional.empty());
    }
}
