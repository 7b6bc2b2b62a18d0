package dev.kubeproof.sink;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditLevel;
import dev.kubeproof.avro.AuditObjectReference;
import dev.kubeproof.avro.AuditResponseStatus;
import dev.kubeproof.avro.AuditStage;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.Finding;
import dev.kubeproof.avro.HashChain;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.avro.UserInfo;

/** Evidence and audit records as the other components produce them. */
public final class TestEvidence {
    public static final Instant T0 = Instant.parse("2025-03-04T10:00:00Z");

    private TestEvidence() {
    }

    /** The {@code sequence}-th transition of pod {@code pod} on control KP-POD-001. */
    public static EvidenceRecord transition(String pod, long sequence, EvidenceStatus previous, EvidenceStatus status,
                                            Instant since) {
        String uid = "uid-" + pod;
        String key = "c1/KP-POD-001/" + uid;
        return EvidenceRecord.newBuilder()
                .setEvidenceId(sha256(key + "#" + sequence))
                .setControlId("KP-POD-001")
                .setControlVersion(1)
                .setControlTitle("Containers must not run privileged")
                .setSeverity(ControlSeverity.HIGH)
                .setStatus(status)
                .setPreviousStatus(previous)
                .setSince(since)
                .setObservedAt(since.plusMillis(250))
                .setResource(ResourceRef.newBuilder().setClusterId("c1").setApiVersion("v1").setKind("Pod")
                        .setNamespace("payments").setName(pod).setUid(uid).setResourceVersion(Long.toString(100 + sequence))
                        .setOwnerLabels(Map.of("team", "payments", "app.kubernetes.io/part-of", "shop")).build())
                .setMessage(status == EvidenceStatus.FAIL ? "container nginx runs privileged" : "status " + status)
                .setDetails(status == EvidenceStatus.FAIL ? List.of(Finding.newBuilder()
                        .setPath("spec.containers[0].securityContext.privileged").setContainer("nginx").setValue("true")
                        .setMessage("privileged is true").build()) : List.of())
                .setRemediation(status == EvidenceStatus.FAIL ? "Set privileged to false." : null)
                .setCause(EvidenceCause.newBuilder().setChangeType("MODIFIED").setResourceVersion(Long.toString(100 + sequence))
                        .setAuditId("audit-" + pod + "-" + sequence).build())
                .setActor("alice")
                .setChain(HashChain.newBuilder().setSequence(sequence)
                        .setPreviousHash(sequence == 1 ? null : sha256(key + "#" + (sequence - 1)))
                        .setHash(sha256(key + "#" + sequence)).build())
                .build();
    }

    public static EvidenceRecord failing(String pod) {
        return transition(pod, 1, null, EvidenceStatus.FAIL, T0);
    }

    /** Trivy's verdict of a check on a Deployment, as the scan collector publishes it. */
    public static dev.kubeproof.avro.ScannerFinding trivyFinding(String deployment, String checkId, boolean passed,
                                                                 Instant reportedAt) {
        return dev.kubeproof.avro.ScannerFinding.newBuilder()
                .setFindingId("prod/Deployment/shop/" + deployment + "/" + checkId).setScanner("trivy")
                .setScannerVersion("0.58.1").setCheckId(checkId).setCheckUrl("https://avd.aquasec.com/misconfig/"
                        + checkId.toLowerCase(java.util.Locale.ROOT))
                .setTitle("Privileged container").setSeverity("HIGH").setPassed(passed)
                .setMessages(passed ? List.of() : List.of("Container 'web' should set 'securityContext.privileged' to false"))
                .setResolution("Change 'containers[].securityContext.privileged' to 'false'.").setClusterId("prod")
                .setKind("Deployment").setNamespace("shop").setName(deployment).setReportedAt(reportedAt)
                .setSource("file:/scans/cluster.json").build();
    }

    public static String key(EvidenceRecord record) {
        return EvidenceKey.of(record);
    }

    public static AuditEvent audit(String auditId, String verb, String requestObject) {
        return AuditEvent.newBuilder()
                .setClusterId("c1")
                .setAuditId(auditId)
                .setStage(AuditStage.ResponseComplete)
                .setLevel(AuditLevel.RequestResponse)
                .setVerb(verb)
                .setRequestUri("/api/v1/namespaces/payments/pods")
                .setUser(UserInfo.newBuilder().setUsername("alice").setUid("u-1").setGroups(List.of("system:authenticated", "devs"))
                        .setExtra(Map.of("authentication.kubernetes.io/pod-name", List.of("cli-0"))).build())
                .setImpersonatedUser(null)
                .setSourceIps(List.of("10.1.2.3", "192.168.0.1"))
                .setUserAgent("kubectl/v1.31.0")
                .setObjectRef(AuditObjectReference.newBuilder().setResource("pods").setNamespace("payments").setName("web-1")
                        .setApiVersion("v1").setApiGroup("").build())
                .setResponseStatus(AuditResponseStatus.newBuilder().setCode(201).build())
                .setRequestObject(requestObject)
                .setResponseObject(null)
                .setRedactions(List.of())
                .setRequestReceivedTimestamp(Instant.parse("2025-03-04T10:00:00.123456Z"))
                .setStageTimestamp(Instant.parse("2025-03-04T10:00:00.223456Z"))
                .setAnnotations(Map.of("authorization.k8s.io/decision", "allow",
                        "authorization.k8s.io/reason", "RBAC: allowed by ClusterRoleBinding"))
                .setSource("webhook")
                .build();
    }

    public static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
