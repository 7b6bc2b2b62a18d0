package dev.kubeproof.sink.elasticsearch;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.Time;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.search.Hit;

import dev.kubeproof.siem.Transitions;

/**
 * Keeps the misconfiguration findings visible: Kibana's Findings view shows only findings whose {@code @timestamp}
 * is within the last 26 hours, and a control that keeps passing produces no new evidence. Every {@link #INTERVAL}
 * (half that window, so one missed run loses nothing) every document is rewritten with the current time, at the
 * version it has (the hash chain's sequence, {@code external_gte}): a newer state written meanwhile wins, and the
 * pass never holds more than one page of documents. The re-stamp says "kubeproof's current evidence still says
 * this at that time"; it is not a re-evaluation (the evidence changes only when the object or what it depends on
 * does, and the informers' resyncs re-evaluate every object).
 */
public final class MisconfigurationRestamp {
    /** How often every finding is re-stamped. */
    public static final Duration INTERVAL = Duration.ofHours(12);
    private static final int PAGE = 1_000;

    private final ElasticsearchClient client;
    private final String alias;
    private final Clock clock;

    public MisconfigurationRestamp(ElasticsearchClient client, String alias, Clock clock) {
        this.client = client;
        this.alias = alias;
        this.clock = clock;
    }

    /** One pass over every document: returns how many were re-stamped. */
    public long restamp() throws IOException {
        String stamp = Transitions.iso(clock.instant());
        String pit = client.openPointInTime(r -> r.index(alias).keepAlive(Time.of(t -> t.time("2m")))).id();
        long stamped = 0;
        try {
            List<FieldValue> after = null;
            while (true) {
                List<FieldValue> from = after;
                SearchResponse<ObjectNode> page = client.search(s -> {
                    s.pit(p -> p.id(pit).keepAlive(Time.of(t -> t.time("2m")))).size(PAGE).version(true)
                            .sort(o -> o.field(f -> f.field("_shard_doc").order(SortOrder.Asc)));
                    if (from != null) {
                        s.searchAfter(from);
                    }
                    return s;
                }, ObjectNode.class);
                List<Hit<ObjectNode>> hits = page.hits().hits();
                if (hits.isEmpty()) {
                    return stamped;
                }
                List<BulkOperation> writes = new ArrayList<>(hits.size());
                for (Hit<ObjectNode> hit : hits) {
                    ObjectNode doc = hit.source();
                    doc.put("@timestamp", stamp);
                    writes.add(BulkOperation.of(b -> b.index(i -> i.index(hit.index()).id(hit.id()).version(hit.version())
                            .versionType(VersionType.ExternalGte).document(doc))));
                }
                BulkResponse response = client.bulk(b -> b.operations(writes));
                // a conflict means a newer state was written meanwhile: it carries its own fresh timestamp
                stamped += response.items().stream().filter(i -> i.error() == null).count();
                after = hits.get(hits.size() - 1).sort();
            }
        } finally {
            client.closePointInTime(r -> r.id(pit));
        }
    }
}
