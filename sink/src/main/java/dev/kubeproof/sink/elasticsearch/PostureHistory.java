package dev.kubeproof.sink.elasticsearch;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.aggregations.StringTermsBucket;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;

import dev.kubeproof.siem.Transitions;

/**
 * Posture over time: the posture index holds only the present, so every {@link #INTERVAL}, on the hour, this
 * aggregates it per framework (in Elasticsearch: bounded by the number of frameworks, never by the cluster) and
 * appends one snapshot document per framework, plus one for all controls, to the {@code <prefix>-posture-history}
 * data stream. The document id is the framework and the snapshot time, so replicas and restarts write each snapshot
 * once. Compliance is PASS / (PASS + FAIL); EXEMPT, ERROR, NOT_APPLICABLE and NEEDS_CONFIGURATION are counted apart.
 */
public final class PostureHistory {
    /** How often the posture is recorded (on the hour). */
    public static final Duration INTERVAL = Duration.ofHours(1);

    /** The next hour after {@code now}: the time of the next snapshot. */
    public static Instant nextSnapshot(Instant now) {
        return now.truncatedTo(ChronoUnit.HOURS).plus(INTERVAL);
    }
    /** The snapshot of every control whatever its frameworks. */
    public static final String ALL_CONTROLS = "all controls";
    private static final List<String> STATUSES = List.of("PASS", "FAIL", "EXEMPT", "ERROR", "NOT_APPLICABLE", "NEEDS_CONFIGURATION");

    private final ElasticsearchClient client;
    private final IndexNames names;
    private final Clock clock;

    public PostureHistory(ElasticsearchClient client, IndexNames names, Clock clock) {
        this.client = client;
        this.names = names;
        this.clock = clock;
    }

    /** Records the posture as of {@code at}: returns the documents written (one per framework and one for all). */
    public int snapshot(Instant at) throws IOException {
        client.indices().refresh(r -> r.index(names.posture()).ignoreUnavailable(true));
        SearchResponse<Void> response = client.search(s -> s.index(names.posture()).size(0).ignoreUnavailable(true)
                .aggregations("status", a -> a.terms(t -> t.field("kubeproof.status").size(STATUSES.size() + 1)))
                .aggregations("frameworks", a -> a.terms(t -> t.field("kubeproof.compliance.standards").size(100))
                        .aggregations("status", s2 -> s2.terms(t -> t.field("kubeproof.status").size(STATUSES.size() + 1)))),
                Void.class);
        if (response.aggregations().get("status") == null) {
            return 0;       // no posture index yet
        }
        Map<String, Map<String, Long>> byFramework = new TreeMap<>();
        byFramework.put(ALL_CONTROLS, counts(response.aggregations().get("status").sterms().buckets().array()));
        for (StringTermsBucket framework : response.aggregations().get("frameworks").sterms().buckets().array()) {
            byFramework.put(framework.key().stringValue(),
                    counts(framework.aggregations().get("status").sterms().buckets().array()));
        }
        List<BulkOperation> writes = new ArrayList<>();
        byFramework.forEach((framework, counts) -> {
            ObjectNode doc = document(framework, counts, at);
            writes.add(BulkOperation.of(b -> b.create(c -> c.index(names.postureHistory())
                    .id(framework + "@" + Transitions.iso(at)).document(doc))));
        });
        // visible when this returns: run prints the history right after recording it
        BulkResponse written = client.bulk(b -> b.operations(writes).refresh(co.elastic.clients.elasticsearch._types.Refresh.WaitFor));
        // a conflict is the same snapshot written before (another replica, a restart)
        long failed = written.items().stream().filter(i -> i.error() != null && i.status() != 409).count();
        if (failed > 0) {
            throw new IOException(failed + " posture snapshots of " + at + " were refused");
        }
        return writes.size();
    }

    /** One snapshot document (ECS {@code event.kind: metric}). */
    public static ObjectNode document(String framework, Map<String, Long> counts, Instant at) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("@timestamp", Transitions.iso(at));
        ObjectNode event = doc.putObject("event");
        event.put("kind", "metric");
        event.putArray("category").add("configuration");
        event.putArray("type").add("info");
        event.put("dataset", "kubeproof.posture_history");
        ObjectNode kubeproof = doc.putObject("kubeproof");
        kubeproof.put("framework", framework);
        ObjectNode posture = kubeproof.putObject("posture");
        long total = 0;
        for (String status : STATUSES) {
            long count = counts.getOrDefault(status, 0L);
            posture.put(status.toLowerCase(java.util.Locale.ROOT), count);
            total += count;
        }
        posture.put("total", total);
        long judged = counts.getOrDefault("PASS", 0L) + counts.getOrDefault("FAIL", 0L);
        if (judged > 0) {
            posture.put("compliance_percent", 100.0 * counts.getOrDefault("PASS", 0L) / judged);
        }
        return doc;
    }

    private static Map<String, Long> counts(List<StringTermsBucket> buckets) {
        Map<String, Long> counts = new TreeMap<>();
        buckets.forEach(b -> counts.put(b.key().stringValue(), b.docCount()));
        return counts;
    }
}
