package dev.kubeproof.sink;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.avro.ScannerFinding;
import dev.kubeproof.sink.documents.ScannerFindingDocuments;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.registry.SchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.HealthServer;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.config.PolicyReportConfig;
import dev.kubeproof.sink.config.SinkConfig;
import dev.kubeproof.sink.config.SinkConfig.Input;
import dev.kubeproof.contract.retry.Backoff;
import dev.kubeproof.sink.delivery.Batch;
import dev.kubeproof.sink.delivery.BatchItem;
import dev.kubeproof.sink.delivery.BatchProcessor;
import dev.kubeproof.sink.delivery.BulkIngesterWriter;
import dev.kubeproof.sink.delivery.DocumentWriter;
import dev.kubeproof.sink.documents.AuditDocuments;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.documents.ViolationDocuments;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.sink.elasticsearch.IndexTemplates;
import dev.kubeproof.sink.elasticsearch.MisconfigurationRestamp;
import dev.kubeproof.sink.elasticsearch.PostureHistory;
import dev.kubeproof.sink.policyreport.PolicyReportService;
import dev.kubeproof.sink.policyreport.PolicyReportWriter;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The sink: consumes the evidence, evidence-state, violations and audit topics and indexes them into
 * Elasticsearch, losing nothing and duplicating nothing.
 *
 * <p>One loop: poll a batch, send its writes, and while Elasticsearch answers them decode, render and send the next
 * poll's; commit a batch's offsets once every record is indexed or dead-lettered (auto-commit is off; never before the
 * batch, and every batch before it, is finished). While a batch has work left (items to retry, Elasticsearch down),
 * the consumer's partitions are paused and the loop keeps polling, which fetches nothing but keeps the consumer in its
 * group; the next attempt comes when the {@link Backoff} says so. When the batches finish, the partitions resume. A
 * rebalance drops the records of revoked partitions from the batches: uncommitted, they are re-read by their new owner
 * and, written idempotently, never duplicate.
 */
