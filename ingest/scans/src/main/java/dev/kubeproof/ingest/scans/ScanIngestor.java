package dev.kubeproof.ingest.scans;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.ScannerFinding;
import dev.kubeproof.contract.topics.TopicCatalog;
import dev.kubeproof.runtime.DeadLetterPublisher;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.InvalidInputException;
import dev.kubeproof.runtime.RecordPublisher;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The one path every scan report takes, from the directory and from HTTP: parse (Trivy JSON, a Trivy cluster report
 * with one scan per image and its misconfiguration results as scanner findings, a Trivy Operator VulnerabilityReport,
 * or a ConfigAuditReport's checks as scanner findings), key, publish; a bad report is dead-lettered. The future completes when Kafka
 * has the scan or the dead letter; it fails only when Kafka could not be written (the caller retries).
 */
public final class ScanIngestor {
    /** What a report became: the key and scan id when published, or why it was rejected. */
    public record Outcome(String key, String scanId, String errorType, String reason) {
        public boolean published() {
            return errorType == null;
        }
    }

    /**
     * Names of an input source.
     *
     * @param recordSource     {@code ImageScan.source}, e.g. {@code file:/scans/app.json} or {@code http}
     * @param deadLetterSource dead-letter source and metrics tag
     */
    public record Source(String recordSource, String deadLetterSource) {
        public static final Source HTTP = new Source("http", "ingest.scans-http");

        public static Source file(String path) {
            return new Source("file:" + path, "ingest.scans-directory");
        }
    }

    private final TrivyReportParser parser;
    private final String clusterId;
    private final RecordPublisher publisher;
    private final DeadLetterPublisher deadLetters;
    private final TopicCatalog topics;
    private final ObjectMapper mapper;
    private final int maxReportBytes;

    /**
     * @param clusterId the cluster reports are about, or null when they are not tied to one (then posted
     *                  VulnerabilityReports are refused: they need a cluster)
     */
    public ScanIngestor(TrivyReportParser parser, String clusterId, RecordPublisher publisher,
                        DeadLetterPublisher deadLetters, TopicCatalog topics, ObjectMapper mapper, int maxReportBytes) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.clusterId = clusterId;
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.maxReportBytes = maxReportBytes;
    }

    public int maxReportBytes() {
        return maxReportBytes;
    }

    /** One report, raw. */
    public CompletableFuture<Outcome> ingest(byte[] raw, Source source) {
        publisher.metrics().inputReceived(source.deadLetterSource());
        if (raw.length > maxReportBytes) {
            return reject(source, new InvalidInputException(ErrorTypes.OVERSIZED, "report of " + raw.length
                    + " bytes is larger than maxReportBytes=" + maxReportBytes), raw);
        }
        JsonNode node;
        try {
            node = mapper.readTree(raw);
        } catch (IOException e) {
            return reject(source, malformed(e), raw);
        }
        if (TrivyClusterReports.isClusterReport(node)) {
            return ingestClusterReport(node, source, raw);
        }
        if (TrivyMisconfigurations.isConfigAuditReport(node)) {
            return ingestConfigAuditReport(node, source, raw);
        }
        ImageScan scan;
        try {
            scan = toImageScan(node, source);
        } catch (InvalidInputException e) {
            return reject(source, e, raw);
        }
        return publish(scan, source, raw);
    }

    /**
     * A trivy k8s report: one scan per image and one scanner finding per misconfiguration result, all published; the
     * outcome lists the scans' keys and ids.
     */
    private CompletableFuture<Outcome> ingestClusterReport(JsonNode node, Source source, byte[] raw) {
        List<ImageScan> scans;
        List<ScannerFinding> findings;
        try {
            scans = TrivyClusterReports.toImageScans(node, parser, clusterId, source.recordSource());
            findings = TrivyMisconfigurations.ofClusterReport(node, clusterId, source.recordSource(), parser.now());
        } catch (InvalidInputException e) {
            return reject(source, e, raw);
        }
        List<CompletableFuture<Outcome>> published = new ArrayList<>(scans.stream()
                .map(scan -> publish(scan, source, raw)).toList());
        findings.forEach(finding -> published.add(publish(finding, source, raw)));
        return all(published);
    }

    /** One outcome for the records of one report: the first refusal, else every key (and the scans' ids). */
    private static CompletableFuture<Outcome> all(List<CompletableFuture<Outcome>> published) {
        return CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Outcome> outcomes = published.stream().map(CompletableFuture::join).toList();
            String scanIds = outcomes.stream().map(Outcome::scanId).filter(Objects::nonNull)
                    .collect(Collectors.joining(","));
            return outcomes.stream().filter(o -> !o.published()).findFirst().orElseGet(() -> new Outcome(
                    outcomes.stream().map(Outcome::key).collect(Collectors.joining(",")),
                    scanIds.isEmpty() ? null : scanIds, null, null));
        });
    }

    /** A Trivy Operator ConfigAuditReport: one scanner finding per check. */
    private CompletableFuture<Outcome> ingestConfigAuditReport(JsonNode node, Source source, byte[] raw) {
        List<ScannerFinding> findings;
        try {
            if (clusterId == null) {
                throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "a ConfigAuditReport needs a cluster:"
                        + " set clusterId in the scan collector's config");
            }
            findings = TrivyMisconfigurations.ofConfigAuditReport(node, clusterId, source.recordSource(), parser.now());
        } catch (InvalidInputException e) {
            return reject(source, e, raw);
        }
        return all(findings.stream().map(f -> publish(f, source, raw)).toList());
    }

    /** A report the caller refused before reading it all (e.g. an oversized HTTP body). */
    public CompletableFuture<Outcome> reject(Source source, String errorType, String reason, byte[] rawPrefix) {
        return reject(source, new InvalidInputException(errorType, reason), rawPrefix);
    }

    private ImageScan toImageScan(JsonNode node, Source source) {
        if (node != null && node.isObject() && node.has("apiVersion") && node.has("kind")) {
            // a Kubernetes object: only a Trivy Operator VulnerabilityReport is a scan
            if (clusterId == null && TrivyOperatorReports.isVulnerabilityReport(node)) {
                throw new InvalidInputException(ErrorTypes.MISSING_FIELD, "a VulnerabilityReport needs a cluster:"
                        + " set clusterId in the scan collector's config");
            }
            return TrivyOperatorReports.toImageScan(node, clusterId == null ? "-" : clusterId, source.recordSource());
        }
        return parser.parse(node, clusterId, source.recordSource());
    }

    private CompletableFuture<Outcome> publish(ImageScan scan, Source source, byte[] raw) {
        String key = ImageScans.keyOf(scan);
        return published(publisher.publish(topics.imageScans(), key, scan, source.deadLetterSource())
                .thenApply(metadata -> new Outcome(key, scan.getScanId(), null, null)), "the scan of " + key, source, raw);
    }

    private CompletableFuture<Outcome> publish(ScannerFinding finding, Source source, byte[] raw) {
        String key = finding.getFindingId();
        return published(publisher.publish(topics.scannerFindings(), key, finding, source.deadLetterSource())
                .thenApply(metadata -> new Outcome(key, null, null, null)), "the finding " + key, source, raw);
    }

    private CompletableFuture<Outcome> published(CompletableFuture<Outcome> sent, String what, Source source, byte[] raw) {
        return sent
                .exceptionallyCompose(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof RecordTooLargeException || cause instanceof SerializationException) {
                        // retrying cannot help: keep the report as a dead letter instead of blocking the source
                        return reject(source, new InvalidInputException(ErrorTypes.PUBLISH_FAILED, "Kafka refused "
                                + what + ": " + cause.getMessage() + " (raise max.request.size and the topic's"
                                + " max.message.bytes for very large reports)"), raw);
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }

    private CompletableFuture<Outcome> reject(Source source, InvalidInputException error, byte[] raw) {
        return deadLetters.deadLetter(source.deadLetterSource(), error.errorType(), error.getMessage(), raw)
                .thenApply(metadata -> new Outcome(null, null, error.errorType(), error.getMessage()));
    }

    private static InvalidInputException malformed(IOException e) {
        StringBuilder reason = new StringBuilder("not valid JSON");
        if (e instanceof JsonProcessingException json && json.getLocation() != null) {
            reason.append(" at line ").append(json.getLocation().getLineNr())
                    .append(", column ").append(json.getLocation().getColumnNr());
        }
        return new InvalidInputException(ErrorTypes.MALFORMED_JSON, reason.toString());
    }
}
