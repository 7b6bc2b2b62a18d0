package dev.kubeproof.siem;

import static dev.kubeproof.siem.JsonFields.put;
import static dev.kubeproof.siem.JsonFields.putStrings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.Attribution;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.contract.build.KubeproofBuild;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.evidence.Violations;
import dev.kubeproof.controls.catalog.Framework;

/**
 * An evidence transition as an OCSF 1.3 Compliance Finding (category 2 Findings, class 2003). One finding per
 * (cluster, control, resource): {@code finding_info.uid} is that key, so a SIEM sees the finding created when the
 * control starts failing and closed when it stops; {@code metadata.uid} is the evidence id of this transition.
 * OCSF has no place for the hash chain, findings detail and cause, so they travel in {@code unmapped.kubeproof};
 * the actor is an observable (type 4, User Name). The document validates against
 * {@code ocsf-compliance-finding.schema.json}.
 */
public final class OcsfComplianceFindingFormatter implements ViolationFormatter {
    public static final String NAME = "ocsf";
    /** Classpath resource of the JSON Schema the documents satisfy. */
    public static final String SCHEMA_RESOURCE = "/dev/kubeproof/siem/ocsf-compliance-finding.schema.json";
    public static final String OCSF_VERSION = "1.3.0";
    public static final int CATEGORY_UID = 2;
    public static final int CLASS_UID = 2003;

    /** The framework key whose mappings are ATT&CK techniques: they go to {@code finding_info.attacks}. */
    static final String MITRE = "mitre";
    /** Display names of the catalog's framework keys when the catalog does not name them. */
    private static final Map<String, String> STANDARDS = Map.of(
            "cis", "CIS Kubernetes Benchmark",
            "nsa", "NSA/CISA Kubernetes Hardening Guidance",
            "pss", "Kubernetes Pod Security Standards",
            "soc2", "SOC 2",
            "mitre", "MITRE ATT&CK");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ControlCatalog catalog;
    private final String productVersion;

    public OcsfComplianceFindingFormatter() {
        this(ControlCatalog.empty());
    }

