package dev.kubeproof.sink.policyreport;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.sink.LoopControl;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Feeds a {@link PolicyReportWriter} from the compacted evidence-state topic, on its own consumer.
 *
 * <p>Why its own consumer, and not the sink's batch loop: a report needs the <em>whole</em> current posture of the
 * cluster, while the sink's group shares the partitions among its replicas and commits offsets, so after a restart
 * it would only see what changed since. This consumer instead assigns itself every partition, reads the compacted
 * topic from the beginning on each start (no group, no commits) to rebuild the state in memory, and only once it
 * has caught up with the end offsets seen at start does it reconcile earlier reports and begin writing: no report
 * is ever written from half a posture. A record it cannot decode is counted and skipped; the sink's own posture
 * input dead-letters the same bytes.
 */
public final class PolicyReportService implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyReportService.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Deserializer<EvidenceRecord> deserializer;
    private final String topic;
    private final PolicyReportWriter writer;
    private final Duration pollTimeout;
    private final AutoCloseable kubernetes;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final LoopControl loop = new LoopControl("policy-report writer");
    private volatile long malformed;
    private final Clock clock;
    private Instant nextAdoptAttempt;
    static final Duration ADOPT_RETRY = Duration.ofSeconds(30);

    public PolicyReportService(Consumer<byte[], byte[]> consumer, Deserializer<EvidenceRecord> deserializer, String topic,
                               PolicyReportWriter writer, Duration pollTimeout, AutoCloseable kubernetes, Clock clock) {
        this.clock = clock;
        this.consumer = consumer;
        this.deserializer = deserializer;
        this.topic = topic;
        this.writer = writer;
        this.pollTimeout = pollTimeout;
        this.kubernetes = kubernetes;
    }

    /** Consumer settings: no group (partitions are assigned, never committed), committed records only. */
    public static Map<String, Object> consumerProperties(String bootstrapServers, Map<String, String> kafkaClient) {
        Map<String, Object> properties = new HashMap<>(kafkaClient);
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "kubeproof-sink-policy-reports");
        return properties;
    }

    @Override
    public void run() {
        loop.markStarted();
        try {
            List<TopicPartition> partitions = awaitPartitions();
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            LOG.info("rebuilding the policy-report state from {} ({} partitions)", topic, partitions.size());
            while (loop.running()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    take(record);
                }
                if (caughtUp.getCount() > 0 && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    adoptExisting();
                }
                if (caughtUp.getCount() == 0) {
                    writer.flushDue();
                }
            }
        } catch (WakeupException e) {
            if (loop.running()) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("the policy-report writer stopped: {}", e.getMessage(), e);
            throw e;
        } finally {
            try {
                if (caughtUp.getCount() == 0) {
                    writer.flushAll();
                }
            } catch (RuntimeException e) {
                LOG.warn("could not write the last policy reports: {}", e.getMessage());
            }
            closeQuietly();
        }
    }

    /** Lists the reports written before; retried (every {@link #ADOPT_RETRY}) while the API refuses, e.g. before the CRDs exist. */
    private void adoptExisting() {
        Instant now = clock.instant();
        if (nextAdoptAttempt != null && now.isBefore(nextAdoptAttempt)) {
            return;
        }
        try {
            writer.adoptExisting();
            caughtUp.countDown();
            LOG.info("policy-report state rebuilt; writing reports");
        } catch (KubernetesClientException e) {
            nextAdoptAttempt = now.plus(ADOPT_RETRY);
            LOG.warn("cannot list existing policy reports (HTTP {}; are the wgpolicyk8s.io CRDs installed?), retrying in {}: {}",
                    e.getCode(), ADOPT_RETRY, e.getMessage());
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        EvidenceRecord evidence = null;
        if (record.value() != null) {
            try {
                evidence = deserializer.deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                malformed++;
                LOG.warn("skipping the undecodable evidence-state record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                return;
            }
        }
        writer.accept(key, evidence);
    }

    /** The topic's partitions; waits (until stopped) while the topic does not exist yet. */
    private List<TopicPartition> awaitPartitions() {
        while (loop.running()) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                }
                LOG.warn("the topic {} does not exist yet; waiting", topic);
            } catch (KafkaException e) {
                if (e instanceof WakeupException) {
                    throw e;
                }
                LOG.warn("cannot list the partitions of {}: {}", topic, e.getMessage());
            }
            loop.pause(pollTimeout);
        }
        return List.of();
    }

    /** Whether the state has been rebuilt and reports are being written. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long malformed() {
        return malformed;
    }

    public PolicyReportWriter writer() {
        return writer;
    }

    private synchronized void closeQuietly() {
        if (loop.isStopped()) {
            return;
        }
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("closing the policy-report consumer: {}", e.getMessage());
        }
        try {
            kubernetes.close();
        } catch (Exception e) {
            LOG.warn("closing the Kubernetes client: {}", e.getMessage());
        }
        loop.markStopped();
    }

    @Override
    public void close() {
        loop.stop(this::closeQuietly, consumer::wakeup);
    }

}
