package dev.kubeproof.siem;

import static dev.kubeproof.siem.JsonFields.put;
import static dev.kubeproof.siem.JsonFields.putIfNotEmpty;
import static dev.kubeproof.siem.JsonFields.putMap;
import static dev.kubeproof.siem.JsonFields.putStrings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.Attribution;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.ExceptionRef;
import dev.kubeproof.avro.Finding;
import dev.kubeproof.avro.HashChain;
import dev.kubeproof.avro.ResourceRef;

/**
 * The evidence-specific part shared by both formats ({@code kubeproof.*} in ECS, {@code unmapped.kubeproof} in
 * OCSF): everything an auditor needs to tie the SIEM document back to the hash-chained evidence record.
 */
final class EvidenceJson {
    private EvidenceJson() {
    }

    static ObjectNode of(EvidenceRecord record, java.util.Optional<ControlInfo> control, boolean isoTimes) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("evidence_id", record.getEvidenceId());
        node.put("key", EvidenceKey.of(record));
        node.put("status", record.getStatus().name());
        if (record.getPreviousStatus() != null) {
            node.put("previous_status", record.getPreviousStatus().name());
        }
        node.put("severity", record.getSeverity().name());
        ObjectNode controlNode = node.putObject("control");
        controlNode.put("id", record.getControlId());
        controlNode.put("version", record.getControlVersion());
        put(controlNode, "title", record.getControlTitle());
        control.ifPresent(info -> put(controlNode, "category", info.category()));
        time(node, "since", record.getSince(), isoTimes);
        time(node, "observed_at", record.getObservedAt(), isoTimes);

        ResourceRef resource = record.getResource();
        ObjectNode resourceNode = node.putObject("resource");
        resourceNode.put("cluster_id", resource.getClusterId());
        put(resourceNode, "api_group", resource.getApiGroup());
        resourceNode.put("api_version", resource.getApiVersion());
        resourceNode.put("kind", resource.getKind());
        put(resourceNode, "namespace", resource.getNamespace());
        resourceNode.put("name", resource.getName());
        resourceNode.put("uid", resource.getUid());
        put(resourceNode, "resource_version", resource.getResourceVersion());
        putMap(resourceNode, "owner_labels", resource.getOwnerLabels());
        // the same as key=value strings: one keyword field that Kibana can group and filter by
        putStrings(resourceNode, "owner", resource.getOwnerLabels().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).toList());

        if (!record.getDetails().isEmpty()) {
            ArrayNode details = node.putArray("details");
            for (Finding finding : record.getDetails()) {
                ObjectNode detail = details.addObject();
                detail.put("path", finding.getPath());
                put(detail, "container", finding.getContainer());
                put(detail, "value", finding.getValue());
                detail.put("message", finding.getMessage());
            }
        }
        put(node, "remediation", record.getRemediation());

        EvidenceCause cause = record.getCause();
        ObjectNode causeNode = JsonNodeFactory.instance.objectNode();
        put(causeNode, "change_type", cause.getChangeType());
        put(causeNode, "resource_version", cause.getResourceVersion());
        put(causeNode, "audit_id", cause.getAuditId());
        put(causeNode, "scan_id", cause.getScanId());
        put(causeNode, "exception_id", cause.getExceptionId());
        put(causeNode, "attestation_id", cause.getAttestationId());
        putIfNotEmpty(node, "cause", causeNode);
        put(node, "actor", record.getActor());
        Attribution attribution = record.getAttribution();
        if (attribution != null) {
            ObjectNode who = node.putObject("attribution");
            who.put("method", attribution.getMethod().name());
            put(who, "username", attribution.getUsername());
            put(who, "uid", attribution.getUid());
            if (!attribution.getGroups().isEmpty()) {
                attribution.getGroups().forEach(who.putArray("groups")::add);
            }
            put(who, "impersonated_user", attribution.getImpersonatedUser());
            if (!attribution.getSourceIps().isEmpty()) {
                attribution.getSourceIps().forEach(who.putArray("source_ips")::add);
            }
            put(who, "user_agent", attribution.getUserAgent());
            put(who, "audit_id", attribution.getAuditId());
            if (attribution.getAt() != null) {
                time(who, "at", attribution.getAt(), isoTimes);
            }
            put(who, "via", attribution.getVia());
        }

        ExceptionRef exception = record.getException();
        if (exception != null) {
            ObjectNode exceptionNode = node.putObject("exception");
            exceptionNode.put("id", exception.getExceptionId());
            exceptionNode.put("approved_by", exception.getApprovedBy());
            if (exception.getExpiresAt() != null) {
                time(exceptionNode, "expires_at", exception.getExpiresAt(), isoTimes);
            }
            put(exceptionNode, "reason", exception.getReason());
            put(exceptionNode, "ticket", exception.getTicket());
        }

        HashChain chain = record.getChain();
        ObjectNode chainNode = node.putObject("chain");
        chainNode.put("sequence", chain.getSequence());
        put(chainNode, "previous_hash", chain.getPreviousHash());
        chainNode.put("hash", chain.getHash());
        chainNode.put("algorithm", chain.getAlgorithm());

        putStrings(node, "cve_ids", Transitions.cveIds(record));
        control.ifPresent(info -> {
            if (!info.frameworks().isEmpty()) {
                ObjectNode compliance = node.putObject("compliance");
                putStrings(compliance, "standards", new ArrayList<>(new TreeMap<>(info.frameworks()).keySet()));
                putStrings(compliance, "requirements", requirements(info));
            }
        });
        return node;
    }

    /** Framework requirements as {@code key:id}, e.g. {@code cis:5.2.1}, sorted for stable output. */
    static List<String> requirements(ControlInfo info) {
        List<String> requirements = new ArrayList<>();
        for (Map.Entry<String, List<String>> framework : new TreeMap<>(info.frameworks()).entrySet()) {
            framework.getValue().forEach(id -> requirements.add(framework.getKey() + ":" + id));
        }
        return requirements;
    }

    private static void time(ObjectNode node, String field, java.time.Instant instant, boolean iso) {
        if (iso) {
            node.put(field, Transitions.iso(instant));
        } else {
            node.put(field, instant.toEpochMilli());
        }
    }
}
