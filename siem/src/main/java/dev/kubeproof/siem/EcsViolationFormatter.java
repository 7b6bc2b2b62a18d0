package dev.kubeproof.siem;

import static dev.kubeproof.siem.JsonFields.put;
import static dev.kubeproof.siem.JsonFields.putStrings;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.Attribution;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.contract.k8s.ResourceNames;

/**
 * An evidence transition as an Elastic Common Schema document: {@code event.*} says what happened,
 * {@code rule.*} which control, {@code resource.*} and {@code orchestrator.*} where, {@code user.*} who caused
 * it, {@code vulnerability.*} which CVEs when the finding names any, and {@code kubeproof.*} the evidence itself
 * (status, findings, cause, exception, hash chain). The document validates against
 * {@code ecs-violation.schema.json}; the sink indexes the same shape for evidence history and posture.
 */
public final class EcsViolationFormatter implements ViolationFormatter {
    public static final String NAME = "ecs";
    /** Classpath resource of the JSON Schema the documents satisfy. */
    public static final String SCHEMA_RESOURCE = "/dev/kubeproof/siem/ecs-violation.schema.json";
    /** The ECS version the documents follow. */
    public static final String ECS_VERSION = "8.17.0";
    /** The dataset of the violations topic. */
    public static final String VIOLATIONS_DATASET = "kubeproof.violations";
    /** Where a control's documentation lives when the catalog names no reference. */
    /** {@code resource.type} of every kubeproof document: a Kubernetes object (the kind is {@code resource.sub_type}). */
    public static final String RESOURCE_TYPE = "k8s_object";
    public static final String DEFAULT_RULE_REFERENCE_BASE = "https://kubeproof.dev/controls/";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ControlCatalog catalog;
    private final String dataset;
    private final String ruleReferenceBase;

    public EcsViolationFormatter() {
        this(ControlCatalog.empty(), VIOLATIONS_DATASET, DEFAULT_RULE_REFERENCE_BASE);
    }

    /**
     * @param catalog           control metadata for framework mappings and links
     * @param dataset           {@code event.dataset}, e.g. kubeproof.violations or kubeproof.evidence
     * @param ruleReferenceBase prefix of {@code rule.reference} (the control id is appended) when the catalog has
     *                          no reference for the control
     */
    public EcsViolationFormatter(ControlCatalog catalog, String dataset, String ruleReferenceBase) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.ruleReferenceBase = Objects.requireNonNull(ruleReferenceBase, "ruleReferenceBase");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String format(EvidenceRecord transition) {
        try {
            return MAPPER.writeValueAsString(toJson(transition));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the ECS document of " + transition.getEvidenceId(), e);
        }
    }

