package dev.kubeproof.sink.policyreport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.config.PolicyReportConfig;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Keeps the latest result per (cluster, control, resource) of one cluster and writes them back into that cluster as
 * wg-policy reports: one {@code PolicyReport} {@code kubeproof-<namespace>} per namespace and one
 * {@code ClusterPolicyReport} {@code kubeproof-cluster} for cluster-scoped resources.
 *
 * <p>Writes are debounced: {@link #flushDue()} writes a changed report at most once per write interval (measured
 * on the injected clock), so a burst of transitions costs one write. A report holds at most {@code maxResults}
 * results, failures first by severity; its {@code summary} always counts every result, and annotations say
 * when results were left out. A report whose results are all gone is written empty rather than deleted (the
 * sink's RBAC has no delete). A failed write is retried at the next due flush. Not thread-safe: one thread
 * feeds and flushes it.
 */
public final class PolicyReportWriter {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyReportWriter.class);

    public static final String SOURCE = "kubeproof";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String CLUSTER_REPORT_NAME = "kubeproof-cluster";
    public static final String NAME_PREFIX = "kubeproof-";
    public static final String TRUNCATED_ANNOTATION = "kubeproof.dev/results-truncated";
    public static final String TOTAL_ANNOTATION = "kubeproof.dev/results-total";
    public static final String CLUSTER_ID_ANNOTATION = "kubeproof.dev/cluster-id";
    static final String API_VERSION = "wgpolicyk8s.io/v1alpha2";

    public static final ResourceDefinitionContext POLICY_REPORTS = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind("PolicyReport").withPlural("policyreports")
            .withNamespaced(true).build();
    public static final ResourceDefinitionContext CLUSTER_POLICY_REPORTS = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind("ClusterPolicyReport")
            .withPlural("clusterpolicyreports").withNamespaced(false).build();

    /** The cluster-scoped report's slot in {@link #reports}: no namespace is named "". */
    private static final String CLUSTER_SCOPE = "";

    private final KubernetesClient client;
    private final ControlCatalog catalog;
    private final String clusterId;
    private final int maxResults;
    private final Duration writeInterval;
    private final Clock clock;
    /** Evidence key (cluster/control/uid) → the scope whose report holds its result. */
    private final Map<String, String> scopeByKey = new HashMap<>();
    private final Map<String, Report> reports = new HashMap<>();
    private long writes;
    private long failedWrites;

    public PolicyReportWriter(KubernetesClient client, ControlCatalog catalog, PolicyReportConfig config, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.clusterId = Objects.requireNonNull(config.clusterId(), "policy-reports.cluster-id");
        this.maxResults = config.maxResults();
        this.writeInterval = config.writeInterval();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Takes one record of the evidence-state topic: the latest evidence of its key, or a tombstone ({@code record}
     * null) or a CLOSED record, which remove the key's result. Records of other clusters are ignored.
     *
     * @return whether a report changed
     */
    public boolean accept(String key, EvidenceRecord record) {
        if (record != null && !clusterId.equals(record.getResource().getClusterId())) {
            return false;
        }
        if (key == null) {
            if (record == null) {
                return false;
            }
            key = EvidenceKey.of(record);
        }
        if (record == null || record.getStatus() == EvidenceStatus.CLOSED) {
            return remove(key);
        }
        ReportResult result = ReportResult.of(record, catalog);
        String scope = result.namespace() == null ? CLUSTER_SCOPE : result.namespace();
        String previousScope = scopeByKey.put(key, scope);
        boolean changed = false;
        if (previousScope != null && !previousScope.equals(scope)) {
            changed = reports.get(previousScope).remove(key);
        }
        return reports.computeIfAbsent(scope, Report::new).put(key, result) || changed;
    }

    private boolean remove(String key) {
        String scope = scopeByKey.remove(key);
        return scope != null && reports.get(scope).remove(key);
    }

    /**
     * Marks every report kubeproof wrote earlier (labelled {@code managed-by: kubeproof}) for a rewrite, so that
     * a report whose results all disappeared while the sink was down is emptied. Called once the state is rebuilt.
     */
    public void adoptExisting() {
        for (GenericKubernetesResource existing : client.genericKubernetesResources(POLICY_REPORTS).inAnyNamespace()
                .withLabel(MANAGED_BY, SOURCE).list().getItems()) {
            String namespace = existing.getMetadata().getNamespace();
            if ((NAME_PREFIX + namespace).equals(existing.getMetadata().getName())) {
                reports.computeIfAbsent(namespace, Report::new).adopt();
            }
        }
        for (GenericKubernetesResource existing : client.genericKubernetesResources(CLUSTER_POLICY_REPORTS)
                .withLabel(MANAGED_BY, SOURCE).list().getItems()) {
            if (CLUSTER_REPORT_NAME.equals(existing.getMetadata().getName())) {
                reports.computeIfAbsent(CLUSTER_SCOPE, Report::new).adopt();
            }
        }
    }

    /** Writes every changed report whose last write is at least one write interval ago; returns how many it wrote. */
    public int flushDue() {
        Instant now = clock.instant();
        int written = 0;
        for (Report report : List.copyOf(reports.values())) {
            if (report.isDue(now) && report.write(now)) {
                written++;
            }
        }
        return written;
    }

    /** Writes every changed report now, ignoring the interval (on shutdown). */
    public int flushAll() {
        Instant now = clock.instant();
        int written = 0;
        for (Report report : List.copyOf(reports.values())) {
            if (report.dirty && report.write(now)) {
                written++;
            }
        }
        return written;
    }

    public long writes() {
        return writes;
    }

    public long failedWrites() {
        return failedWrites;
    }

    /** The resource kubeproof would write for {@code namespace} (null: the cluster report), for tests and inspection. */
    GenericKubernetesResource render(String namespace) {
        Report report = reports.get(namespace == null ? CLUSTER_SCOPE : namespace);
        return report == null ? null : report.render();
    }

    /** One report: its results and when it was last written. */
    private final class Report {
        private final String scope;
        private final Map<String, ReportResult> results = new HashMap<>();
        private boolean dirty;
        /** Whether the report exists (or may exist) in the cluster, so that emptying it needs a write. */
        private boolean exists;
        private Instant lastAttempt;

        Report(String scope) {
            this.scope = scope;
        }

        boolean put(String key, ReportResult result) {
            ReportResult previous = results.put(key, result);
            if (!result.equals(previous)) {
                dirty = true;
                return true;
            }
            return false;
        }

        boolean remove(String key) {
            if (results.remove(key) != null) {
                dirty = true;
                return true;
            }
            return false;
        }

        void adopt() {
            exists = true;
            dirty = true;
        }

        boolean isDue(Instant now) {
            return dirty && (lastAttempt == null || !now.isBefore(lastAttempt.plus(writeInterval)));
        }

        boolean write(Instant now) {
            if (results.isEmpty() && !exists) {
                dirty = false; // never written and nothing to say: no report to create
                return false;
            }
            lastAttempt = now;
            GenericKubernetesResource resource = render();
            try {
                if (scope.equals(CLUSTER_SCOPE)) {
                    client.genericKubernetesResources(CLUSTER_POLICY_REPORTS).resource(resource)
                            .createOr(NonDeletingOperation::update);
                } else {
                    client.genericKubernetesResources(POLICY_REPORTS).inNamespace(scope).resource(resource)
                            .createOr(NonDeletingOperation::update);
                }
                dirty = false;
                exists = true;
                writes++;
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404 && results.isEmpty()) {
                    // the namespace is gone, and with it the report: nothing left to empty
                    dirty = false;
                    exists = false;
                    return false;
                }
                failedWrites++;
                LOG.warn("cannot write the policy report {} (HTTP {}), retrying in {}: {}", resource.getMetadata().getName(),
                        e.getCode(), writeInterval, e.getMessage());
                return false;
            }
        }

        GenericKubernetesResource render() {
            List<ReportResult> sorted = new ArrayList<>(results.values());
            sorted.sort(ReportResult.PRIORITY);
            Map<String, Integer> summary = new LinkedHashMap<>();
            for (String result : List.of("pass", "fail", "warn", "error", "skip")) {
                summary.put(result, 0);
            }
            sorted.forEach(r -> summary.merge(r.result(), 1, Integer::sum));
            boolean truncated = sorted.size() > maxResults;
            List<Map<String, Object>> kept = sorted.stream().limit(maxResults).map(ReportResult::toJson).toList();
            boolean cluster = scope.equals(CLUSTER_SCOPE);
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(CLUSTER_ID_ANNOTATION, clusterId);
            annotations.put(TOTAL_ANNOTATION, Integer.toString(sorted.size()));
            annotations.put(TRUNCATED_ANNOTATION, Boolean.toString(truncated));
            GenericKubernetesResourceBuilder builder = new GenericKubernetesResourceBuilder()
                    .withApiVersion(API_VERSION)
                    .withKind(cluster ? "ClusterPolicyReport" : "PolicyReport")
                    .withNewMetadata()
                    .withName(cluster ? CLUSTER_REPORT_NAME : NAME_PREFIX + scope)
                    .withNamespace(cluster ? null : scope)
                    .withLabels(Map.of(MANAGED_BY, SOURCE))
                    .withAnnotations(annotations)
                    .endMetadata();
            GenericKubernetesResource resource = builder.build();
            // the summary counts every result, also those left out of a truncated report
            resource.setAdditionalProperty("summary", summary);
            resource.setAdditionalProperty("results", kept);
            return resource;
        }
    }
}
