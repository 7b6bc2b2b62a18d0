package dev.kubeproof.sink.documents;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.EcsViolationFormatter;
import dev.kubeproof.siem.OcsfComplianceFindingFormatter;
import dev.kubeproof.siem.Transitions;
import dev.kubeproof.siem.ViolationFormats;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * Violation documents, made straight from the evidence records the sink reads anyway, with the same formatters (and
 * catalog) as the violations topic: nothing is written to be parsed back. A transition that opens, continues or
 * ends a violation becomes one document per data stream under its evidence id, so that a replay never duplicates:
 * <ul>
 *   <li>always the ECS document, in {@code logs-<prefix>.violations-default} with its {@code data_stream.*} fields:
 *       Elastic Security's default {@code logs-*} pattern covers it (its External alerts and the prebuilt "External
 *       Alerts" rule read {@code event.kind: alert}), and every Kibana asset of kubeproof reads it, whatever the
 *       violations topic's format;</li>
 *   <li>also the OCSF Compliance Finding when the violations topic carries OCSF, in its own data stream, with an
 *       {@code @timestamp} from its {@code time}, for consumers that search OCSF in Elasticsearch.</li>
 * </ul>
 */
public final class ViolationDocuments {
    private final IndexNames names;
    private final EcsViolationFormatter ecs;
    private final OcsfComplianceFindingFormatter ocsf;

    /** @param format the violations topic's format ({@code ecs} or {@code ocsf}) */
    public ViolationDocuments(IndexNames names, ControlCatalog catalog, String format) {
        this.names = names;
        this.ecs = new EcsViolationFormatter(catalog, EcsViolationFormatter.VIOLATIONS_DATASET,
                EcsViolationFormatter.DEFAULT_RULE_REFERENCE_BASE);
        this.ocsf = OcsfComplianceFindingFormatter.NAME.equals(ViolationFormats.named(format).name())
                ? new OcsfComplianceFindingFormatter(catalog) : null;
    }

    /** The violation documents of {@code record}; none unless it opens, continues or ends a violation. */
    public List<IndexAction> toActions(EvidenceRecord record) {
        if (!Transitions.isViolationTransition(record)) {
            return List.of();
        }
        List<IndexAction> actions = new ArrayList<>(2);
        ObjectNode doc = ecs.toJson(record);
        ObjectNode dataStream = doc.putObject("data_stream");
        dataStream.put("type", "logs");
        dataStream.put("dataset", IndexNames.violationsDataset(names.prefix()));
        dataStream.put("namespace", IndexNames.NAMESPACE);
        actions.add(IndexAction.Create.of(names.violations(), record.getEvidenceId(), doc));
        if (ocsf != null) {
            ObjectNode finding = ocsf.toJson(record);
            finding.put("@timestamp", Transitions.iso(record.getSince()));
            actions.add(IndexAction.Create.of(names.ocsfViolations(), record.getEvidenceId(), finding));
        }
        return actions;
    }
}