    /** The document as a tree, for callers that add fields (the sink adds remediation times). */
    public ObjectNode toJson(EvidenceRecord record) {
        Optional<ControlInfo> control = catalog.find(record.getControlId());
        ResourceRef resource = record.getResource();
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("@timestamp", Transitions.iso(record.getSince()));
        doc.putObject("ecs").put("version", ECS_VERSION);
        doc.put("message", record.getMessage());

        ObjectNode event = doc.putObject("event");
        event.put("kind", record.getStatus() == EvidenceStatus.FAIL ? "alert" : "state");
        event.putArray("category").add("configuration");
        event.putArray("type").add(eventType(record));
        event.put("action", action(record.getStatus()));
        event.put("severity", severityScore(record.getSeverity()));
        event.put("risk_score", (double) severityScore(record.getSeverity()));
        event.put("id", record.getEvidenceId());
        event.put("dataset", dataset);
        event.put("module", "kubeproof");
        event.put("provider", "kubeproof");
        event.put("created", Transitions.iso(record.getObservedAt()));
        event.put("reason", record.getMessage());

        ObjectNode rule = doc.putObject("rule");
        rule.put("id", record.getControlId());
        rule.put("name", record.getControlTitle().isEmpty() ? record.getControlId() : record.getControlTitle());
        rule.put("ruleset", "kubeproof");
        rule.put("version", Integer.toString(record.getControlVersion()));
        rule.put("reference", control.flatMap(info -> info.references().stream().findFirst())
                .orElse(ruleReferenceBase + record.getControlId()));
        control.ifPresent(info -> {
            put(rule, "category", info.category());
            put(rule, "description", info.description());
        });

        ObjectNode resourceNode = doc.putObject("resource");
        resourceNode.put("id", resource.getUid());
        resourceNode.put("name", resource.getName());
        // Elastic's posture-findings vocabulary: type is the family, sub_type the Kubernetes kind.
        resourceNode.put("type", RESOURCE_TYPE);
        resourceNode.put("sub_type", resource.getKind());

        ObjectNode orchestrator = doc.putObject("orchestrator");
        orchestrator.put("type", "kubernetes");
        ObjectNode cluster = orchestrator.putObject("cluster");
        cluster.put("id", resource.getClusterId());
        cluster.put("name", resource.getClusterId());
        put(orchestrator, "namespace", resource.getNamespace());
        orchestrator.put("api_version", resource.getApiVersion());
        ObjectNode orchestratorResource = orchestrator.putObject("resource");
        orchestratorResource.put("id", resource.getUid());
        orchestratorResource.put("name", resource.getName());
        // The API resource ("deployments"), as the API server's audit events and Elastic's Kubernetes integration say.
        orchestratorResource.put("type", ResourceNames.plural(resource.getKind()));

        if (record.getActor() != null && !record.getActor().isEmpty()) {
            ObjectNode user = doc.putObject("user");
            user.put("name", record.getActor());
            Attribution attribution = record.getAttribution();
            if (attribution != null) {
                put(user, "id", attribution.getUid());
                if (attribution.getImpersonatedUser() != null) {
                    // ECS: the effective user is the one the request acted as.
                    user.putObject("effective").put("name", attribution.getImpersonatedUser());
                }
                if (!attribution.getSourceIps().isEmpty()) {
                    doc.putObject("source").put("ip", attribution.getSourceIps().get(0));
                }
                if (attribution.getUserAgent() != null) {
                    doc.putObject("user_agent").put("original", attribution.getUserAgent());
                }
            }
        }

        List<String> cves = Transitions.cveIds(record);
        if (!cves.isEmpty()) {
            ObjectNode vulnerability = doc.putObject("vulnerability");
            putStrings(vulnerability, "id", cves);
            vulnerability.put("enumeration", "CVE");
            vulnerability.put("severity", Transitions.caption(record.getSeverity()));
            vulnerability.put("description", record.getMessage());
            put(vulnerability, "report_id", record.getCause().getScanId());
            vulnerability.putArray("category").add("Kubernetes");
            vulnerability.putObject("scanner").put("vendor", "kubeproof");
        }

        doc.set("kubeproof", EvidenceJson.of(record, control, true));
        return doc;
    }

    /** {@code event.type}: the evidence for (control, resource) is created, changed, or closed (resource deleted). */
    static String eventType(EvidenceRecord record) {
        if (record.getStatus() == EvidenceStatus.CLOSED) {
            return "deletion";
        }
        return record.getPreviousStatus() == null ? "creation" : "change";
    }

    static String action(EvidenceStatus status) {
        return switch (status) {
            case PASS -> "control-passed";
            case FAIL -> "control-failed";
            case NOT_APPLICABLE -> "control-not-applicable";
            case EXEMPT -> "control-exempted";
            case ERROR -> "control-errored";
            case CLOSED -> "evidence-closed";
            case NEEDS_CONFIGURATION -> "control-needs-configuration";
        };
    }

    /**
     * {@code event.severity}: Elastic's default risk scores per severity (critical 99, high 73, medium 47, low 21),
     * so that detection-style sorting in Kibana orders kubeproof findings like Elastic's own rules.
     */
    public static int severityScore(ControlSeverity severity) {
        return switch (severity) {
            case CRITICAL -> 99;
            case HIGH -> 73;
            case MEDIUM -> 47;
            case LOW -> 21;
            case INFO -> 0;
        };
    }
}
