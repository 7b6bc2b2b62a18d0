package dev.kubeproof.sink.documents;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ScannerFinding;
import dev.kubeproof.contract.k8s.ResourceNames;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * A scanner's configuration check on one resource (Trivy's misconfigurations), in the shape of Elastic's
 * misconfiguration findings ({@code result.evaluation}, {@code rule.*}, {@code resource.*}, {@code observer.*}), linked
 * to the kubeproof controls that judge the same thing ({@code kubeproof.control_ids}, from the catalog's
 * {@code trivyChecks}), so that a query for a control finds what Trivy says too, and where the two disagree.
 *
 * <p>One document per resource and check (id = the topic's key), the latest report winning:
 * {@code version_type=external_gte} with the report's time as version, so a replayed or late older report never
 * overwrites a newer one; a tombstone deletes it. The scanner's verdict is kept as it said it: kubeproof does not judge
 * by it.
 */
public final class ScannerFindingDocuments {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATASET = "kubeproof.scanner_findings";

    private final IndexNames names;
    private final Function<String, List<String>> controlsOfCheck;

    /** @param controlsOfCheck the kubeproof controls a scanner's check id corresponds to (empty when none) */
    public ScannerFindingDocuments(IndexNames names, Function<String, List<String>> controlsOfCheck) {
        this.names = Objects.requireNonNull(names, "names");
        this.controlsOfCheck = Objects.requireNonNull(controlsOfCheck, "controlsOfCheck");
    }

    /** The write for one record of the scanner-findings topic ({@code finding} null for a tombstone). */
    public IndexAction toAction(String kafkaKey, ScannerFinding finding) {
        if (finding == null) {
            if (kafkaKey == null) {
                throw new DocumentException("MISSING_KEY", "a tombstone without a key names no document of "
                        + names.scannerFindings());
            }
            return new IndexAction.Delete(names.scannerFindings(), DocumentIds.of(kafkaKey), null);
        }
        String id = DocumentIds.of(kafkaKey != null ? kafkaKey : finding.getFindingId());
        return IndexAction.Upsert.of(names.scannerFindings(), id, finding.getReportedAt().toEpochMilli(),
                toJson(finding));
    }

    ObjectNode toJson(ScannerFinding finding) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", finding.getReportedAt().toString());
        doc.putObject("result").put("evaluation", finding.getPassed() ? "passed" : "failed");
        ObjectNode event = doc.putObject("event");
        event.put("kind", "state");
        event.putArray("category").add("configuration");
        event.putArray("type").add("info");
        event.put("outcome", finding.getPassed() ? "success" : "failure");
        event.put("dataset", DATASET);
        event.put("id", finding.getFindingId());
        if (!finding.getMessages().isEmpty()) {
            doc.put("message", String.join("\n", finding.getMessages()));
        }
        ObjectNode rule = doc.putObject("rule");
        rule.put("id", finding.getCheckId());
        rule.put("name", finding.getTitle());
        if (finding.getResolution() != null) {
            rule.put("remediation", finding.getResolution());
        }
        if (finding.getCheckUrl() != null) {
            rule.put("reference", finding.getCheckUrl());
        }
        String resourceKey = finding.getClusterId() + "/" + finding.getKind() + "/"
                + (finding.getNamespace() == null ? "" : finding.getNamespace()) + "/" + finding.getName();
        ObjectNode resource = doc.putObject("resource");
        resource.put("id", resourceKey);
        resource.put("name", finding.getName());
        resource.put("type", "k8s_object");
        resource.put("sub_type", finding.getKind());
        ObjectNode orchestrator = doc.putObject("orchestrator");
        orchestrator.put("type", "kubernetes");
        if (finding.getNamespace() != null) {
            orchestrator.put("namespace", finding.getNamespace());
        }
        orchestrator.putObject("cluster").put("id", finding.getClusterId()).put("name", finding.getClusterId());
        orchestrator.putObject("resource").put("name", finding.getName())
                .put("type", ResourceNames.plural(finding.getKind()));
        ObjectNode observer = doc.putObject("observer");
        observer.put("vendor", "trivy".equals(finding.getScanner()) ? "Aqua Security" : finding.getScanner());
        observer.put("product", "trivy".equals(finding.getScanner()) ? "Trivy" : finding.getScanner());
        if (finding.getScannerVersion() != null) {
            observer.put("version", finding.getScannerVersion());
        }
        ObjectNode kubeproof = doc.putObject("kubeproof");
        kubeproof.put("key", finding.getFindingId());
        kubeproof.put("severity", finding.getSeverity().toLowerCase(java.util.Locale.ROOT));
        controlsOfCheck.apply(finding.getCheckId()).forEach(kubeproof.putArray("control_ids")::add);
        ObjectNode scanner = kubeproof.putObject("scanner_finding");
        scanner.put("scanner", finding.getScanner());
        scanner.put("check_id", finding.getCheckId());
        scanner.put("passed", finding.getPassed());
        finding.getMessages().forEach(scanner.putArray("messages")::add);
        scanner.put("source", finding.getSource());
        return doc;
    }
}
