package dev.kubeproof.sink.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.kubeproof.runtime.Secret;

/**
 * How to reach and write to Elasticsearch. Authentication is an API key or a user and password (or none, for
 * a cluster without security); secrets come from files or environment variables only. TLS is used for
 * {@code https} URLs, trusting the CA in {@code caFile} (PEM) when given, else the JVM's default trust store.
 *
 * @param urls              one or more node URLs, all http or all https
 * @param username          user for basic authentication, or null
 * @param password          its password, set exactly when {@code username} is
 * @param apiKey            an encoded API key ({@code base64(id:key)}), or null; exclusive with a user
 * @param caFile            PEM file with the CA certificate(s) to trust for https, or null
 * @param connectTimeout    TCP connect timeout
 * @param responseTimeout   how long a request may wait for its response
 * @param indexPrefix       prefix of every index, data stream and template kubeproof creates
 * @param auditDataStream   the audit events data stream; the default follows Elastic's Kubernetes integration
 *                          ({@code logs-kubernetes.audit_logs-*}) so that its prebuilt detection rules find the events,
 *                          with the index prefix as its namespace (see {@link #auditDataStreamOf(String)})
 * @param replicas          number_of_replicas of every index kubeproof creates
 * @param auditRetention    how long audit events are kept (data stream lifecycle), null for forever
 * @param violationsRetention how long violation documents are kept, null for forever
 * @param evidenceRetention how long evidence history is kept, null for forever (the default: evidence is kept)
 */