    public OcsfComplianceFindingFormatter(ControlCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.productVersion = KubeproofBuild.version();
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
            throw new IllegalStateException("cannot write the OCSF document of " + transition.getEvidenceId(), e);
        }
    }

    public ObjectNode toJson(EvidenceRecord record) {
        Optional<ControlInfo> control = catalog.find(record.getControlId());
        ResourceRef resource = record.getResource();
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        int activity = activityId(record);
        doc.put("activity_id", activity);
        doc.put("activity_name", activityName(activity));
        doc.put("category_uid", CATEGORY_UID);
        doc.put("category_name", "Findings");
        doc.put("class_uid", CLASS_UID);
        doc.put("class_name", "Compliance Finding");
        doc.put("type_uid", CLASS_UID * 100L + activity);
        doc.put("type_name", "Compliance Finding: " + activityName(activity));
        doc.put("time", record.getSince().toEpochMilli());
        doc.put("severity_id", severityId(record.getSeverity()));
        doc.put("severity", severityName(record.getSeverity()));
        int status = statusId(record);
        doc.put("status_id", status);
        doc.put("status", statusName(status));
        doc.put("message", record.getMessage());

        ObjectNode metadata = doc.putObject("metadata");
        metadata.put("version", OCSF_VERSION);
        metadata.put("uid", record.getEvidenceId());
        metadata.put("logged_time", record.getObservedAt().toEpochMilli());
        ObjectNode product = metadata.putObject("product");
        product.put("name", "kubeproof");
        product.put("vendor_name", "kubeproof");
        product.put("version", productVersion);

        ObjectNode finding = doc.putObject("finding_info");
        finding.put("uid", EvidenceKey.of(record));
        finding.put("title", record.getControlTitle().isEmpty() ? record.getControlId() : record.getControlTitle());
        finding.put("desc", record.getMessage());
        finding.putArray("types").add("Kubernetes Configuration");
        finding.put("last_seen_time", record.getObservedAt().toEpochMilli());
        // when this finding (the violation) was created: the same on its Create, every Update and its Close
        java.time.Instant created = Violations.openAfter(record) ? Violations.startAfter(record) : Violations.startBefore(record);
        if (created != null) {
            finding.put("created_time", created.toEpochMilli());
        }
        finding.put("modified_time", record.getSince().toEpochMilli());
        control.flatMap(info -> info.references().stream().findFirst())
                .ifPresent(url -> finding.put("src_url", url));
        control.ifPresent(info -> attacks(finding, info.frameworks().getOrDefault(MITRE, List.of())));

        ObjectNode compliance = doc.putObject("compliance");
        compliance.put("control", record.getControlId());
        List<String> standards = new ArrayList<>();
        List<String> requirements = new ArrayList<>();
        control.ifPresent(info -> new TreeMap<>(info.frameworks()).forEach((key, ids) -> {
            if (key.equals(MITRE)) {
                return;     // techniques an attacker uses are not requirements to meet: finding_info.attacks
            }
            String standard = catalog.standard(key).map(Framework::title).orElse(STANDARDS.getOrDefault(key, key));
            standards.add(standard);
            ids.forEach(id -> requirements.add(standard + " " + id));
        }));
        if (standards.isEmpty()) {
            // The attribute is required; without the catalog the control's own catalog is the standard.
            standards.add("kubeproof controls");
        }
        putStrings(compliance, "standards", standards);
        putStrings(compliance, "requirements", requirements);
        int complianceStatus = complianceStatusId(record.getStatus());
        compliance.put("status_id", complianceStatus);
        compliance.put("status", complianceStatus == 99 ? Transitions.caption(record.getStatus())
                : complianceStatus == 1 ? "Pass" : "Fail");
        compliance.put("status_code", record.getStatus().name());
        compliance.put("status_detail", record.getMessage());

        ArrayNode resources = doc.putArray("resources");
        ObjectNode resourceNode = resources.addObject();
        resourceNode.put("uid", resource.getUid());
        resourceNode.put("name", resource.getName());
        resourceNode.put("type", resource.getKind());
        put(resourceNode, "version", resource.getResourceVersion());
        if (!resource.getOwnerLabels().isEmpty()) {
            ArrayNode labels = resourceNode.putArray("labels");
            new TreeMap<>(resource.getOwnerLabels()).forEach((k, v) -> labels.add(k + "=" + v));
        }
        ObjectNode data = resourceNode.putObject("data");
        data.put("cluster_id", resource.getClusterId());
        put(data, "namespace", resource.getNamespace());
        put(data, "api_group", resource.getApiGroup());
        data.put("api_version", resource.getApiVersion());

        if (record.getRemediation() != null && !record.getRemediation().isEmpty()) {
            ObjectNode remediation = doc.putObject("remediation");
            remediation.put("desc", record.getRemediation());
            control.ifPresent(info -> putStrings(remediation, "references", info.references()));
        }

        ArrayNode observables = doc.putArray("observables");
        ObjectNode uid = observables.addObject();
        uid.put("name", "resources[0].uid");
        uid.put("type_id", 10);
        uid.put("type", "Resource UID");
        uid.put("value", resource.getUid());
        if (record.getActor() != null && !record.getActor().isEmpty()) {
            ObjectNode actor = observables.addObject();
            actor.put("name", "unmapped.kubeproof.actor");
            actor.put("type_id", 4);
            actor.put("type", "User Name");
            actor.put("value", record.getActor());
        }

        Attribution attribution = record.getAttribution();
        if (attribution != null && attribution.getUsername() != null) {
            ObjectNode user = doc.putObject("actor").putObject("user");
            user.put("name", attribution.getUsername());
            put(user, "uid", attribution.getUid());
            if (!attribution.getGroups().isEmpty()) {
                ArrayNode groups = user.putArray("groups");
                attribution.getGroups().forEach(group -> groups.addObject().put("name", group));
            }
            // OCSF's host profile carries actor in a finding; the client IP has no place in it but an observable.
            ((ObjectNode) doc.get("metadata")).putArray("profiles").add("host");
            if (!attribution.getSourceIps().isEmpty()) {
                ObjectNode ip = ((ArrayNode) doc.get("observables")).addObject();
                ip.put("name", "unmapped.kubeproof.attribution.source_ips");
                ip.put("type_id", 2);
                ip.put("type", "IP Address");
                ip.put("value", attribution.getSourceIps().get(0));
            }
        }

        doc.putObject("unmapped").set("kubeproof", EvidenceJson.of(record, control, false));
        return doc;
    }

    /**
     * ATT&CK techniques the control detects, as OCSF attack objects: a sub-technique (T1562.008) with its parent
     * technique (T1562), the ATT&CK version from the catalog.
     */
    private void attacks(ObjectNode finding, List<String> techniques) {
        if (techniques.isEmpty()) {
            return;
        }
        Optional<String> version = catalog.standard(MITRE).map(Framework::version);
        ArrayNode attacks = finding.putArray("attacks");
        for (String id : techniques) {
            ObjectNode attack = attacks.addObject();
            int dot = id.indexOf('.');
            String technique = dot < 0 ? id : id.substring(0, dot);
            ObjectNode techniqueNode = attack.putObject("technique");
            techniqueNode.put("uid", technique);
            techniqueNode.put("src_url", "https://attack.mitre.org/techniques/" + technique + "/");
            if (dot >= 0) {
                ObjectNode sub = attack.putObject("sub_technique");
                sub.put("uid", id);
                sub.put("src_url", "https://attack.mitre.org/techniques/" + technique + "/" + id.substring(dot + 1) + "/");
            }
            version.ifPresent(v -> attack.put("version", v));
        }
    }

    /**
     * The finding's lifecycle, one per {@code finding_info.uid}: Create when a violation opens, Close when it ends,
     * Update while it stays open (a new occurrence, or an evaluation error that leaves the failure unresolved).
     */
    static int activityId(EvidenceRecord record) {
        if (Violations.opens(record)) {
            return 1;
        }
        return Violations.closes(record) ? 3 : 2;
    }

    private static String activityName(int activity) {
        return switch (activity) {
            case 1 -> "Create";
            case 3 -> "Close";
            default -> "Update";
        };
    }

    static int severityId(ControlSeverity severity) {
        return switch (severity) {
            case INFO -> 1;
            case LOW -> 2;
            case MEDIUM -> 3;
            case HIGH -> 4;
            case CRITICAL -> 5;
        };
    }

    private static String severityName(ControlSeverity severity) {
        return severity == ControlSeverity.INFO ? "Informational" : Transitions.caption(severity);
    }

    /**
     * The finding's status: New while the violation is open (an error does not resolve it), Suppressed when it ends
     * by an exemption, Resolved when it ends otherwise or was never open.
     */
    static int statusId(EvidenceRecord record) {
        if (Violations.openAfter(record)) {
            return 1;
        }
        return record.getStatus() == EvidenceStatus.EXEMPT ? 3 : 4;
    }

    private static String statusName(int statusId) {
        return switch (statusId) {
            case 1 -> "New";
            case 3 -> "Suppressed";
            default -> "Resolved";
        };
    }

    static int complianceStatusId(EvidenceStatus status) {
        return switch (status) {
            case PASS -> 1;
            case FAIL -> 3;
            default -> 99;
        };
    }
}
