package dev.kubeproof.ingest.resources;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.HealthConfig;
import dev.kubeproof.runtime.KafkaConfig;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.kubeproof.ingest.resources.kinds.KindCatalog;
import dev.kubeproof.ingest.resources.kinds.WatchedKind;

/**
 * Configuration of the resource collector, validated on construction; every message names its key. Loaded from
 * YAML with {@code ConfigLoader} (unknown keys rejected) or built by {@link ResourceCollectorCommand} from options.
 *
 * @param clusterId         the cluster's id, first part of every key ({@code [A-Za-z0-9][A-Za-z0-9._-]*}); required
 * @param kubeconfig        kubeconfig file; null for the usual discovery (KUBECONFIG, ~/.kube/config, in-cluster)
 * @param context           kubeconfig context; null for the current one
 * @param kinds             kinds to watch by name (see {@link KindCatalog}); default: all of them
 * @param kafka             Kafka and the schema registry; required
 * @param topicPrefix       topic prefix of the {@link TopicCatalog}; default {@code kubeproof.}
 * @param health            /healthz, /readyz, /metrics; default port 8080, 0 picks a free port
 * @param resyncPeriod      informer resync period, each resync publishes SYNC records; default PT1H, PT0S disables
 * @param maxObjectBytes    largest object JSON published; larger objects are dead-lettered; default 900 KiB (Kafka's default request limit is 1 MiB)
 * @param startupTimeout    how long reading the topic and the informers' first list may take; default PT5M
 * @param listPageSize      objects per list request of an informer; default 500, 0 lists each kind in one request
 * @param leaderElection    Lease-based leader election among replicas
 */
