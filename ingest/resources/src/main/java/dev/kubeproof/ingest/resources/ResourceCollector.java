package dev.kubeproof.ingest.resources;

import java.io.File;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.kubeproof.avro.ResourceChange;
import dev.kubeproof.contract.registry.ConfluentRestSchemaRegistryClient;
import dev.kubeproof.contract.serde.AvroDeserializer;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.HealthServer;
import dev.kubeproof.runtime.IngestMetrics;
import dev.kubeproof.runtime.IngestRuntime;
import dev.kubeproof.runtime.KafkaConfig;
import dev.kubeproof.runtime.RecordPublisher;
import dev.kubeproof.ingest.resources.informer.ChangeEmitter;
import dev.kubeproof.ingest.resources.informer.InformerSession;
import dev.kubeproof.ingest.resources.informer.MetadataOnlyRequests;
import dev.kubeproof.ingest.resources.informer.ResourceChangeMapper;
import dev.kubeproof.ingest.resources.informer.VulnerabilityReportListener;
import dev.kubeproof.ingest.resources.informer.VulnerabilityReportScans;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;
import dev.kubeproof.ingest.resources.state.CompactedTopicState;
import dev.kubeproof.ingest.resources.state.PublishedState;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resource collector as a service: fabric8 shared informers on the configured kinds, publishing
 * {@link ResourceChange}s to the compacted resource-changes topic while this replica holds the Lease.
 * <p>
 * Leadership: replicas campaign with fabric8's {@code LeaderElector} on a {@code coordination.k8s.io} Lease. Only
 * the leader runs informers and publishes; a standby holds no cache. On becoming leader a replica runs a fresh
 * {@link InformerSession} (read the topic, list, publish what changed and what was deleted meanwhile), so a
 * failover loses nothing that the topic and the API server together can tell. On losing the Lease it stops its
 * informers at once and campaigns again. As with any lease, two leaders can overlap for at most the time a paused
 * leader needs to notice its lease expired; records are idempotent per key, so an overlap duplicates, never
 * corrupts.
 * <p>
 * Several collectors can run in one process: each has its own client and session and registers its checks on a
 * shared {@link HealthServer} ({@link #registerHealthChecks}).
 */
public final class ResourceCollector implements AutoCloseable {
    /** The {@code source} of this collector's dead letters and publish metrics. */
    public static final String SOURCE = "ingest.resources";
    private static final Logger LOG = LoggerFactory.getLogger(ResourceCollector.class);

    private final ResourceCollectorConfig config;
    private final List<WatchedKind> kinds;
    private final KubernetesClient client;
    private final RecordPublisher publisher;
    private final PublishedState publishedState;
    private final ChangeEmitter emitter;
    private final ResourceMetrics metrics;
    private final ScheduledExecutorService transitions;
    private final Object leadership = new Object();
    private final AtomicLong term = new AtomicLong();
    private volatile boolean leading;
    private volatile String currentLeader;
    private volatile InformerSession session;
    private volatile CompletableFuture<?> election;
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * A collector that publishes with the given publisher (tests pass one over a {@code MockProducer}).
     *
     * @param config         the configuration
     * @param kubernetes     how to reach the API server; the collector builds its own client from it
     * @param publisher      publishes records and dead letters (not closed by the collector)
     * @param publishedState what the resource-changes topic holds
     * @param metrics        the shared metrics
     * @param clock          the clock of {@code observedAt}
     * @param reports        told about VulnerabilityReports (to publish ImageScans)
     */
    public ResourceCollector(ResourceCollectorConfig config, Config kubernetes, RecordPublisher publisher,
                             PublishedState publishedState, IngestMetrics metrics, Clock clock,
                             VulnerabilityReportListener reports) {
        this(config, kubernetes, publisher, new DeadLetterPublisher(publisher, config.topics(), clock),
                config.topics(), publishedState, metrics, clock, reports);
    }

    private ResourceCollector(ResourceCollectorConfig config, Config kubernetes, RecordPublisher publisher,
                              DeadLetterPublisher deadLetters, TopicCatalog topics, PublishedState publishedState,
                              IngestMetrics metrics, Clock clock, VulnerabilityReportListener reports) {
        this.config = Objects.requireNonNull(config, "config");
        this.kinds = config.watchedKinds();
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.publishedState = Objects.requireNonNull(publishedState, "publishedState");
        this.metrics = new ResourceMetrics(metrics.meterRegistry(), config.leaderElection().identity());
        this.client = new KubernetesClientBuilder()
                .withConfig(Objects.requireNonNull(kubernetes, "kubernetes"))
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor(MetadataOnlyRequests.NAME,
                        new MetadataOnlyRequests(kinds)))
                .build();
        ResourceChangeMapper mapper = new ResourceChangeMapper(config.clusterId(), clock, config.maxObjectBytes(),
                client.getKubernetesSerialization());
        this.emitter = new ChangeEmitter(mapper, publisher, deadLetters, topics.resourceChanges(), this.metrics, SOURCE,
                reports);
        this.transitions = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "resources-leadership-" + config.leaderElection().identity());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The production collector on a shared {@link IngestRuntime} (its publisher, dead letters, topics, metrics
     * and clock): Kubernetes from kubeconfig/context (or in-cluster), the topic state read with a Kafka consumer
     * through the registry, Trivy Operator VulnerabilityReports also published as ImageScans. The caller starts it,
     * registers its health checks and lets the runtime manage it.
     */
    public static ResourceCollector create(ResourceCollectorConfig config, IngestRuntime runtime) {
        return create(config, kubernetesConfig(config), runtime);
    }

    /** The same against a given API server (the config's kubeconfig and context are not used). */
    public static ResourceCollector create(ResourceCollectorConfig config, Config kubernetes, IngestRuntime runtime) {
        KafkaConfig publisherConfig = config.publisherConfig();
        TopicCatalog topics = runtime.topics();
        DeadLetterPublisher deadLetters = runtime.deadLetters();
        AvroDeserializer<ResourceChange> values = new AvroDeserializer<>(new ConfluentRestSchemaRegistryClient(
                publisherConfig.registryClientConfig()), ResourceChange.class);
        PublishedState state = new CompactedTopicState(() -> stateConsumer(publisherConfig),
                topics.resourceChanges().name(), values, config.startupTimeout(),
                (where, reason, raw) -> deadLetters.deadLetter(SOURCE, "DESERIALIZATION",
                        "unreadable record " + where + " of the resource-changes topic: " + reason, raw));
        VulnerabilityReportListener reports = new VulnerabilityReportScans(config.clusterId(), runtime.publisher(),
                deadLetters, topics.imageScans(), SOURCE);
        return new ResourceCollector(config, kubernetes, runtime.publisher(), deadLetters, topics, state,
                runtime.metrics(), runtime.clock(), reports);
    }

    /** The fabric8 config of {@code kubeconfig}/{@code context}, else the usual discovery (in-cluster included). */
    public static Config kubernetesConfig(ResourceCollectorConfig config) {
        if (config.kubeconfig() != null) {
            File file = new File(config.kubeconfig());
            if (!file.isFile()) {
                throw new IllegalArgumentException("kubeconfig: no such file " + file);
            }
            return Config.fromKubeconfig(config.context(), file);
        }
        return Config.autoConfigure(config.context());
    }

    private static Consumer<String, byte[]> stateConsumer(KafkaConfig publisherConfig) {
        Map<String, Object> properties = publisherConfig.clientProperties();
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, publisherConfig.clientIdOr("kubeproof-resources") + "-state");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(properties);
    }

    /** Starts campaigning for the Lease (or, with election disabled, publishing at once). Returns immediately. */
    public void start() {
        synchronized (leadership) {
            if (started || closed) {
                throw new IllegalStateException("a ResourceCollector starts once");
            }
            started = true;
        }
        LOG.info("resource collector {} starting on cluster {} with kinds {}", identity(), config.clusterId(), kinds);
        if (config.leaderElection().enabled()) {
            submit(this::campaign, Duration.ZERO);
        } else {
            startLeading();
        }
    }

    /** This replica's identity in the election. */
    public String identity() {
        return config.leaderElection().identity();
    }

    /** True while this replica holds the Lease (always, with election disabled, once started). */
    public boolean isLeader() {
        return leading;
    }

    /** The identity of the current leader as last observed, or null. */
    public String currentLeader() {
        return currentLeader;
    }

    /** True once this replica leads and its informers have synced. */
    public boolean isSynced() {
        InformerSession current = session;
        return leading && current != null && current.synced();
    }

    /**
     * Readiness: a leader is ready once synced; a standby is ready while it campaigns (it can take over).
     */
    public boolean isReady() {
        if (!started || closed) {
            return false;
        }
        if (leading || !config.leaderElection().enabled()) {
            return isSynced();
        }
        CompletableFuture<?> campaign = election;
        return campaign != null && !campaign.isDone();
    }

    /** Liveness: started, not closed, and the leadership thread accepts work. */
    /** Whether this replica publishes: {@code leader}, {@code standby (leader: X)}, or {@code not elected}. */
    public String role() {
        if (!config.leaderElection().enabled()) {
            return "off (this replica always publishes)";
        }
        if (leading) {
            return "leader (" + config.leaderElection().identity() + ")";
        }
        String leader = currentLeader;
        return "standby" + (leader == null ? "" : " (leader: " + leader + ")");
    }

    public boolean isLive() {
        return started && !closed && !transitions.isShutdown();
    }

    public ResourceMetrics metrics() {
        return metrics;
    }

    /** Adds this collector's readiness and liveness checks to a (possibly shared) health server. */
    public void registerHealthChecks(HealthServer server) {
        server.readinessCheck("resources-collector", this::isReady);
        server.livenessCheck("resources-collector", this::isLive);
        server.state("leader election", this::role);
    }

    /**
     * Stops publishing, releases the Lease so that a standby takes over at once, and flushes; the publisher
     * itself belongs to the caller (the runtime) and stays open.
     */
    @Override
    public void close() {
        synchronized (leadership) {
            if (closed) {
                return;
            }
            closed = true;
        }
        CompletableFuture<?> campaign = election;
        if (campaign != null) {
            campaign.cancel(true);
        }
        stopLeading();
        transitions.shutdown();
        try {
            if (!transitions.awaitTermination(10, TimeUnit.SECONDS)) {
                transitions.shutdownNow();
            }
        } catch (InterruptedException e) {
            transitions.shutdownNow();
            Thread.currentThread().interrupt();
        }
        InformerSession current = session;
        if (current != null) {
            current.close();
        }
        try {
            publisher.flush();
        } finally {
            client.close();
        }
        LOG.info("resource collector {} closed", identity());
    }

    private void campaign() {
        if (closed) {
            return;
        }
        ResourceCollectorConfig.LeaderElection settings = config.leaderElection();
        CompletableFuture<?> campaign;
        try {
            campaign = startElector(settings);
        } catch (RuntimeException e) {
            LOG.error("resource collector {} could not campaign for the Lease: {}; retrying", identity(), e.toString());
            submit(this::campaign, settings.retryPeriod());
            return;
        }
        election = campaign;
        if (closed) {
            // close() ran while the elector started: it saw no election to cancel.
            campaign.cancel(true);
            return;
        }
        campaign.whenComplete((ignored, error) -> {
            // The elector ends when leadership is lost (or on cancel): stop publishing, then campaign anew.
            stopLeading();
            if (!closed) {
                submit(this::campaign, settings.retryPeriod());
            }
        });
    }

    private CompletableFuture<?> startElector(ResourceCollectorConfig.LeaderElection settings) {
        return client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName("kubeproof-resources-collector")
                        .withLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()))
                        .withLeaseDuration(settings.leaseDuration())
                        .withRenewDeadline(settings.renewDeadline())
                        .withRetryPeriod(settings.retryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(this::startLeading, this::stopLeading,
                                this::newLeader))
                        .build())
                .build()
                .start();
    }

    private void newLeader(String identity) {
        currentLeader = identity;
        LOG.info("resource collector {}: leader is now {}", identity(), identity);
    }

    private void startLeading() {
        long myTerm;
        synchronized (leadership) {
            if (closed || leading) {
                return;
            }
            leading = true;
            myTerm = term.incrementAndGet();
        }
        metrics.leader(true);
        LOG.info("resource collector {} leads (term {}): starting informers", identity(), myTerm);
        submit(() -> runTerm(myTerm), Duration.ZERO);
    }

    private void stopLeading() {
        synchronized (leadership) {
            if (!leading) {
                return;
            }
            leading = false;
            term.incrementAndGet();
        }
        metrics.leader(false);
        metrics.synced(false);
        LOG.info("resource collector {} stopped leading: informers stop", identity());
        submit(this::endTerm, Duration.ZERO);
    }

    private void runTerm(long myTerm) {
        if (closed || term.get() != myTerm) {
            return;
        }
        InformerSession next = new InformerSession(client, kinds, config.resyncPeriod(), config.listPageSize(),
                emitter, publishedState, () -> !closed && term.get() == myTerm);
        session = next;
        try {
            next.start(config.startupTimeout());
            metrics.synced(next.synced());
        } catch (InterruptedException e) {
            next.close();
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("resource collector {} could not start its informers: {}; stepping down", identity(),
                    e.toString(), e);
            next.close();
            stepDown(myTerm);
        }
    }

    private void endTerm() {
        InformerSession current = session;
        session = null;
        if (current != null) {
            current.close();
        }
        publisher.flush();
    }

    /** After a failed start: give the Lease up (a healthier replica may take it) and try again later. */
    private void stepDown(long myTerm) {
        if (term.get() != myTerm || closed) {
            return;
        }
        if (config.leaderElection().enabled()) {
            CompletableFuture<?> campaign = election;
            if (campaign != null) {
                campaign.cancel(true);
            }
        } else {
            stopLeading();
            submit(this::startLeading, config.leaderElection().retryPeriod());
        }
    }

    private void submit(Runnable task, Duration delay) {
        try {
            transitions.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: nothing more to do
        }
    }
}
