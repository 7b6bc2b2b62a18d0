package dev.kubeproof.contract.audit;

import dev.kubeproof.avro.AuditEvent;
import dev.kubeproof.avro.AuditObjectReference;

/**
 * What makes an audit event itself, wherever one is recognised (the collector's de-duplication, the Elasticsearch
 * document id): auditID, stage, stage time (microseconds), verb and object reference. Never auditID alone: every
 * stage of a request shares it, and real logs (and managed-cloud exports) repeat it across distinct events; a
 * retried delivery of the same event repeats all of these exactly, and so is recognised as the same.
 */
public final class AuditEventIdentity {
    private AuditEventIdentity() {
    }

    public static String of(AuditEvent event) {
        StringBuilder identity = new StringBuilder()
                .append(event.getAuditId()).append('/')
                .append(event.getStage()).append('/')
                .append(event.getStageTimestamp()).append('/')
                .append(event.getVerb());
        AuditObjectReference ref = event.getObjectRef();
        if (ref != null) {
            identity.append('/').append(text(ref.getResource())).append('/').append(text(ref.getNamespace()))
                    .append('/').append(text(ref.getName())).append('/').append(text(ref.getSubresource()));
        } else {
            identity.append('/').append(event.getRequestUri());
        }
        return identity.toString();
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }
}
