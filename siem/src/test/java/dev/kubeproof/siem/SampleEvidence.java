package dev.kubeproof.siem;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.kubeproof.avro.Attribution;
import dev.kubeproof.avro.AttributionMethod;
import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ExceptionRef;
import dev.kubeproof.avro.Finding;
import dev.kubeproof.avro.HashChain;
import dev.kubeproof.avro.ResourceRef;

/** Evidence records as the streams topology emits them, for the formatter specs and the README examples. */
final class SampleEvidence {
    static final Instant SINCE = Instant.parse("2025-03-04T10:15:30.250Z");
    static final Instant OBSERVED = Instant.parse("2025-03-04T10:15:31.007Z");

    private SampleEvidence() {
    }

    /** The README's example: a privileged container starts failing KP-POD-001 after alice's change. */
    static EvidenceRecord.Builder privilegedPodFails() {
        return EvidenceRecord.newBuilder()
                .setEvidenceId("9f2c4e1ab0d3c5e7f90112233445566778899aabbccddeeff00112233445566a")
                .setControlId("KP-POD-001")
                .setControlVersion(1)
                .setControlTitle("Containers must not run privileged")
                .setSeverity(ControlSeverity.HIGH)
                .setStatus(EvidenceStatus.FAIL)
                .setPreviousStatus(EvidenceStatus.PASS)
                .setSince(SINCE)
                .setObservedAt(OBSERVED)
                .setResource(ResourceRef.newBuilder()
                        .setClusterId("prod-eu-1")
                        .setApiGroup("")
                        .setApiVersion("v1")
                        .setKind("Pod")
                        .setNamespace("payments")
                        .setName("checkout-7d9f")
                        .setUid("2b7e1f0c-51c4-4b1e-9a7d-0c1f2e3d4a5b")
                        .setResourceVersion("48213")
                        .setOwnerLabels(Map.of("team", "payments"))
                        .build())
                .setMessage("container nginx runs privileged")
                .setDetails(List.of(Finding.newBuilder()
                        .setPath("spec.containers[0].securityContext.privileged")
                        .setContainer("nginx")
                        .setValue("true")
                        .setMessage("privileged is true")
                        .build()))
                .setRemediation("Set securityContext.privileged to false or remove it.")
                .setCause(EvidenceCause.newBuilder()
                        .setChangeType("MODIFIED")
                        .setResourceVersion("48213")
                        .setAuditId("6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a09")
                        .build())
                .setActor("alice@example.com")
                .setChain(HashChain.newBuilder()
                        .setSequence(2)
                        .setPreviousHash("aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44")
                        .setHash("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0")
                        .build());
    }

    /** A runtime detection: alice, acting as bob, exec'd into the pod; the attribution in full. */
    static EvidenceRecord execDetected() {
        return privilegedPodFails().setControlId("KP-RUN-001").setControlTitle("Exec, attach or port-forward into a pod")
                .setPreviousStatus(null).setMessage("alice exec into pod payments/checkout-7d9f container nginx: sh")
                .setCause(EvidenceCause.newBuilder().setChangeType("AUDIT").setAuditId("7a1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a10").build())
                .setActor("alice@example.com")
                .setAttribution(Attribution.newBuilder().setMethod(AttributionMethod.REQUEST)
                        .setUsername("alice@example.com").setUid("u-123").setGroups(List.of("sre", "system:authenticated"))
                        .setImpersonatedUser("bob@example.com").setSourceIps(List.of("203.0.113.9", "10.0.0.1"))
                        .setUserAgent("kubectl/v1.32.0").setAuditId("7a1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a10")
                        .setAt(SINCE).build())
                .build();
    }

    static EvidenceRecord remediated() {
        return privilegedPodFails().setStatus(EvidenceStatus.PASS).setPreviousStatus(EvidenceStatus.FAIL)
                .setMessage("no container runs privileged").setDetails(List.of()).setActor(null)
                .setRemediation(null).build();
    }

    static EvidenceRecord deleted() {
        return privilegedPodFails().setStatus(EvidenceStatus.CLOSED).setPreviousStatus(EvidenceStatus.FAIL)
                .setMessage("the resource was deleted").setDetails(List.of()).build();
    }

    static EvidenceRecord exempted() {
        return privilegedPodFails().setStatus(EvidenceStatus.EXEMPT).setPreviousStatus(EvidenceStatus.FAIL)
                .setException(ExceptionRef.newBuilder().setExceptionId("EX-42").setApprovedBy("ciso@example.com")
                        .setExpiresAt(Instant.parse("2025-06-30T00:00:00Z")).build())
                .build();
    }

    static EvidenceRecord firstEvaluationClusterScoped() {
        EvidenceRecord.Builder builder = privilegedPodFails().setPreviousStatus(null).setControlTitle("")
                .setSeverity(ControlSeverity.INFO).setActor(null).setRemediation(null);
        builder.getResourceBuilder().setNamespace(null).setKind("ClusterRoleBinding").setApiGroup("rbac.authorization.k8s.io")
                .setApiVersion("rbac.authorization.k8s.io/v1").setOwnerLabels(Map.of()).setResourceVersion(null);
        builder.setChain(HashChain.newBuilder().setSequence(1).setHash("00ff").build());
        builder.setCause(EvidenceCause.newBuilder().build());
        return builder.build();
    }

    static EvidenceRecord vulnerableImage() {
        return privilegedPodFails().setControlId("KP-IMG-004").setControlTitle("Images have no critical CVEs")
                .setSeverity(ControlSeverity.CRITICAL)
                .setMessage("image registry.example.com/checkout:1.4 has 2 critical vulnerabilities")
                .setDetails(List.of(
                        Finding.newBuilder().setPath("vulnerabilities[CVE-2024-3094]").setContainer("checkout")
                                .setValue("\"xz-utils 5.6.0\"").setMessage("CVE-2024-3094 (critical) in xz-utils").build(),
                        Finding.newBuilder().setPath("vulnerabilities[CVE-2023-4863]").setContainer("checkout")
                                .setValue(null).setMessage("CVE-2023-4863 (critical) in libwebp").build()))
                .setCause(EvidenceCause.newBuilder().setChangeType("SCAN").setScanId("scan-77").build())
                .build();
    }

    static ControlInfo catalogEntry() {
        return new ControlInfo("KP-POD-001", "pod-security", "Privileged containers can do anything the node can.",
                Map.of("cis", List.of("5.2.1"), "pss", List.of("baseline"), "nsa", List.of("pod-security")),
                List.of("https://kubernetes.io/docs/concepts/security/pod-security-standards/"));
    }
}
