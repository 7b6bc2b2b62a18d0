package dev.kubeproof.sink.config;

import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Optional write-back of kubeproof's results into the cluster as wg-policy {@code PolicyReport} /
 * {@code ClusterPolicyReport} resources, for Kubernetes-native tools such as Policy Reporter. Off by default.
 *
 * @param enabled        whether the sink writes reports at all
 * @param clusterId      the kubeproof cluster id whose evidence is written: the cluster the client talks to
 *                       (evidence of other clusters must never land in this one); required when enabled
 * @param maxResults     the most results one report holds; failures are kept first when there are more
 * @param writeInterval  a changed report is written at most once per interval (writes are debounced)
 * @param kubeconfig     kubeconfig file to use, or null for fabric8's auto-configuration (in-cluster service
 *                       account, else {@code KUBECONFIG} / {@code ~/.kube/config})
 */
public record PolicyReportConfig(
        @JsonProperty(defaultValue = "false")
        @JsonPropertyDescription("Whether the sink writes PolicyReports at all.")
        Boolean enabled,
        @JsonPropertyDescription("The cluster whose evidence is written: the one the client talks to. Required when"
                + " enabled.")
        String clusterId,
        @JsonProperty(defaultValue = "1000")
        @JsonPropertyDescription("The most results one report holds; failures are kept first.")
        Integer maxResults,
        @JsonProperty(defaultValue = "30s")
        @JsonPropertyDescription("A changed report is written at most once per interval.")
        Duration writeInterval,
        @JsonPropertyDescription("kubeconfig file. Default: in-cluster service account, else KUBECONFIG.")
        Path kubeconfig) {

    public static final int DEFAULT_MAX_RESULTS = 1000;
    public static final Duration DEFAULT_WRITE_INTERVAL = Duration.ofSeconds(30);

    public PolicyReportConfig {
        enabled = enabled != null && enabled;
        maxResults = maxResults == null ? DEFAULT_MAX_RESULTS : maxResults;
        writeInterval = writeInterval == null ? DEFAULT_WRITE_INTERVAL : writeInterval;
        if (enabled && (clusterId == null || clusterId.isBlank())) {
            throw new IllegalArgumentException("policyReports.clusterId is required when policyReports.enabled is true");
        }
        if (maxResults < 1 || maxResults > 10_000) {
            throw new IllegalArgumentException("policyReports.maxResults must be between 1 and 10000, was " + maxResults);
        }
        if (writeInterval == null || writeInterval.isNegative()) {
            throw new IllegalArgumentException("policyReports.writeInterval must not be negative, was " + writeInterval);
        }
    }

    public static PolicyReportConfig disabled() {
        return new PolicyReportConfig(false, null, DEFAULT_MAX_RESULTS, DEFAULT_WRITE_INTERVAL, null);
    }

    public static PolicyReportConfig enabled(String clusterId) {
        return new PolicyReportConfig(true, clusterId, DEFAULT_MAX_RESULTS, DEFAULT_WRITE_INTERVAL, null);
    }

}
