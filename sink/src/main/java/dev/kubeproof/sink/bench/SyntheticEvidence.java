package dev.kubeproof.sink.bench;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.kubeproof.avro.ControlSeverity;
import dev.kubeproof.avro.EvidenceCause;
import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.Finding;
import dev.kubeproof.avro.HashChain;
import dev.kubeproof.avro.ResourceRef;

/** Deterministic evidence records for the benchmark: first evaluations of many pods, a realistic size each. */
public final class SyntheticEvidence {
    private static final ControlSeverity[] SEVERITIES = ControlSeverity.values();

    private SyntheticEvidence() {
    }

    public static EvidenceRecord record(int i, Instant base) {
        String uid = String.format("00000000-0000-4000-8000-%012d", i);
        String hash = HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(32).putInt(i).array());
        boolean fails = i % 3 == 0;
        return EvidenceRecord.newBuilder()
                .setEvidenceId(String.format("%064x", (long) i * 2654435761L))
                .setControlId("KP-POD-" + String.format("%03d", 1 + i % 20))
                .setControlVersion(1)
                .setControlTitle("Synthetic control " + (1 + i % 20))
                .setSeverity(SEVERITIES[i % SEVERITIES.length])
                .setStatus(fails ? EvidenceStatus.FAIL : EvidenceStatus.PASS)
                .setPreviousStatus(null)
                .setSince(base.plusMillis(i))
                .setObservedAt(base.plusMillis(i + 5))
                .setResource(ResourceRef.newBuilder().setClusterId("bench").setApiVersion("v1").setKind("Pod")
                        .setNamespace("ns-" + i % 50).setName("pod-" + i).setUid(uid).setResourceVersion(Integer.toString(i))
                        .setOwnerLabels(Map.of("team", "team-" + i % 7)).build())
                .setMessage(fails ? "container app runs privileged" : "no container runs privileged")
                .setDetails(fails ? List.of(Finding.newBuilder().setPath("spec.containers[0].securityContext.privileged")
                        .setContainer("app").setValue("true").setMessage("privileged is true").build()) : List.of())
                .setRemediation(fails ? "Set securityContext.privileged to false." : null)
                .setCause(EvidenceCause.newBuilder().setChangeType("ADDED").setResourceVersion(Integer.toString(i)).build())
                .setActor("system:serviceaccount:kube-system:replicaset-controller")
                .setChain(HashChain.newBuilder().setSequence(1).setHash(hash).build())
                .build();
    }
}
