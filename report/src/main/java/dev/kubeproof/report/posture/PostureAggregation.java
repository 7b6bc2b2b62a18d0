package dev.kubeproof.report.posture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.StringTermsBucket;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import jakarta.json.JsonObject;

import dev.kubeproof.avro.EvidenceStatus;

/**
 * The posture summary's input, aggregated by Elasticsearch over the posture index (one document per current result):
 * per control, the count of each status and a few failing resources. One request, whose answer grows with the
 * number of controls, never with the number of resources: a 100,000-pod cluster costs the summary what a
 * 10-pod one does.
 */
public final class PostureAggregation {
    /** More buckets than the catalog has controls: every control is counted. */
    private static final int MAX_CONTROLS = 10_000;

    private PostureAggregation() {
    }

    public static List<PostureSummary.ControlPosture> perControl(ElasticsearchClient client, String postureIndex)
            throws IOException {
        client.indices().refresh(r -> r.index(postureIndex).ignoreUnavailable(true));
        SearchResponse<Void> response = client.search(s -> s.index(postureIndex).size(0)
                .aggregations("controls", controls -> controls
                        .terms(t -> t.field("rule.id").size(MAX_CONTROLS))
                        .aggregations("status", status -> status.terms(t -> t.field("kubeproof.status").size(20)))
                        .aggregations("failing", failing -> failing
                                .filter(f -> f.term(term -> term.field("kubeproof.status").value("FAIL")))
                                .aggregations("examples", examples -> examples.topHits(top -> top
                                        .size(PostureSummary.EXAMPLES)
                                        .source(source -> source.filter(f -> f.includes("kubeproof.resource.kind",
                                                "kubeproof.resource.namespace", "kubeproof.resource.name",
                                                "kubeproof.actor")))
                                        .sort(sort -> sort.field(field -> field.field("kubeproof.resource.kind")
                                                .order(SortOrder.Asc)))
                                        .sort(sort -> sort.field(field -> field.field("kubeproof.resource.namespace")
                                                .order(SortOrder.Asc).missing("_first")))
                                        .sort(sort -> sort.field(field -> field.field("kubeproof.resource.name")
                                                .order(SortOrder.Asc))))))), Void.class);
        List<PostureSummary.ControlPosture> result = new ArrayList<>();
        if (response.aggregations().get("controls") == null) {
            return result; // no posture index yet
        }
        for (StringTermsBucket control : response.aggregations().get("controls").sterms().buckets().array()) {
            Map<EvidenceStatus, Long> byStatus = new EnumMap<>(EvidenceStatus.class);
            for (StringTermsBucket status : control.aggregations().get("status").sterms().buckets().array()) {
                byStatus.put(EvidenceStatus.valueOf(status.key().stringValue()), status.docCount());
            }
            List<String> examples = new ArrayList<>();
            for (Hit<JsonData> hit : control.aggregations().get("failing").filter().aggregations().get("examples")
                    .topHits().hits().hits()) {
                JsonObject resource = hit.source().toJson().asJsonObject().getJsonObject("kubeproof")
                        .getJsonObject("resource");
                String namespace = resource.containsKey("namespace") ? resource.getString("namespace") + "/" : "";
                JsonObject kubeproof = hit.source().toJson().asJsonObject().getJsonObject("kubeproof");
                String actor = kubeproof.containsKey("actor") ? "  (changed by " + kubeproof.getString("actor") + ")" : "";
                examples.add(resource.getString("kind") + " " + namespace + resource.getString("name") + actor);
            }
            result.add(new PostureSummary.ControlPosture(control.key().stringValue(), byStatus, examples));
        }
        return result;
    }

    /**
     * Every runtime detection of the evidence history (FAIL records of runtime controls), per control: how many, by
     * whom (the most frequent actors) and the latest one's message. Aggregated in Elasticsearch: bounded whatever the
     * history holds.
     */
    public static List<PostureSummary.RuntimeDetections> runtimeDetections(ElasticsearchClient client, String evidenceIndex)
            throws IOException {
        client.indices().refresh(r -> r.index(evidenceIndex).ignoreUnavailable(true));
        SearchResponse<Void> response = client.search(s -> s.index(evidenceIndex).size(0).ignoreUnavailable(true)
                .query(q -> q.bool(b -> b
                        .filter(f -> f.prefix(p -> p.field("kubeproof.control.id").value("KP-RUN-")))
                        .filter(f -> f.term(t -> t.field("kubeproof.status").value("FAIL")))))
                .aggregations("controls", controls -> controls
                        .terms(t -> t.field("kubeproof.control.id").size(MAX_CONTROLS))
                        .aggregations("actors", actors -> actors.terms(t -> t.field("kubeproof.actor")
                                .size(PostureSummary.EXAMPLES)))
                        .aggregations("latest", latest -> latest.topHits(top -> top.size(1)
                                .source(source -> source.filter(f -> f.includes("message")))
                                .sort(sort -> sort.field(field -> field.field("kubeproof.since").order(SortOrder.Desc)))))),
                Void.class);
        List<PostureSummary.RuntimeDetections> result = new ArrayList<>();
        if (response.aggregations().get("controls") == null) {
            return result;
        }
        for (StringTermsBucket control : response.aggregations().get("controls").sterms().buckets().array()) {
            Map<String, Long> actors = new java.util.LinkedHashMap<>();
            for (StringTermsBucket actor : control.aggregations().get("actors").sterms().buckets().array()) {
                actors.put(actor.key().stringValue(), actor.docCount());
            }
            String latest = "";
            for (Hit<JsonData> hit : control.aggregations().get("latest").topHits().hits().hits()) {
                latest = hit.source().toJson().asJsonObject().getString("message", "");
            }
            result.add(new PostureSummary.RuntimeDetections(control.key().stringValue(), control.docCount(), actors, latest));
        }
        return result;
    }
}
