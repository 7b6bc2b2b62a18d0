package dev.kubeproof.report.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeAggregate;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeAggregationSource;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.util.NamedValue;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.contract.evidence.MerkleTree;
import dev.kubeproof.report.model.Period;

/**
 * Checkpoints from the sink's checkpoints data stream, and chain heads from its evidence data stream by the Kafka
 * position each history document records ({@code kubeproof.kafka.*}): a composite aggregation over the keys of one
 * partition at or before an offset, with the highest sequence of each, whose hashes are then fetched by evidence id.
 * Keys come in the order of their bytes, the order the pipeline's store iterates, so the root is computed while paging.
 */
public final class ElasticsearchCheckpointSource implements CheckpointSource {
    private static final String KEY = "kubeproof.key";
    private static final String SEQUENCE = "kubeproof.chain.sequence";
    private static final String HASH = "kubeproof.chain.hash";
    private static final String CREATED_AT = "kubeproof.checkpoint.created_at";
    private static final String PARTITION = "kubeproof.checkpoint.partition";

    private final ElasticsearchClient client;
    private final String checkpoints;
    private final String evidence;
    private final int pageSize;

    public ElasticsearchCheckpointSource(ElasticsearchClient client, String checkpoints, String evidence, int pageSize) {
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
        Query atOrBefore = Query.of(q -> q.bool(b -> b
                .filter(f -> f.term(t -> t.field("kubeproof.kafka.topic").value(topic)))
                .filter(f -> f.term(t -> t.field("kubeproof.kafka.partition").value(partition)))
                .filter(f -> f.range(r -> r.untyped(u -> u.field("kubeproof.kafka.offset").lte(JsonData.of(throughOffset)))))));
        MerkleTree tree = new MerkleTree();
        Map<String, FieldValue> afterKey = null;
        while (true) {
            Map<String, FieldValue> after = afterKey;
            SearchResponse<Void> response = client.search(s -> s.index(evidence).size(0).query(atOrBefore)
                    .aggregations("keys", a -> a.composite(c -> {
                        c.size(pageSize).sources(NamedValue.of("key", CompositeAggregationSource.of(src -> src
                                .terms(t -> t.field(KEY)))));
                        if (after != null) {
                            c.after(after);
                        }
                        return c;
                    }).aggregations("last", last -> last.max(m -> m.field(SEQUENCE)))), Void.class);
            CompositeAggregate keys = response.aggregations().get("keys").composite();
            List<CompositeBucket> buckets = keys.buckets().array();
            if (buckets.isEmpty()) {
                return tree;
            }
            List<String> keyOrder = new ArrayList<>(buckets.size());
            Map<String, Long> sequences = new HashMap<>();
            for (CompositeBucket bucket : buckets) {
                String key = bucket.key().get("key").stringValue();
                keyOrder.add(key);
                sequences.put(key, (long) (double) bucket.aggregations().get("last").max().value());
            }
            Map<String, String> hashes = hashes(sequences);
            for (String key : keyOrder) {
                tree.addHead(key, sequences.get(key), hashes.get(key));
            }
            if (buckets.size() < pageSize) {
                return tree;
            }
            afterKey = keys.afterKey();
        }
    }

    /** The hash of each key's record of the given sequence, fetched by its deterministic evidence id. */
    private Map<String, String> hashes(Map<String, Long> sequences) throws IOException {
        List<FieldValue> ids = sequences.entrySet().stream()
                .map(e -> FieldValue.of(EvidenceChain.evidenceId(e.getKey(), e.getValue()))).toList();
        SearchResponse<ObjectNode> response = client.search(s -> s.index(evidence).size(ids.size())
                .query(q -> q.terms(t -> t.field("kubeproof.evidence_id").terms(v -> v.value(ids))))
                .source(src -> src.filter(f -> f.includes(KEY, HASH))), ObjectNode.class);
        Map<String, String> hashes = new HashMap<>();
        for (Hit<ObjectNode> hit : response.hits().hits()) {
            hashes.put(hit.source().path("kubeproof").path("key").asText(),
                    hit.source().path("kubeproof").path("chain").path("hash").asText());
        }
        return hashes;
    }
}
