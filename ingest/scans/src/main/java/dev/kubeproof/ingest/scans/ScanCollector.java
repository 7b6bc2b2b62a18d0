package dev.kubeproof.ingest.scans;

import java.time.Clock;
import java.util.Objects;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.HealthServer;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.runtime.RecordPublisher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scan collector service: the watched directory and the HTTP endpoint of one config, over one publisher.
 * Runs alone ({@link ScanCollectorCommand}) or beside other collectors on a shared {@link IngestRuntime}.
 */
public final class ScanCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScanCollector.class);

    private final ScanCollectorConfig config;
    private final ScanIngestor ingestor;
    private final RecordPublisher publisher;
    private ScanDirectoryWatcher directory;
    private ScanHttpEndpoint http;
    private volatile boolean started;

    public ScanCollector(ScanCollectorConfig config, RecordPublisher publisher, DeadLetterPublisher deadLetters,
                         TopicCatalog topics, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.ingestor = new ScanIngestor(new TrivyReportParser(clock), config.clusterId(), publisher, deadLetters, topics,
                ScanJson.mapper(), config.maxReportBytes());
    }

    public ScanCollector(ScanCollectorConfig config, IngestRuntime runtime) {
        this(config, runtime.publisher(), runtime.deadLetters(), runtime.topics(), runtime.clock());
    }

    public ScanIngestor ingestor() {
        return ingestor;
    }

    public synchronized ScanCollector start() {
        if (started) {
            return this;
        }
        try {
            if (config.directory() != null) {
                directory = new ScanDirectoryWatcher(config.directory(), ingestor).start();
            }
            if (config.http() != null) {
                http = new ScanHttpEndpoint(config.http(), ingestor).start();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        started = true;
        LOG.info("scan collector started: directory {}, http {}", config.directory() == null ? "off" : config.directory().path(),
                http == null ? "off" : "on port " + http.port());
        return this;
    }

    /** The HTTP endpoint's bound port, or -1 when there is none. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public ScanDirectoryWatcher directoryWatcher() {
        return directory;
    }

    public boolean isReady() {
        return started && (http == null || http.isRunning()) && (directory == null || directory.isAlive());
    }

    public void registerHealthChecks(HealthServer health) {
        health.readinessCheck("scan-collector", this::isReady);
        health.livenessCheck("scan-directory-watcher", () -> !started || directory == null || directory.isAlive());
    }

    @Override
    public synchronized void close() {
        started = false;
        if (http != null) {
            http.close();
        }
        if (directory != null) {
            directory.close();
        }
        publisher.flush();
    }
}