public record ResourceCollectorConfig(
        @JsonPropertyDescription("Id of the watched cluster, first part of every record key. Required.")
        String clusterId,
        @JsonPropertyDescription("kubeconfig file. Default: KUBECONFIG, ~/.kube/config, else in-cluster.")
        String kubeconfig,
        @JsonPropertyDescription("kubeconfig context. Default: the current one.")
        String context,
        @JsonPropertyDescription("Kinds to watch by name. Default: every kind of the catalog but Secrets' data.")
        List<String> kinds,
        @JsonPropertyDescription("Kafka and the schema registry.")
        KafkaConfig kafka,
        @JsonProperty(defaultValue = TopicCatalog.DEFAULT_PREFIX)
        @JsonPropertyDescription("Prefix of every kubeproof topic.")
        String topicPrefix,
        @JsonPropertyDescription("Health, readiness and metrics endpoint.")
        HealthConfig health,
        @JsonProperty(defaultValue = "PT1H")
        @JsonPropertyDescription("Informer resync period; each resync publishes SYNC records. PT0S disables.")
        Duration resyncPeriod,
        @JsonProperty(defaultValue = "921600")
        @JsonPropertyDescription("Largest object JSON published; larger objects are dead-lettered.")
        Integer maxObjectBytes,
        @JsonProperty(defaultValue = "PT5M")
        @JsonPropertyDescription("How long reading the topic and the informers' first list may take.")
        Duration startupTimeout,
        @JsonProperty(defaultValue = "500")
        @JsonPropertyDescription("Objects per list request of an informer (API chunking), so that no kind's list is one "
                + "response held whole; 0 lists each kind in one request from the API server's watch cache.")
        Integer listPageSize,
        @JsonPropertyDescription("Lease-based leader election among replicas.")
        LeaderElection leaderElection) {
    /** Leaves room for the record's other fields under Kafka's default 1 MiB {@code max.request.size}. */
    public static final int DEFAULT_MAX_OBJECT_BYTES = 900 * 1024;
    /** client-go's and kubectl's page size: a page of a 100,000-pod list is a few MB, not the whole list. */
    public static final int DEFAULT_LIST_PAGE_SIZE = 500;
    private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public ResourceCollectorConfig {
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("clusterId must be set");
        }
        if (!CLUSTER_ID.matcher(clusterId).matches() || clusterId.length() > 100) {
            throw new IllegalArgumentException("clusterId '" + clusterId + "' must match " + CLUSTER_ID.pattern()
                    + " (at most 100 characters): it is the first part of every record key");
        }
        kubeconfig = blankToNull(kubeconfig);
        context = blankToNull(context);
        kinds = kinds == null ? KindCatalog.defaultKindNames() : List.copyOf(kinds);
        KindCatalog.resolve(kinds, "kinds");
        kafka = KafkaConfig.required(kafka);
        topicPrefix = TopicCatalog.prefixOrDefault(topicPrefix);
        health = HealthConfig.orDefaults(health);
        resyncPeriod = resyncPeriod == null ? Duration.ofHours(1) : resyncPeriod;
        if (resyncPeriod.isNegative() || (!resyncPeriod.isZero() && resyncPeriod.compareTo(Duration.ofSeconds(1)) < 0)) {
            throw new IllegalArgumentException("resyncPeriod must be PT0S (off) or at least PT1S, was " + resyncPeriod);
        }
        maxObjectBytes = maxObjectBytes == null ? DEFAULT_MAX_OBJECT_BYTES : maxObjectBytes;
        if (maxObjectBytes < 1024) {
            throw new IllegalArgumentException("maxObjectBytes must be at least 1024, was " + maxObjectBytes);
        }
        startupTimeout = startupTimeout == null ? Duration.ofMinutes(5) : startupTimeout;
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
        }
        listPageSize = listPageSize == null ? DEFAULT_LIST_PAGE_SIZE : listPageSize;
        if (listPageSize < 0) {
            throw new IllegalArgumentException("listPageSize must be 0 (one request per kind) or positive, was "
                    + listPageSize);
        }
        leaderElection = leaderElection == null ? LeaderElection.defaults() : leaderElection;
    }

    /** A config with every default, for the given cluster and servers. */
    public static ResourceCollectorConfig of(String clusterId, String bootstrapServers, String schemaRegistryUrl) {
        return new ResourceCollectorConfig(clusterId, null, null, null, KafkaConfig.of(bootstrapServers,
                schemaRegistryUrl, null), null, null, null, null, null, null, null);
    }

    /** The configured kinds, resolved. */
    public List<WatchedKind> watchedKinds() {
        return KindCatalog.resolve(kinds, "kinds");
    }

    public TopicCatalog topics() {
        return new TopicCatalog(topicPrefix);
    }

    /** The publisher settings; the client id names the replica. */
    public KafkaConfig publisherConfig() {
        return kafka.withDefaultClientId("kubeproof-resources-" + leaderElection.identity());
    }

    public ResourceCollectorConfig withKinds(List<String> newKinds) {
        return new ResourceCollectorConfig(clusterId, kubeconfig, context, newKinds, kafka,
                topicPrefix, health, resyncPeriod, maxObjectBytes, startupTimeout, listPageSize, leaderElection);
    }

    public ResourceCollectorConfig withResyncPeriod(Duration period) {
        return new ResourceCollectorConfig(clusterId, kubeconfig, context, kinds, kafka,
                topicPrefix, health, period, maxObjectBytes, startupTimeout, listPageSize, leaderElection);
    }

    public ResourceCollectorConfig withTopicPrefix(String prefix) {
        return new ResourceCollectorConfig(clusterId, kubeconfig, context, kinds, kafka,
                prefix, health, resyncPeriod, maxObjectBytes, startupTimeout, listPageSize, leaderElection);
    }

    public ResourceCollectorConfig withMaxObjectBytes(int bytes) {
        return new ResourceCollectorConfig(clusterId, kubeconfig, context, kinds, kafka,
                topicPrefix, health, resyncPeriod, bytes, startupTimeout, listPageSize, leaderElection);
    }

    public ResourceCollectorConfig withHealthPort(int port) {
        return new ResourceCollectorConfig(clusterId, kubeconfig, context, kinds, kafka,
                topicPrefix, new HealthConfig(health.host(), port), resyncPeriod, maxObjectBytes, startupTimeout, listPageSize, leaderElection);
    }

    public ResourceCollectorConfig withLeaderElection(LeaderElection election) {
        return new ResourceCollectorConfig(clusterId, kubeconfig, context, kinds, kafka,
                topicPrefix, health, resyncPeriod, maxObjectBytes, startupTimeout, listPageSize, election);
    }


    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * Leader election with a {@code coordination.k8s.io/v1} Lease: only the holder publishes.
     *
     * @param enabled       false for a single replica that always publishes; default true
     * @param namespace     namespace of the Lease (the collector's own); default {@code kubeproof}
     * @param leaseName     name of the Lease; default {@code kubeproof-resources-collector}
     * @param identity      this replica's identity; default the HOSTNAME variable (the pod name) plus a random suffix
     * @param leaseDuration how long a lease lasts without renewal; default PT15S
     * @param renewDeadline how long the leader keeps trying to renew before it steps down; default PT10S
     * @param retryPeriod   how often candidates try to acquire and the leader renews; default PT2S
     */
    public record LeaderElection(
        @JsonPropertyDescription("False for a single replica that always publishes; default true.")
        Boolean enabled,
        @JsonPropertyDescription("Namespace of the Lease (the collector's own); default kubeproof.")
        String namespace,
        @JsonPropertyDescription("Name of the Lease; default kubeproof-resources-collector.")
        String leaseName,
        @JsonPropertyDescription("This replica's identity; default the HOSTNAME variable (the pod name) plus a random suffix.")
        String identity,
        @JsonPropertyDescription("How long a lease lasts without renewal; default PT15S.")
        Duration leaseDuration,
        @JsonPropertyDescription("How long the leader keeps trying to renew before it steps down; default PT10S.")
        Duration renewDeadline,
        @JsonPropertyDescription("How often candidates try to acquire and the leader renews; default PT2S.")
        Duration retryPeriod) {

        public LeaderElection {
            enabled = enabled == null || enabled;
            namespace = namespace == null || namespace.isBlank() ? "kubeproof" : namespace;
            leaseName = leaseName == null || leaseName.isBlank() ? "kubeproof-resources-collector" : leaseName;
            identity = identity == null || identity.isBlank() ? defaultIdentity() : identity;
            leaseDuration = leaseDuration == null ? Duration.ofSeconds(15) : leaseDuration;
            renewDeadline = renewDeadline == null ? Duration.ofSeconds(10) : renewDeadline;
            retryPeriod = retryPeriod == null ? Duration.ofSeconds(2) : retryPeriod;
            positive("leaderElection.leaseDuration", leaseDuration);
            positive("leaderElection.renewDeadline", renewDeadline);
            positive("leaderElection.retryPeriod", retryPeriod);
            if (renewDeadline.compareTo(leaseDuration) >= 0) {
                throw new IllegalArgumentException("leaderElection.renewDeadline (" + renewDeadline
                        + ") must be shorter than leaderElection.leaseDuration (" + leaseDuration + ")");
            }
            if (retryPeriod.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException("leaderElection.retryPeriod (" + retryPeriod
                        + ") must be shorter than leaderElection.renewDeadline (" + renewDeadline + ")");
            }
        }

        public static LeaderElection defaults() {
            return new LeaderElection(null, null, null, null, null, null, null);
        }

        /** No election: this replica always publishes. */
        public static LeaderElection disabled() {
            return new LeaderElection(false, null, null, null, null, null, null);
        }

        private static void positive(String key, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(key + " must be positive, was " + value);
            }
        }

        private static String defaultIdentity() {
            // The pod name tells operators who leads; the suffix keeps two collectors in one pod or process apart.
            String hostname = System.getenv("HOSTNAME");
            String base = hostname != null && !hostname.isBlank() ? hostname : "resources-" + ProcessHandle.current().pid();
            return base + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