public final class SinkService implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkService.class);

    private final SinkConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final BatchProcessor processor;
    private final TemplateInstaller templates;
    private final Backoff backoff;
    private final SinkMetrics metrics;
    private final Map<String, Input> inputsByTopic = new HashMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    /** Loops that run beside the sink's own on threads of their own (the optional policy-report writer). */
    private final List<Runnable> companions = new ArrayList<>();
    private final CountDownLatch consuming = new CountDownLatch(1);
    private final LoopControl loop = new LoopControl("sink");
    private volatile boolean paused;
    /** The batch whose writes are in flight, the loop's next to finish and commit. */
    private BatchProcessor.Sending inFlight;
    /** Batches that need another attempt, oldest first (consumption paused meanwhile); none is in flight then. */
    private final Deque<Batch> retrying = new ArrayDeque<>();
    /** The latest finished offset per partition, committed synchronously on revocation and shutdown. */
    private final Map<TopicPartition, OffsetAndMetadata> finished = new HashMap<>();

    /** Installs index templates; retried by the loop until it succeeds. */
    @FunctionalInterface
    public interface TemplateInstaller {
        void install() throws Exception;
    }

    SinkService(SinkConfig config, Consumer<byte[], byte[]> consumer, BatchProcessor processor, TemplateInstaller templates,
                Backoff backoff, SinkMetrics metrics) {
        this.config = config;
        this.consumer = consumer;
        this.processor = processor;
        this.templates = templates;
        this.backoff = backoff;
        this.metrics = metrics;
        for (Input input : config.inputs()) {
            inputsByTopic.putIfAbsent(topicOf(config, input), topicInput(input));
        }
    }

    /** The sink with real clients, as the command runs it. */
    public static SinkService create(SinkConfig config, ControlCatalog catalog, MeterRegistry registry) {
        Clock clock = Clock.systemUTC();
        SinkMetrics metrics = new SinkMetrics(registry);
        ElasticsearchClient client = ElasticsearchClients.create(config.elasticsearch());
        IndexNames names = IndexNames.of(config.elasticsearch());
        SchemaRegistryClient schemaRegistry = new ConfluentRestSchemaRegistryClient(config.kafka().registryClientConfig());
        DocumentWriter writer = new BulkIngesterWriter(client, config.bulkMaxOperations(), config.bulkMaxBytes(),
                config.bulkConcurrentRequests(), config.elasticsearch().responseTimeout());
        DeadLetterPublisher deadLetters = DeadLetterPublisher.create(
                config.kafka().forProducer(config.groupId() + "-dead-letters"), config.topics(),
                new IngestMetrics(registry), clock);
        BatchProcessor processor = new BatchProcessor(config.inputs(), names, new EvidenceDocuments(names, catalog, clock),
                new ViolationDocuments(names, catalog, config.violationsFormat()),
                new AuditDocuments(names),
                new AvroDeserializer<>(schemaRegistry, EvidenceRecord.class), new AvroDeserializer<>(schemaRegistry, AuditEvent.class),
                new AvroDeserializer<>(schemaRegistry, Checkpoint.class),
                new ScannerFindingDocuments(names, ControlCatalogs.trivyLinks()),
                new AvroDeserializer<>(schemaRegistry, ScannerFinding.class), writer, deadLetters, clock, metrics);
        IndexTemplates indexTemplates = new IndexTemplates(client, config.elasticsearch());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        SinkService service = new SinkService(config, consumer, processor, indexTemplates::install,
                new Backoff(config.retry(), clock, () -> ThreadLocalRandom.current().nextDouble()), metrics);
        service.resources.add(consumerMetrics);
        service.resources.add(writer);
        service.resources.add(deadLetters);
        service.resources.add(client);
        List<Periodic> periodic = new ArrayList<>();
        if (config.inputs().contains(Input.MISCONFIGURATIONS)) {
            MisconfigurationRestamp findings = new MisconfigurationRestamp(client, names.misconfigurations(), clock);
            periodic.add(new Periodic("re-stamping the misconfiguration findings", clock,
                    now -> now.plus(MisconfigurationRestamp.INTERVAL),
                    at -> LOG.info("re-stamped {} misconfiguration findings", findings.restamp())));
        }
        if (config.inputs().contains(Input.POSTURE)) {
            PostureHistory history = new PostureHistory(client, names, clock);
            periodic.add(new Periodic("recording the posture history", clock, PostureHistory::nextSnapshot,
                    at -> LOG.info("recorded the posture of {} ({} snapshots)", at, history.snapshot(at))));
        }
        for (Periodic task : periodic) {
            service.companions.add(task);
            service.resources.add(0, task);
        }
        if (config.policyReports().enabled()) {
            PolicyReportService reports = policyReports(config, catalog, schemaRegistry, clock);
            service.companions.add(reports);
            service.resources.add(0, reports);
        }
        return service;
    }

    /** The optional wg-policy report writer: its own consumer of the evidence-state topic (see {@link PolicyReportService}). */
    static PolicyReportService policyReports(SinkConfig config, ControlCatalog catalog, SchemaRegistryClient schemaRegistry,
                                             Clock clock) {
        PolicyReportConfig reports = config.policyReports();
        KubernetesClientBuilder builder = new KubernetesClientBuilder();
        if (reports.kubeconfig() != null) {
            builder.withConfig(Config.fromKubeconfig(reports.kubeconfig().toFile()));
        }
        KubernetesClient kubernetes = builder.build();
        return new PolicyReportService(
                new KafkaConsumer<>(PolicyReportService.consumerProperties(config.kafkaBootstrapServers(), config.kafkaClient()),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                new AvroDeserializer<>(schemaRegistry, EvidenceRecord.class), config.topics().evidenceState().name(),
                new PolicyReportWriter(kubernetes, catalog, reports, clock), config.pollTimeout(), kubernetes, clock);
    }

    static Map<String, Object> consumerProperties(SinkConfig config) {
        Map<String, Object> properties = new HashMap<>(config.kafkaClient());
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // the evidence topics are written by an exactly-once topology: never index an aborted transaction
        properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        properties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "kubeproof-sink");
        return properties;
    }

    /** The input whose topic carries {@code input}'s records: evidence for violations, posture for misconfigurations. */
    private static Input topicInput(Input input) {
        return switch (input) {
            case VIOLATIONS -> Input.EVIDENCE;
            case MISCONFIGURATIONS -> Input.POSTURE;
            default -> input;
        };
    }

    private static String topicOf(SinkConfig config, Input input) {
        return switch (topicInput(input)) {
            case EVIDENCE -> config.topics().evidence().name();
            case POSTURE -> config.topics().evidenceState().name();
            case AUDIT -> config.topics().auditEvents().name();
            case CHECKPOINTS -> config.topics().checkpoints().name();
            case SCANNER_FINDINGS -> config.topics().scannerFindings().name();
            // made from another input's records (topicInput), never a topic of their own
            case VIOLATIONS, MISCONFIGURATIONS -> throw new IllegalStateException(input + " has no topic of its own");
        };
    }

    @Override
    public void run() {
        loop.markStarted();
        for (Runnable companion : companions) {
            Thread thread = new Thread(companion, "kubeproof-sink-" + companion.getClass().getSimpleName());
            thread.setDaemon(true);
            thread.start();
        }
        try {
            installTemplates();
            if (!loop.running()) {
                return;
            }
            consumer.subscribe(inputsByTopic.keySet(), new Rebalance());
            LOG.info("consuming {} as group {}", inputsByTopic.keySet(), config.groupId());
            consuming.countDown();
            while (loop.running()) {
                step();
            }
        } catch (WakeupException e) {
            if (loop.running()) {
                throw e;
            }
        } finally {
            closeClients();
        }
    }

    private synchronized void closeClients() {
        if (loop.isStopped()) {
            return;
        }
        try {
            commitFinished(finished.keySet());
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("closing the consumer: {}", e.getMessage());
        }
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing {}: {}", resource.getClass().getSimpleName(), e.getMessage());
            }
        }
        loop.markStopped();
    }

    /**
     * One turn of the loop. A batch that needs another attempt is {@link #retry retried} when due, consumption paused.
     * Otherwise the batch in flight (polled and sent if there was none) waits for its answers while the next poll's
     * records, if any are fetched already, are decoded, rendered and sent; then the first is committed and the next
     * becomes the one in flight. Batches are committed in order: when one needs another attempt, the one sent after
     * it waits for another attempt after it, whatever its own answers were.
     */
    void step() {
        if (!retrying.isEmpty()) {
            retry();
            return;
        }
        if (inFlight == null) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(config.pollTimeout());
            if (records.isEmpty()) {
                return;
            }
            inFlight = processor.start(toBatch(records));
            processor.send(inFlight);
        }
        ConsumerRecords<byte[], byte[]> more = consumer.poll(Duration.ZERO);
        BatchProcessor.Sending previous = inFlight;
        inFlight = null;
        BatchProcessor.Sending next = more.isEmpty() ? null : processor.start(toBatch(more));
        if (next != null && !next.mustFollow(previous)) {
            processor.send(next);
        }
        BatchProcessor.Attempt attempt = processor.finish(previous);
        if (!attempt.finished()) {
            retrying.add(previous.batch());
            if (next != null) {
                // the batch sent after it waits too (its answers are taken, its offsets not committed before)
                if (next.isSent()) {
                    processor.finish(next);
                }
                retrying.add(next.batch());
            }
            retryLater(attempt);
            return;
        }
        commit(previous.batch());
        if (next != null) {
            if (!next.isSent()) {
                processor.send(next);
            }
            inFlight = next;
        }
    }

    /**
     * Attempts the unfinished batches again, oldest first, when the backoff says so, else waits (paused); consumption
     * resumes when all are finished.
     */
    private void retry() {
        if (backoff.isDue()) {
            while (!retrying.isEmpty()) {
                BatchProcessor.Attempt attempt = processor.attempt(retrying.peek());
                if (!attempt.finished()) {
                    retryLater(attempt);
                    break;
                }
                commit(retrying.remove());
            }
            if (retrying.isEmpty()) {
                resume();
                return;
            }
        }
        // Paused partitions fetch nothing: this poll only keeps the consumer in its group while the backoff runs.
        Duration wait = backoff.remaining();
        ConsumerRecords<byte[], byte[]> unexpected = consumer.poll(wait.compareTo(config.pollTimeout()) < 0 ? wait : config.pollTimeout());
        if (!unexpected.isEmpty()) {
            // cannot happen while every assigned partition is paused; never drop records silently if it does
            throw new IllegalStateException("records arrived from paused partitions " + unexpected.partitions());
        }
    }

    /** The batch has work left: consumption pauses until it is finished, attempted again as the backoff says. */
    private void retryLater(BatchProcessor.Attempt attempt) {
        backoff.recordFailure();
        metrics.failedAttempt();
        if (!paused) {
            consumer.pause(consumer.assignment());
            paused = true;
            metrics.paused(true);
            long records = retrying.stream().mapToLong(b -> b.items().size()).sum();
            long unfinished = retrying.stream().flatMap(b -> b.items().stream()).filter(i -> !i.isFinished()).count();
            LOG.warn("paused consumption: {} of {} records not yet indexed ({}); retrying with backoff", unfinished,
                    records, attempt.problem());
        } else if (backoff.isOutage() && backoff.failures() % 10 == config.retry().maxAttempts() % 10) {
            LOG.error("Elasticsearch still not accepting the batch after {} attempts: {}", backoff.failures(), attempt.problem());
        }
    }

    /**
     * Commits the finished batch asynchronously (no round trip per batch): a lost async commit only means that a
     * restart re-reads records already indexed, which the idempotent writes absorb. Revocation and shutdown commit
     * the latest finished offsets synchronously.
     */
    private void commit(Batch batch) {
        backoff.reset();
        Map<TopicPartition, OffsetAndMetadata> offsets = batch.offsets();
        finished.putAll(offsets);
        int records = batch.items().size();
        consumer.commitAsync(offsets, (committed, failure) -> {
            if (failure == null) {
                metrics.committed(records);
            } else {
                LOG.warn("could not commit offsets {}: {}", committed, failure.getMessage());
            }
        });
    }

    private void resume() {
        if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
            metrics.paused(false);
            LOG.info("resumed consumption");
        }
    }

    private Batch toBatch(ConsumerRecords<byte[], byte[]> records) {
        List<BatchItem> items = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Input input = inputsByTopic.get(record.topic());
            items.add(new BatchItem(input, record.topic(), record.partition(), record.offset(), record.key(), record.value()));
        }
        return new Batch(items);
    }

    private void installTemplates() {
        while (loop.running()) {
            try {
                templates.install();
                backoff.reset();
                return;
            } catch (Exception e) {
                backoff.recordFailure();
                LOG.warn("cannot install index templates yet ({} attempts): {}", backoff.failures(), e.getMessage());
                sleep(backoff.remaining());
            }
        }
    }

    private void sleep(Duration duration) {
        loop.pause(duration);
    }

    /** The topics this sink consumes (the violations input reads the evidence topic). */
    public Set<String> inputTopics() {
        return Set.copyOf(inputsByTopic.keySet());
    }

    public boolean isPaused() {
        return paused;
    }

    /**
     * Liveness: the consuming loop has not stopped. Readiness: the index templates are installed (Elasticsearch
     * answered), the consumer is subscribed, and indexing is not paused for an unreachable Elasticsearch.
     */
    public void registerHealthChecks(HealthServer health) {
        health.livenessCheck("sink loop running", () -> !loop.isStopped());
        health.readinessCheck("elasticsearch templates installed and consumer subscribed", () -> consuming.getCount() == 0);
        health.readinessCheck("elasticsearch reachable (indexing not paused)", () -> !paused);
    }

    public SinkMetrics metrics() {
        return metrics;
    }

    /** Waits until templates are installed and the consumer subscribed. */
    public boolean awaitConsuming(Duration timeout) throws InterruptedException {
        return consuming.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the loop (without committing an unfinished batch) and waits for it to close its clients. */
    @Override
    public void close() {
        loop.stop(this::closeClients, consumer::wakeup);
    }

    private void commitFinished(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : List.copyOf(partitions)) {
            OffsetAndMetadata offset = finished.remove(partition);
            if (offset != null) {
                offsets.put(partition, offset);
            }
        }
        if (!offsets.isEmpty()) {
            try {
                try {
                    consumer.commitSync(offsets, Duration.ofSeconds(10));
                } catch (WakeupException e) {
                    // close() woke the consumer while it was not polling: the wake-up is spent now, commit again
                    consumer.commitSync(offsets, Duration.ofSeconds(10));
                }
            } catch (KafkaException e) {
                LOG.warn("could not commit offsets {}: {}", offsets, e.getMessage());
            }
        }
    }

    /** Forgets the unfinished records of partitions gone elsewhere; writes still in flight for them are harmless replays. */
    private void dropPartitions(Collection<TopicPartition> partitions) {
        if (inFlight != null) {
            inFlight.batch().dropPartitions(partitions);
        }
        retrying.forEach(batch -> batch.dropPartitions(partitions));
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            dropPartitions(partitions);
            commitFinished(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // lost, not revoked: another member may own them already, so nothing is committed for them
            dropPartitions(partitions);
            partitions.forEach(finished::remove);
        }
    }
}
