package dev.kubeproof.report.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.evidence.MerkleTree;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.source.ElasticsearchEvidenceSource;

/**
 * Checkpoints from the sink's checkpoints data stream, sorted by time and paged with {@code search_after}; chain heads
 * from the evidence data stream ({@link ElasticsearchEvidenceSource#headsAsOf}).
 */
public final class ElasticsearchCheckpointSource implements CheckpointSource {
    private static final String CREATED_AT = "kubeproof.checkpoint.created_at";
    private static final String PARTITION = "kubeproof.checkpoint.partition";

    private final ElasticsearchClient client;
    private final String checkpoints;
    private final ElasticsearchEvidenceSource evidence;
    private final int pageSize;

    /** @param evidence the evidence data stream's source, which recomputes chain heads */
    public ElasticsearchCheckpointSource(ElasticsearchClient client, String checkpoints, ElasticsearchEvidenceSource evidence,
                                         int pageSize) {
        this.client = client;
        this.checkpoints = checkpoints;
        this.evidence = evidence;
        this.pageSize = pageSize;
    }

    @Override
    public List<Checkpoint> covering(Period period) throws IOException {
        if (!client.indices().exists(e -> e.index(checkpoints)).value()) {
            return List.of();
        }
        List<Checkpoint> found = new ArrayList<>();
        Query within = Query.of(q -> q.range(r -> r.untyped(u -> u.field(CREATED_AT)
                .gte(JsonData.of(period.from().toEpochMilli())).lt(JsonData.of(period.to().toEpochMilli()))
                .format("epoch_millis"))));
        List<FieldValue> after = null;
        while (true) {
            List<FieldValue> searchAfter = after;
            SearchResponse<ObjectNode> page = client.search(s -> {
                s.index(checkpoints).size(pageSize).query(within)
                        .sort(o -> o.field(f -> f.field(CREATED_AT).order(SortOrder.Asc)))
                        .sort(o -> o.field(f -> f.field(PARTITION).order(SortOrder.Asc)));
                if (searchAfter != null) {
                    s.searchAfter(searchAfter);
                }
                return s;
            }, ObjectNode.class);
            List<Hit<ObjectNode>> hits = page.hits().hits();
            hits.forEach(hit -> found.add(CheckpointLines.fromDocument(hit.source())));
            if (hits.size() < pageSize) {
                break;
            }
            after = hits.get(hits.size() - 1).sort();
        }
        // the first checkpoint at or after the end, per partition: it vouches for the period's last records
        SearchResponse<Void> next = client.search(s -> s.index(checkpoints).size(0)
                .query(q -> q.range(r -> r.untyped(u -> u.field(CREATED_AT).gte(JsonData.of(period.to().toEpochMilli()))
                        .format("epoch_millis"))))
                .aggregations("partitions", a -> a.terms(t -> t.field(PARTITION).size(10_000))
                        .aggregations("first", f -> f.topHits(h -> h.size(1)
                                .sort(o -> o.field(x -> x.field(CREATED_AT).order(SortOrder.Asc)))))), Void.class);
        next.aggregations().get("partitions").lterms().buckets().array().forEach(bucket ->
                bucket.aggregations().get("first").topHits().hits().hits().forEach(hit ->
                        found.add(CheckpointLines.fromDocument(hit.source().to(ObjectNode.class)))));
        found.sort(Comparator.comparing(Checkpoint::getPartition).thenComparing(Checkpoint::getCreatedAt));
        return found;
    }

    @Override
    public MerkleTree headsAsOf(String topic, int partition, long throughOffset) throws IOException {
        return evidence.headsAsOf(topic, partition, throughOffset);
    }
}
