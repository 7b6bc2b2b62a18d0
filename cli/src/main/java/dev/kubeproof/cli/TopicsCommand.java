package dev.kubeproof.cli;

import java.util.Properties;
import java.util.concurrent.Callable;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.contract.topics.TopicProvisioner;
import dev.kubeproof.contract.topics.TopicSpec;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kubeproof topics create|list}: the topic catalog on a Kafka cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create or list kubeproof's topics, from the one topic catalog every module uses.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class})
final class TopicsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create every topic of the catalog that does not exist yet (existing ones are left alone), set "
                    + "BACKWARD compatibility on each Avro subject and register the current schemas.")
    static final class Create implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Option(names = "--replication-factor", defaultValue = "1",
                description = "Replication factor of new topics (default: ${DEFAULT-VALUE}; use 3 in production).")
        short replicationFactor;

        @Override
        public Integer call() {
            Properties properties = new Properties();
            properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers);
            try (Admin admin = Admin.create(properties)) {
                TopicProvisioner.Outcome outcome = TopicProvisioner.provision(admin, kafka.registry(), kafka.topics(),
                        replicationFactor);
                outcome.created().forEach(t -> System.out.println("created  " + t));
                outcome.existing().forEach(t -> System.out.println("exists   " + t));
                outcome.subjects().forEach(s -> System.out.println("subject  " + s + " (BACKWARD)"));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the topic catalog (no cluster needed).")
    static final class ListTopics implements Callable<Integer> {
        @Option(names = "--topic-prefix", defaultValue = TopicCatalog.DEFAULT_PREFIX,
                description = "Prefix of every topic name (default: ${DEFAULT-VALUE}).")
        String prefix;

        @Override
        public Integer call() {
            System.out.printf("%-32s %-6s %-4s %-8s %-10s %s%n", "TOPIC", "FORMAT", "PART", "CLEANUP", "RETENTION", "PURPOSE");
            for (TopicSpec spec : new TopicCatalog(prefix).all()) {
                System.out.printf("%-32s %-6s %-4d %-8s %-10s %s%n", spec.name(), spec.valueFormat(), spec.partitions(),
                        spec.cleanupPolicy().config(), spec.retention() == null ? "forever" : spec.retention().toDays() + "d",
                        spec.purpose());
            }
            return 0;
        }
    }
}
