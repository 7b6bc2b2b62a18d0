package dev.kubeproof.sink.documents;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.avro.EvidenceStatus;
import dev.kubeproof.avro.ResourceRef;
import dev.kubeproof.contract.build.KubeproofBuild;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.contract.k8s.ResourceNames;
import dev.kubeproof.controls.catalog.Framework;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.siem.ControlInfo;
import dev.kubeproof.siem.EcsViolationFormatter;
import dev.kubeproof.siem.JsonFields;
import dev.kubeproof.siem.Transitions;
import dev.kubeproof.sink.elasticsearch.IndexNames;

/**
 * The posture in the shape of Elastic's cloud-security-posture findings, for Kibana's Findings → Misconfigurations
 * view and the entity flyouts, which read third-party findings from {@code security_solution-*.misconfiguration_latest}
 * and show those whose {@code @timestamp} is within the last 26 hours. One document per control × resource, id = the
 * evidence key, versioned by the hash chain's sequence like the posture index.
 *
 * <p>Only PASS and FAIL are written, the two evaluations that view knows ({@code result.evaluation} passed/failed);
 * an exempted, erroring, not-applicable or deleted key's document is removed (kubeproof's own posture index keeps
 * them, with the exception's approver and expiry). {@code @timestamp} is when the sink wrote or last re-stamped the
 * document: "as of this time, kubeproof's current evidence still says this" (see {@code MisconfigurationRestamp}).
 *
 * <p>{@code rule.benchmark} is the first standard the control maps to, in the order CIS, NSA/CISA, PSS, else
 * kubeproof's own catalog; CIS mappings use Elastic's benchmark id {@code cis_k8s}, so that a rule muted in Kibana's
 * CIS Kubernetes benchmark also hides kubeproof's finding for the same recommendation.
 */
public final class MisconfigurationDocuments {
    private static final List<String> BENCHMARK_ORDER = List.of("cis", "nsa", "pss");
    private static final Map<String, String> BENCHMARK_IDS = Map.of("cis", "cis_k8s", "nsa", "nsa_cisa_k8s",
            "pss", "k8s_pss");

    private final IndexNames names;
    private final ControlCatalog catalog;
    private final Clock clock;

    public MisconfigurationDocuments(IndexNames names, ControlCatalog catalog, Clock clock) {
        this.names = names;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** The write for one evidence-state record ({@code state} null for a tombstone). */
    public IndexAction toAction(String kafkaKey, EvidenceRecord state) {
        return IndexAction.currentState(names.misconfigurations(), kafkaKey, state,
                s -> s.getStatus() == EvidenceStatus.PASS || s.getStatus() == EvidenceStatus.FAIL, this::toJson);
    }

    ObjectNode toJson(EvidenceRecord record) {
        Optional<ControlInfo> control = catalog.find(record.getControlId());
        ResourceRef resource = record.getResource();
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("@timestamp", Transitions.iso(clock.instant()));
        doc.putObject("result").put("evaluation", record.getStatus() == EvidenceStatus.PASS ? "passed" : "failed");
        ObjectNode event = doc.putObject("event");
        event.put("kind", "state");
        event.putArray("category").add("configuration");
        event.putArray("type").add("info");
        event.put("outcome", "success");
        event.put("dataset", "kubeproof.misconfiguration");
        event.put("id", record.getEvidenceId());
        event.put("created", Transitions.iso(record.getObservedAt()));

        ObjectNode rule = doc.putObject("rule");
        rule.put("id", record.getControlId());
        rule.put("uuid", record.getControlId());
        rule.put("name", record.getControlTitle().isEmpty() ? record.getControlId() : record.getControlTitle());
        rule.put("version", Integer.toString(record.getControlVersion()));
        rule.put("remediation", record.getRemediation());
        control.ifPresent(info -> {
            JsonFields.put(rule, "description", info.description());
            JsonFields.put(rule, "section", section(info));
            info.references().stream().findFirst().ifPresent(url -> rule.put("reference", url));
        });
        ObjectNode benchmark = rule.putObject("benchmark");
        benchmark.put("posture_type", "kspm");
        benchmark(control).ifPresentOrElse(mapping -> {
            Framework standard = catalog.standard(mapping.getKey()).orElse(
                    new Framework(mapping.getKey(), mapping.getKey(), null, null));
            benchmark.put("id", BENCHMARK_IDS.get(mapping.getKey()));
            benchmark.put("name", standard.name());
            JsonFields.put(benchmark, "version", standard.version() == null ? null : "v" + standard.version());
            benchmark.put("rule_number", mapping.getValue());
        }, () -> {
            benchmark.put("id", "kubeproof");
            benchmark.put("name", "kubeproof controls");
            benchmark.put("version", "v" + KubeproofBuild.version());
            benchmark.put("rule_number", record.getControlId());
        });

        ObjectNode resourceNode = doc.putObject("resource");
        resourceNode.put("id", resource.getUid());
        resourceNode.put("name", resource.getName());
        resourceNode.put("type", EcsViolationFormatter.RESOURCE_TYPE);
        resourceNode.put("sub_type", resource.getKind());

        ObjectNode orchestrator = doc.putObject("orchestrator");
        orchestrator.put("type", "kubernetes");
        orchestrator.putObject("cluster").put("id", resource.getClusterId()).put("name", resource.getClusterId());
        JsonFields.put(orchestrator, "namespace", resource.getNamespace());
        ObjectNode orchestratorResource = orchestrator.putObject("resource");
        orchestratorResource.put("id", resource.getUid());
        orchestratorResource.put("name", resource.getName());
        orchestratorResource.put("type", ResourceNames.plural(resource.getKind()));

        ObjectNode observer = doc.putObject("observer");
        observer.put("vendor", "kubeproof");
        observer.put("product", "kubeproof");
        observer.put("version", KubeproofBuild.version());
        doc.putObject("data_source").put("id", "kubeproof");

        ObjectNode kubeproof = doc.putObject("kubeproof");
        kubeproof.put("key", EvidenceKey.of(record));
        kubeproof.put("status", record.getStatus().name());
        kubeproof.put("severity", record.getSeverity().name());
        kubeproof.put("since", Transitions.iso(record.getSince()));
        kubeproof.put("message", record.getMessage());
        return doc;
    }

    private static Optional<Map.Entry<String, String>> benchmark(Optional<ControlInfo> control) {
        return control.flatMap(info -> BENCHMARK_ORDER.stream()
                .filter(key -> !info.frameworks().getOrDefault(key, List.of()).isEmpty())
                .findFirst()
                .map(key -> Map.entry(key, info.frameworks().get(key).get(0))));
    }

    /** The CIS section of the control's first recommendation ("5.2" of 5.2.2), else its category. */
    private static String section(ControlInfo info) {
        List<String> cis = info.frameworks().getOrDefault("cis", List.of());
        if (!cis.isEmpty() && cis.get(0).lastIndexOf('.') > 0) {
            return cis.get(0).substring(0, cis.get(0).lastIndexOf('.'));
        }
        return info.category();
    }
}
