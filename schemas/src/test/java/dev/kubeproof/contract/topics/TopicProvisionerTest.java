package dev.kubeproof.contract.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.junit.jupiter.api.Test;

import dev.kubeproof.contract.retry.Retry;
import dev.kubeproof.contract.retry.RetryPolicy;
import dev.kubeproof.contract.retry.SleeplessRetry;

/** Nothing produces to a new topic before its partitions have leaders (KAFKA-15591 loses the first records). */
class TopicProvisionerTest {
    private static final Node BROKER = new Node(1, "localhost", 9092);

    private final SleeplessRetry time = new SleeplessRetry();
    private final Retry retry = time.retry(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1)));

    @Test
    void shouldReturnOnceEveryPartitionHasALeader() {
        // Given a broker that has not applied the new topic at the first look, then serves it with leaders
        AtomicInteger looks = new AtomicInteger();
        Admin admin = describing(topics -> looks.incrementAndGet() == 1 ? leaders("evidence", Node.noNode(), BROKER)
                : leaders("evidence", BROKER, BROKER));

        // When
        TopicProvisioner.awaitLeaders(admin, List.of("evidence"), retry);

        // Then it looked again after one back-off, and returned
        assertThat(looks).hasValue(2);
        assertThat(time.slept()).hasSize(1);
    }

    @Test
    void shouldFailNamingThePartitionThatNeverGotALeader() {
        // Given a topic whose second partition never gets a leader
        Admin admin = describing(topics -> leaders("evidence", BROKER, Node.noNode()));

        // When / Then it gives up after its attempts, naming the partition
        assertThatThrownBy(() -> TopicProvisioner.awaitLeaders(admin, List.of("evidence"), retry))
                .isInstanceOf(LeaderNotAvailableException.class)
                .hasMessage("partition 1 of evidence has no leader yet");
        assertThat(time.slept()).hasSize(3);
    }

    private static Map<String, TopicDescription> leaders(String topic, Node... leaders) {
        List<TopicPartitionInfo> partitions = new ArrayList<>();
        for (int i = 0; i < leaders.length; i++) {
            partitions.add(new TopicPartitionInfo(i, leaders[i], List.of(BROKER), List.of(BROKER)));
        }
        Map<String, TopicDescription> descriptions = new LinkedHashMap<>();
        descriptions.put(topic, new TopicDescription(topic, false, partitions));
        return descriptions;
    }

    /** An Admin whose describeTopics answers with {@code answer}; anything else is not expected here. */
    @SuppressWarnings("unchecked")
    private static Admin describing(java.util.function.Function<Collection<String>, Map<String, TopicDescription>> answer) {
        return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("describeTopics")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Map<String, KafkaFuture<TopicDescription>> futures = new LinkedHashMap<>();
                    answer.apply((Collection<String>) args[0])
                            .forEach((name, description) -> futures.put(name, KafkaFuture.completedFuture(description)));
                    return new DescribeTopicsResult(null, futures) {
                    };
                });
    }
}
