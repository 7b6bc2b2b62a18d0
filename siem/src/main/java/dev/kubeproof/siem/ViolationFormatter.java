package dev.kubeproof.siem;

import dev.kubeproof.avro.EvidenceRecord;

/** Turns an evidence transition into the JSON document a SIEM reads from the violations topic. */
public interface ViolationFormatter {

    /** The format's name as configured, e.g. {@code ecs} or {@code ocsf}. */
    String name();

    /** One JSON document (UTF-8 text) for the transition. */
    String format(EvidenceRecord transition);
}
