package dev.kubeproof.runtime;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

import dev.kubeproof.contract.topics.TopicCatalog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every collector process shares: one metrics registry, one durable publisher, one dead-letter publisher
 * and one health server. Collectors started in the same process take them from one runtime; picocli commands
 * use {@link #runUntilShutdown} to keep the process alive until SIGTERM and close everything in order.
 */
public final class IngestRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestRuntime.class);

    private final IngestMetrics metrics;
    private final RecordPublisher publisher;
    private final DeadLetterPublisher deadLetters;
    private final HealthServer health;
    private final TopicCatalog topics;
    private final Clock clock;
    private final List<AutoCloseable> services = new ArrayList<>();
    private boolean closed;

    public IngestRuntime(IngestMetrics metrics, RecordPublisher publisher, TopicCatalog topics, HealthServer health,
                         Clock clock) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.health = Objects.requireNonNull(health, "health");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.deadLetters = new DeadLetterPublisher(publisher, topics, clock);
    }

    /** Connects to Kafka and the registry and binds (but does not start) the health server. */
    public static IngestRuntime create(KafkaConfig kafka, TopicCatalog topics, HealthConfig health) {
        IngestMetrics metrics = new IngestMetrics(ServiceMetrics.registry(kafka.clientIdOr("kubeproof-ingest")));
        RecordPublisher publisher = new RecordPublisher(kafka, metrics);
        try {
            return new IngestRuntime(metrics, publisher, topics, new HealthServer(health, metrics.registry()),
                    Clock.systemUTC());
        } catch (RuntimeException e) {
            publisher.close();
            throw e;
        }
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    public RecordPublisher publisher() {
        return publisher;
    }

    public DeadLetterPublisher deadLetters() {
        return deadLetters;
    }

    public HealthServer health() {
        return health;
    }

    public TopicCatalog topics() {
        return topics;
    }

    public Clock clock() {
        return clock;
    }

    /** Registers a started service to close (in reverse order) before the publisher is flushed and closed. */
    public synchronized void manage(AutoCloseable service) {
        services.add(Objects.requireNonNull(service, "service"));
    }

    /** Starts the health server and blocks until the JVM shuts down (SIGTERM, Ctrl-C), then closes everything. */
    public void runUntilShutdown() throws InterruptedException {
        health.start();
        LOG.info("health, readiness and metrics on port {}", health.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            close();
            stopped.countDown();
        }, "ingest-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}: {}", services.get(i), e.toString());
            }
        }
        services.clear();
        health.close();
        publisher.flush();
        publisher.close();
    }
}
