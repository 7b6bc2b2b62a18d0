package dev.kubeproof.report.support;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ExceptionRef;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.contract.evidence.CanonicalEncoding;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.evidence.Violations;
import dev.kubeproof.report.model.Transition;

/**
 * Builds a key's hash-chained evidence records as the topology links them (previous status and since, the open
 * violation's start, {@link EvidenceChain#link}), for timelines with known answers.
 */
public final class Chains {
    private final String cluster;
    private final String controlId;
    private final ControlSeverity severity;
    private final String namespace;
    private final String name;
    private final List<EvidenceRecord> records = new ArrayList<>();

    private Chains(String cluster, String controlId, ControlSeverity severity, String namespace, String name) {
        this.cluster = cluster;
        this.controlId = controlId;
        this.severity = severity;
        this.namespace = namespace;
        this.name = name;
    }

    /** A Deployment's chain for a control. */
    public static Chains of(String controlId, String namespace, String name) {
        return new Chains("prod", controlId, ControlSeverity.CRITICAL, namespace, name);
    }

    public static Chains of(String cluster, String controlId, String namespace, String name) {
        return new Chains(cluster, controlId, ControlSeverity.CRITICAL, namespace, name);
    }

    public Chains then(EvidenceStatus status, Instant since) {
        return then(status, since, "alice@example.com", null);
    }

    public Chains then(EvidenceStatus status, Instant since, String actor, ExceptionRef exception) {
        EvidenceRecord previous = records.isEmpty() ? null : records.get(records.size() - 1);
        EvidenceRecord.Builder builder = EvidenceRecord.newBuilder()
                .setControlId(controlId).setControlVersion(1).setControlTitle("title of " + controlId)
                .setSeverity(severity).setStatus(status)
                .setPreviousStatus(previous == null ? null : previous.getStatus())
                .setPreviousSince(previous == null ? null : previous.getSince())
                .setOpenViolationSince(previous == null ? null : Violations.startAfter(previous))
                .setSince(since).setObservedAt(since)
                .setResource(ResourceRef.newBuilder().setClusterId(cluster).setApiGroup("apps").setApiVersion("apps/v1")
                        .setKind("Deployment").setNamespace(namespace).setName(name).setUid(uid())
                        .setOwnerLabels(Map.of()).build())
                .setMessage(name + " is " + status).setDetails(List.of()).setRemediation("fix " + controlId)
                .setCause(EvidenceCause.newBuilder().setChangeType(records.isEmpty() ? "ADDED" : "MODIFIED").build())
                .setActor(actor).setAttribution(null).setException(exception);
        records.add(EvidenceChain.link(builder, key(), previous));
        return this;
    }

    public String key() {
        return EvidenceKey.of(cluster, controlId, uid());
    }

    public String uid() {
        return "uid-" + namespace + "-" + name;
    }

    public List<EvidenceRecord> records() {
        return List.copyOf(records);
    }

    public List<Transition> transitions() {
        return records.stream().map(Chains::transition).toList();
    }

    public static Transition transition(EvidenceRecord record) {
        return Transition.parse(new String(CanonicalEncoding.of(record), StandardCharsets.UTF_8), record.getChain().getHash());
    }

    public static ExceptionRef exception(String id, String approver, Instant expires) {
        return ExceptionRef.newBuilder().setExceptionId(id).setApprovedBy(approver).setExpiresAt(expires)
                .setReason("accepted risk").setTicket("CHG-1").build();
    }
}
