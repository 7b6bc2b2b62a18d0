package dev.kubeproof.sink.config;

import java.nio.file.Path;
import java.time.Duration;

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
public record PolicyReportConfig(boolean enabled, String clusterId, int maxResults, Duration writeInterval,
                                 Path kubeconfig) {

    public static final int DEFAULT_MAX_RESULTS = 1000;
    public static final Duration DEFAULT_WRITE_INTERVAL = Duration.ofSeconds(30);

    public PolicyReportConfig {
        if (enabled && (clusterId == null || clusterId.isBlank())) {
            throw new IllegalArgumentException("policy-reports.cluster-id is required when policy-reports.enabled is true");
        }
        if (maxResults < 1 || maxResults > 10_000) {
            throw new IllegalArgumentException("policy-reports.max-results must be between 1 and 10000, was " + maxResults);
        }
        if (writeInterval == null || writeInterval.isNegative()) {
            throw new IllegalArgumentException("policy-reports.write-interval must not be negative, was " + writeInterval);
        }
    }

    public static PolicyReportConfig disabled() {
        return new PolicyReportConfig(false, null, DEFAULT_MAX_RESULTS, DEFAULT_WRITE_INTERVAL, null);
    }

    public static PolicyReportConfig enabled(String clusterId) {
        return new PolicyReportConfig(true, clusterId, DEFAULT_MAX_RESULTS, DEFAULT_WRITE_INTERVAL, null);
    }

    static PolicyReportConfig from(Settings settings) {
        String enabled = settings.string("policy-reports.enabled", "false").toLowerCase(java.util.Locale.ROOT);
        if (!enabled.equals("true") && !enabled.equals("false")) {
            throw new IllegalArgumentException("policy-reports.enabled must be true or false, was '" + enabled + "'");
        }
        return new PolicyReportConfig(Boolean.parseBoolean(enabled),
                settings.string("policy-reports.cluster-id", null),
                settings.integer("policy-reports.max-results", DEFAULT_MAX_RESULTS, 1, 10_000),
                settings.duration("policy-reports.write-interval", DEFAULT_WRITE_INTERVAL),
                settings.path("policy-reports.kubeconfig"));
    }
}
