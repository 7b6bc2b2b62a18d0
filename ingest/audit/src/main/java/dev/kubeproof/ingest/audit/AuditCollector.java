package dev.kubeproof.ingest.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.HealthServer;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.runtime.RecordPublisher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit collector service: the webhook receiver and the file tailers of one config, over one publisher.
 * Runs alone ({@link AuditCollectorCommand}) or beside other collectors on a shared {@link IngestRuntime}.
 */
public final class AuditCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditCollector.class);

    private final AuditCollectorConfig config;
    private final AuditIngestor ingestor;
    private final RecordPublisher publisher;
    private final EventDeduplicator deduplicator;
    private final RecentAuditEvents recentEvents;
    private AuditWebhookServer webhook;
    private final List<AuditFileTailer> tailers = new ArrayList<>();
    private volatile boolean started;

    /** Primed from the audit-events topic of {@code topics} through {@code config.kafka()}. */
    public AuditCollector(AuditCollectorConfig config, RecordPublisher publisher, DeadLetterPublisher deadLetters,
                          TopicCatalog topics) {
        this(config, publisher, deadLetters, topics, new KafkaRecentAuditEvents(config.kafka(),
                topics.auditEvents().name(), recentEventsPerPartition(config)));
    }

    /** @param recentEvents what is already published, remembered at start when there are file sources */
    public AuditCollector(AuditCollectorConfig config, RecordPublisher publisher, DeadLetterPublisher deadLetters,
                          TopicCatalog topics, RecentAuditEvents recentEvents) {
        this.config = Objects.requireNonNull(config, "config");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.recentEvents = Objects.requireNonNull(recentEvents, "recentEvents");
        ObjectMapper mapper = AuditJson.mapper();
        AuditRedactor redactor = new AuditRedactor(config.redaction(), mapper);
        this.deduplicator = new EventDeduplicator(config.dedupCacheSize());
        this.ingestor = new AuditIngestor(new AuditEventParser(config.clusterId(), redactor, mapper), redactor, publisher,
                deadLetters, topics, deduplicator, mapper, config.maxEventBytes());
    }

    /**
     * How far back to look per partition: a killed tailer's unrecorded batch is at most {@code maxBatchLines}
     * records on any partition; twice that (summed over the files, as each may be killed mid-batch) leaves room
     * for other writers in between. More than the cache holds would be forgotten again.
     */
    static int recentEventsPerPartition(AuditCollectorConfig config) {
        long lines = config.files().stream().mapToLong(FileSourceConfig::maxBatchLines).sum();
        return (int) Math.max(1, Math.min(config.dedupCacheSize(), 2 * lines));
    }

    /** On a shared runtime: its publisher, dead letters and topics. */
    public AuditCollector(AuditCollectorConfig config, IngestRuntime runtime) {
        this(config, runtime.publisher(), runtime.deadLetters(), runtime.topics());
    }

    public AuditIngestor ingestor() {
        return ingestor;
    }

    public synchronized AuditCollector start() {
        if (started) {
            return this;
        }
        try {
            if (config.webhook() != null) {
                webhook = new AuditWebhookServer(config.webhook(), ingestor, publisher.metrics()).start();
            }
            if (!config.files().isEmpty()) {
                rememberRecentEvents();
            }
            for (FileSourceConfig file : config.files()) {
                tailers.add(new AuditFileTailer(file, ingestor, publisher.metrics(), config.maxEventBytes()).start());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        started = true;
        LOG.info("audit collector for cluster {} started: webhook {}, {} file(s)", config.clusterId(),
                webhook == null ? "off" : "on port " + webhook.port(), tailers.size());
        return this;
    }

    /**
     * A kill between Kafka's acknowledgement and the position write leaves a stale position: remembering what
     * the topic already holds keeps the re-read batch from being published twice. Without Kafka at start the
     * tailers still run (nothing is lost; that one batch may be duplicated).
     */
    private void rememberRecentEvents() {
        try {
            List<AuditEvent> events = recentEvents.read();
            events.forEach(event -> deduplicator.remember(AuditKeys.dedupKeyOf(event)));
            LOG.info("remembered {} recently published audit events from {}", events.size(), recentEvents);
        } catch (RuntimeException e) {
            LOG.warn("could not read recently published audit events from {} ({}); a batch published just before an"
                    + " unclean stop may be published again", recentEvents, e.toString());
        }
    }

    /** The webhook's bound port, or -1 when there is no webhook. */
    public int webhookPort() {
        return webhook == null ? -1 : webhook.port();
    }

    public List<AuditFileTailer> tailers() {
        return List.copyOf(tailers);
    }

    /** Ready when started and every source is running. */
    public boolean isReady() {
        return started && (webhook == null || webhook.isRunning()) && tailers.stream().allMatch(AuditFileTailer::isAlive);
    }

    /** Registers readiness and liveness on a (possibly shared) health server. */
    public void registerHealthChecks(HealthServer health) {
        health.readinessCheck("audit-collector", this::isReady);
        health.livenessCheck("audit-file-tailers", () -> !started || tailers.stream().allMatch(AuditFileTailer::isAlive));
    }

    @Override
    public synchronized void close() {
        started = false;
        if (webhook != null) {
            webhook.close();
        }
        tailers.forEach(AuditFileTailer::close);
        publisher.flush();
    }
}
