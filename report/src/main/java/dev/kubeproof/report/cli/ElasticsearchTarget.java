package dev.kubeproof.report.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

import dev.kubeproof.report.ReportConfig;
import dev.kubeproof.report.checkpoint.ElasticsearchCheckpointSource;
import dev.kubeproof.report.source.ElasticsearchEvidenceSource;
import dev.kubeproof.runtime.Secret;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.StackConfig;
import dev.kubeproof.stack.StackEndpoints;

import picocli.CommandLine.Option;

/**
 * Which Elasticsearch a report reads (and which Kafka {@code evidence verify --source kafka} reads): the config's
 * {@code elasticsearch} (and {@code kafka}) section, or with {@code --home} the local servers that
 * {@code ./kubeproof run} (or {@code stack up}) runs there. The local password is handed to the client
 * in memory, as if from an environment variable: it is never written anywhere or put on a command line.
 */
public final class ElasticsearchTarget {
    private static final String PASSWORD_VARIABLE = "KUBEPROOF_LOCAL_ELASTICSEARCH_PASSWORD";

    @Option(names = "--home", paramLabel = "DIR", description = "Read the local servers of ./kubeproof run --home DIR "
            + "(keep them running with run --keep-running, or start them with stack up) instead of the config's "
            + "elasticsearch section.")
    Path home;

    /** The settings to use and a client for them. */
    public record Connection(ElasticsearchConfig config, ElasticsearchClient client) implements AutoCloseable {
        /** The sink's evidence data stream, read {@code pageSize} records at a time. */
        public ElasticsearchEvidenceSource evidence(int pageSize) {
            return new ElasticsearchEvidenceSource(client, IndexNames.of(config).evidence(), pageSize);
        }

        /** The sink's checkpoints data stream, and chain heads from its evidence data stream. */
        public ElasticsearchCheckpointSource checkpoints(int pageSize) {
            IndexNames names = IndexNames.of(config);
            return new ElasticsearchCheckpointSource(client, names.checkpoints(), evidence(pageSize), pageSize);
        }

        @Override
        public void close() throws java.io.IOException {
            client.close();
        }
    }

    /**
     * The Kafka the pipeline writes to: the config's {@code kafka} section, or with {@code --home} the local servers.
     */
    dev.kubeproof.runtime.KafkaConfig kafka(ReportConfig settings) {
        if (home == null) {
            if (settings.kafka() == null) {
                throw new IllegalArgumentException("say which Kafka to read: --home DIR (the local servers of "
                        + "./kubeproof run), or kafka.bootstrapServers and kafka.schemaRegistryUrl in --config FILE or --set");
            }
            return settings.kafka();
        }
        StackEndpoints endpoints = localServers();
        return dev.kubeproof.runtime.KafkaConfig.of(endpoints.kafkaBootstrapServers(), endpoints.schemaRegistryUrl(),
                "kubeproof-evidence-verify");
    }

    private StackEndpoints localServers() {
        Path stackHome = home.resolve("stack");
        return LocalStack.running(StackConfig.defaults(stackHome)).orElseThrow(() ->
                new IllegalArgumentException("no local servers are running under " + stackHome + ": run ./kubeproof run "
                        + "--home " + home + " --exit-when-done --keep-running (or ./kubeproof stack up --home " + stackHome + ")"));
    }

    Connection connect(ReportConfig settings) {
        if (home == null) {
            if (settings.elasticsearch() == null) {
                throw new IllegalArgumentException("say which Elasticsearch to read: --home DIR (the local servers of "
                        + "./kubeproof run), or elasticsearch.urls in --config FILE or --set");
            }
            return new Connection(settings.elasticsearch(), ElasticsearchClients.create(settings.elasticsearch()));
        }
        StackEndpoints endpoints = localServers();
        ElasticsearchConfig config = ElasticsearchConfig.of(URI.create(endpoints.elasticsearchUrl()));
        if (settings.elasticsearch() != null) {
            config = config.withNames(settings.elasticsearch().indexPrefix(), settings.elasticsearch().auditDataStream(),
                    settings.elasticsearch().replicas());
        }
        UnaryOperator<String> environment = System::getenv;
        if (endpoints.elasticsearchCredentials().isPresent()) {
            StackEndpoints.Credentials credentials = endpoints.elasticsearchCredentials().get();
            config = config.withBasicAuth(credentials.username(), Secret.fromEnvironment("elasticsearch.password", PASSWORD_VARIABLE));
            environment = name -> PASSWORD_VARIABLE.equals(name) ? credentials.password() : System.getenv(name);
        }
        return new Connection(config, ElasticsearchClients.create(config, environment));
    }
}
