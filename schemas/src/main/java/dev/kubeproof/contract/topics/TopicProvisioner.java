package dev.kubeproof.contract.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.retry.Retry;
import dev.kubeproof.contract.retry.RetryPolicy;

import org.apache.avro.specific.SpecificData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the catalog's topics (idempotently: existing topics are left as they are) and prepares the registry:
 * BACKWARD compatibility on every Avro subject, and the current schemas registered, so that producers can run
 * with auto-registration off in production.
 */
public final class TopicProvisioner {

    /** What provisioning did, per topic: created, or already there. */
    public record Outcome(List<String> created, List<String> existing, List<String> subjects) {
    }

    /** How long provisioning keeps trying a broker that is not reachable yet. */
    static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final Retry RETRY = Retry.of(new RetryPolicy(20, Duration.ofMillis(250), Duration.ofSeconds(10)))
            .withDeadline(DEADLINE);

    private TopicProvisioner() {
    }

    /**
     * Creates the missing topics. A broker that is still starting or briefly unreachable is retried for up to
     * {@link #DEADLINE}; any other failure (authorization, invalid config) is final.
     */
    public static Outcome createTopics(Admin admin, TopicCatalog catalog, short replicationFactor) {
        Outcome outcome = RETRY.call("creating topics", () -> attempt(admin, catalog, replicationFactor),
                TopicProvisioner::isTransient);
        awaitLeaders(admin, outcome.created());
        return outcome;
    }

    /**
     * Returns once the brokers serve every partition of {@code topics} with a leader. Creating a topic completes
     * when the controller has recorded it, before the brokers have applied it; an idempotent producer that writes
     * in that window can have its first request refused (NOT_LEADER_OR_FOLLOWER) while a later one is appended,
     * after which the first is retried with OUT_OF_ORDER_SEQUENCE_NUMBER until it expires: its records are lost
     * (KAFKA-15591, open in the Kafka 4.1 brokers kubeproof runs on). So nothing produces before this returns.
     */
    public static void awaitLeaders(Admin admin, Collection<String> topics) {
        awaitLeaders(admin, topics, RETRY);
    }

    static void awaitLeaders(Admin admin, Collection<String> topics, Retry retry) {
        if (topics.isEmpty()) {
            return;
        }
        retry.run("waiting for the leaders of " + topics.size() + " new topics", () -> {
            try {
                for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                    for (TopicPartitionInfo partition : topic.partitions()) {
                        if (partition.leader() == null || partition.leader().isEmpty()) {
                            throw new LeaderNotAvailableException("partition " + partition.partition() + " of "
                                    + topic.name() + " has no leader yet");
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic leaders", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException("cannot describe topics: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("cannot describe topics: " + e.getMessage(), e);
            }
        }, TopicProvisioner::isTransient);
    }

    private static boolean isTransient(RuntimeException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetriableException || cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static Outcome attempt(Admin admin, TopicCatalog catalog, short replicationFactor) {
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        try {
            Set<String> present = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> toCreate = new ArrayList<>();
            for (TopicSpec spec : catalog.all()) {
                if (present.contains(spec.name())) {
                    existing.add(spec.name());
                } else {
                    toCreate.add(new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(spec.configs()));
                }
            }
            Map<String, org.apache.kafka.common.KafkaFuture<Void>> results = admin.createTopics(toCreate).values();
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> result : results.entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        existing.add(result.getKey()); // created concurrently by another instance
                    } else {
                        throw new IllegalStateException("cannot create topic " + result.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list or create topics: " + e.getMessage(), e);
        }
        return new Outcome(List.copyOf(created), List.copyOf(existing), List.of());
    }

    /** Sets BACKWARD on each Avro topic's value subject and registers the current schema; returns the subjects. */
    public static List<String> prepareRegistry(SchemaRegistryClient registry, TopicCatalog catalog) {
        List<String> subjects = new ArrayList<>();
        for (TopicSpec spec : catalog.all()) {
            if (spec.valueFormat() != ValueFormat.AVRO) {
                continue;
            }
            registry.setCompatibility(spec.valueSubject(), "BACKWARD");
            registry.register(spec.valueSubject(), SpecificData.get().getSchema(spec.valueType()));
            subjects.add(spec.valueSubject());
        }
        return subjects;
    }

    /** Both steps. */
    public static Outcome provision(Admin admin, SchemaRegistryClient registry, TopicCatalog catalog, short replicationFactor) {
        Outcome topics = createTopics(admin, catalog, replicationFactor);
        return new Outcome(topics.created(), topics.existing(), prepareRegistry(registry, catalog));
    }
}