public record ElasticsearchConfig(
        @JsonPropertyDescription("Node URLs, all http or all https. Required.")
        List<URI> urls,
        @JsonPropertyDescription("User for basic authentication; needs password.")
        String username,
        @JsonPropertyDescription("The user's password: {file: PATH} or {env: NAME}, never a literal.")
        Secret password,
        @JsonPropertyDescription("An encoded API key (base64(id:key)): {file: PATH} or {env: NAME}; instead of a user.")
        Secret apiKey,
        @JsonPropertyDescription("PEM file of the CA to trust for https. Default: the JVM's trust store.")
        Path caFile,
        @JsonProperty(defaultValue = "5s")
        @JsonPropertyDescription("TCP connect timeout.")
        Duration connectTimeout,
        @JsonProperty(defaultValue = "30s")
        @JsonPropertyDescription("How long a request may wait for its response.")
        Duration responseTimeout,
        @JsonProperty(defaultValue = DEFAULT_INDEX_PREFIX)
        @JsonPropertyDescription("Prefix of every index, data stream and template kubeproof creates.")
        String indexPrefix,
        @JsonProperty(defaultValue = AUDIT_DATA_STREAM_BASE + "<indexPrefix>")
        @JsonPropertyDescription("The audit events data stream (Elastic's Kubernetes integration pattern, so that its"
                + " prebuilt rules find the events). The default's namespace is the index prefix, '-' written '_'.")
        String auditDataStream,
        @JsonProperty(defaultValue = "1")
        @JsonPropertyDescription("number_of_replicas of every index kubeproof creates.")
        Integer replicas,
        @JsonProperty(defaultValue = "90d")
        @JsonPropertyDescription("How long audit events are kept (data stream lifecycle).")
        Duration auditRetention,
        @JsonProperty(defaultValue = "365d")
        @JsonPropertyDescription("How long violation documents are kept.")
        Duration violationsRetention,
        @JsonPropertyDescription("How long evidence history is kept. Default: forever (evidence is kept).")
        Duration evidenceRetention) {

    public static final String DEFAULT_INDEX_PREFIX = "kubeproof";
    /** Elastic's Kubernetes integration's audit data stream, up to its namespace. */
    public static final String AUDIT_DATA_STREAM_BASE = "logs-kubernetes.audit_logs-";
    public static final String DEFAULT_AUDIT_DATA_STREAM = auditDataStreamOf(DEFAULT_INDEX_PREFIX);
    private static final Pattern INDEX_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    public ElasticsearchConfig {
        urls = List.copyOf(Objects.requireNonNull(urls, "elasticsearch.urls is required"));
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        responseTimeout = responseTimeout == null ? Duration.ofSeconds(30) : responseTimeout;
        indexPrefix = indexPrefix == null ? DEFAULT_INDEX_PREFIX : indexPrefix;
        auditDataStream = auditDataStream == null ? auditDataStreamOf(indexPrefix) : auditDataStream;
        replicas = replicas == null ? 1 : replicas;
        auditRetention = auditRetention == null ? Duration.ofDays(90) : auditRetention;
        violationsRetention = violationsRetention == null ? Duration.ofDays(365) : violationsRetention;
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("elasticsearch.urls must name at least one node");
        }
        for (URI url : urls) {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("elasticsearch.urls: '" + url + "' must be an http or https URL with a host");
            }
        }
        if (urls.stream().map(URI::getScheme).distinct().count() > 1) {
            throw new IllegalArgumentException("elasticsearch.urls must all be http or all https");
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException(username == null
                    ? "elasticsearch.password is set without elasticsearch.username"
                    : "elasticsearch.username needs elasticsearch.password ({file: PATH} or {env: NAME})");
        }
        if (username != null && apiKey != null) {
            throw new IllegalArgumentException("elasticsearch.username and elasticsearch.apiKey exclude each other: use one");
        }
        if (caFile != null) {
            if (!"https".equals(urls.get(0).getScheme())) {
                throw new IllegalArgumentException("elasticsearch.caFile is set but elasticsearch.urls are not https");
            }
            if (!Files.isRegularFile(caFile) || !Files.isReadable(caFile)) {
                throw new IllegalArgumentException("elasticsearch.caFile: " + caFile + " is not a readable file");
            }
        }
        requirePositive("elasticsearch.connectTimeout", connectTimeout);
        requirePositive("elasticsearch.responseTimeout", responseTimeout);
        requireIndexName("elasticsearch.indexPrefix", indexPrefix);
        requireIndexName("elasticsearch.auditDataStream", auditDataStream);
        if (replicas < 0) {
            throw new IllegalArgumentException("elasticsearch.replicas must be at least 0, was " + replicas);
        }
    }

    /**
     * The audit data stream of an installation with this index prefix: its namespace is the prefix, so that two
     * installations (or runs) with different prefixes on one Elasticsearch keep their audit events apart, as they do
     * everything else. A data stream's namespace may not contain '-' (the naming scheme type-dataset-namespace
     * splits on it), so '-' is written '_': {@code kubeproof} → {@code logs-kubernetes.audit_logs-kubeproof},
     * {@code kp-test} → {@code logs-kubernetes.audit_logs-kp_test}.
     */
    public static String auditDataStreamOf(String indexPrefix) {
        return AUDIT_DATA_STREAM_BASE + indexPrefix.replace('-', '_');
    }

    /** Plain http to one node, no authentication: for tests and local use. */
    public static ElasticsearchConfig of(URI url) {
        return new ElasticsearchConfig(List.of(url), null, null, null, null, Duration.ofSeconds(5), Duration.ofSeconds(30),
                DEFAULT_INDEX_PREFIX, DEFAULT_AUDIT_DATA_STREAM, 1, Duration.ofDays(90), Duration.ofDays(365), null);
    }

    public ElasticsearchConfig withUrls(List<URI> nodes) {
        return new ElasticsearchConfig(nodes, username, password, apiKey, caFile, connectTimeout, responseTimeout, indexPrefix,
                auditDataStream, replicas, auditRetention, violationsRetention, evidenceRetention);
    }

    public ElasticsearchConfig withBasicAuth(String user, Secret secret) {
        return new ElasticsearchConfig(urls, user, secret, null, caFile, connectTimeout, responseTimeout, indexPrefix,
                auditDataStream, replicas, auditRetention, violationsRetention, evidenceRetention);
    }

    public ElasticsearchConfig withApiKey(Secret key) {
        return new ElasticsearchConfig(urls, null, null, key, caFile, connectTimeout, responseTimeout, indexPrefix,
                auditDataStream, replicas, auditRetention, violationsRetention, evidenceRetention);
    }

    public ElasticsearchConfig withCaFile(Path file) {
        return new ElasticsearchConfig(urls, username, password, apiKey, file, connectTimeout, responseTimeout, indexPrefix,
                auditDataStream, replicas, auditRetention, violationsRetention, evidenceRetention);
    }

    /** Another prefix, with the audit data stream that goes with it ({@link #auditDataStreamOf(String)}). */
    public ElasticsearchConfig withNames(String prefix, int replicaCount) {
        return withNames(prefix, auditDataStreamOf(prefix), replicaCount);
    }

    public ElasticsearchConfig withNames(String prefix, String audit, int replicaCount) {
        return new ElasticsearchConfig(urls, username, password, apiKey, caFile, connectTimeout, responseTimeout, prefix,
                audit, replicaCount, auditRetention, violationsRetention, evidenceRetention);
    }

    public ElasticsearchConfig withTimeouts(Duration connect, Duration response) {
        return new ElasticsearchConfig(urls, username, password, apiKey, caFile, connect, response, indexPrefix,
                auditDataStream, replicas, auditRetention, violationsRetention, evidenceRetention);
    }

    public Optional<Secret> passwordSecret() {
        return Optional.ofNullable(password);
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, was " + value);
        }
    }

    private static void requireIndexName(String key, String value) {
        if (value == null || !INDEX_NAME.matcher(value).matches() || value.length() > 100) {
            throw new IllegalArgumentException(key + " must be a lower-case index name (a-z, 0-9, '.', '_', '-'), was '"
                    + value + "'");
        }
    }

    @Override
    public String toString() {
        // records print every component; spell it out so that no future component can leak a secret
        return "ElasticsearchConfig[urls=" + urls + ", username=" + username + ", password=" + password + ", apiKey="
                + apiKey + ", caFile=" + caFile + ", indexPrefix=" + indexPrefix + ", auditDataStream=" + auditDataStream
                + ", replicas=" + replicas + "]";
    }
}
