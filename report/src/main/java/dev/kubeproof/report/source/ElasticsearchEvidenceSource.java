package dev.kubeproof.report.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;

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

import dev.kubeproof.contract.evidence.EvidenceChain;
import dev.kubeproof.contract.evidence.MerkleTree;
import dev.kubeproof.report.model.KeyTimeline;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.report.model.Transition;

/**
 * Reads evidence from the sink's evidence data stream in pages, holding one page of each stream at a time:
 * <ul>
 *   <li>the state at the period's start: a composite aggregation over {@code kubeproof.key} (records before
 *   {@code from}) with the highest sequence of each key, whose records are then fetched by their deterministic
 *   evidence id;</li>
 *   <li>the period's records: a point-in-time search sorted by key and sequence, paged with {@code search_after}
 *   (never deep from/size).</li>
 * </ul>
 * Both come in key order and are merged key by key. The facts are read from {@code kubeproof.canonical}, the bytes
 * the chain hashed, and the hash from {@code kubeproof.chain.hash}.
 */
public final class ElasticsearchEvidenceSource implements EvidenceSource {
    static final String KEY = "kubeproof.key";
    static final String SEQUENCE = "kubeproof.chain.sequence";
    static final String HASH = "kubeproof.chain.hash";
    static final String CANONICAL = "kubeproof.canonical";
    static final String SINCE = "kubeproof.since";
    private static final List<String> SOURCE_FIELDS = List.of(CANONICAL, HASH);
    private static final String KEEP_ALIVE = "5m";

    private final ElasticsearchClient client;
    private final String index;
    private final int pageSize;

    /**
     * @param index    the evidence data stream ({@code IndexNames.evidence()})
     * @param pageSize records per request (and keys per aggregation page)
     */
    public ElasticsearchEvidenceSource(ElasticsearchClient client, String index, int pageSize) {
        if (pageSize < 1 || pageSize > 10_000) {
            throw new IllegalArgumentException("pageSize must be 1..10000, not " + pageSize);
        }
        this.client = client;
        this.index = index;
        this.pageSize = pageSize;
    }

    @Override
    public void read(Period period, Set<String> controlIds, ReportFilter filter, Consumer<KeyTimeline> consumer,
                     Consumer<Long> onProgress) throws IOException {
        if (controlIds.isEmpty()) {
            return;
        }
        if (!client.indices().exists(e -> e.index(index)).value()) {
            throw new IOException("no evidence in Elasticsearch: " + index + " does not exist (has the sink run?)");
        }
        String pit = client.openPointInTime(o -> o.index(index).keepAlive(k -> k.time(KEEP_ALIVE))).id();
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "evidence-prefetch");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Peeking<Transition> anchors = new Peeking<>(new Pages<>(after -> anchorPage(pit, period, controlIds, filter, after),
                    background));
            Peeking<Transition> records = new Peeking<>(new Pages<>(after -> recordPage(pit, period, controlIds, filter, after),
                    background));
            long keys = 0;
            while (anchors.hasNext() || records.hasNext()) {
                String key = smallest(anchors, records);
                Transition anchor = anchors.hasNext() && anchors.peek().key().equals(key) ? anchors.next() : null;
                List<Transition> inPeriod = new ArrayList<>();
                while (records.hasNext() && records.peek().key().equals(key)) {
                    inPeriod.add(records.next());
                }
                KeyTimeline timeline = new KeyTimeline(key, anchor, inPeriod);
                if (!timeline.contiguous()) {
                    // a gap, or evidence whose since went back: read the whole chain and cut it by sequence order
                    timeline = wholeChain(pit, key, timeline, period);
                }
                if (timeline != null) {
                    consumer.accept(timeline);
                }
                if (++keys % 10_000 == 0) {
                    onProgress.accept(keys);
                }
            }
            onProgress.accept(keys);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            background.shutdownNow();
            client.closePointInTime(c -> c.id(pit));
        }
    }

    private static String smallest(Peeking<Transition> anchors, Peeking<Transition> records) {
        if (!anchors.hasNext()) {
            return records.peek().key();
        }
        if (!records.hasNext()) {
            return anchors.peek().key();
        }
        String a = anchors.peek().key();
        String b = records.peek().key();
        return a.compareTo(b) <= 0 ? a : b;
    }

    private Query scope(Set<String> controlIds, ReportFilter filter, Query time) {
        return Query.of(q -> q.bool(b -> {
            b.filter(time);
            b.filter(f -> f.terms(t -> t.field("kubeproof.control.id")
                    .terms(v -> v.value(controlIds.stream().sorted().map(FieldValue::of).toList()))));
            if (!filter.clusters().isEmpty()) {
                b.filter(f -> f.terms(t -> t.field("kubeproof.resource.cluster_id")
                        .terms(v -> v.value(filter.clusters().stream().map(FieldValue::of).toList()))));
            }
            if (!filter.namespaces().isEmpty()) {
                b.filter(f -> f.terms(t -> t.field("kubeproof.resource.namespace")
                        .terms(v -> v.value(filter.namespaces().stream().map(FieldValue::of).toList()))));
            }
            return b;
        }));
    }

    /** One page of anchors: the last record before the period of up to pageSize keys, in key order. */
    private Page<Transition> anchorPage(String pit, Period period, Set<String> controlIds, ReportFilter filter,
                                        Object after) {
        Query before = Query.of(q -> q.range(r -> r.untyped(u -> u.field(SINCE).lt(JsonData.of(period.from().toEpochMilli()))
                .format("epoch_millis"))));
        try {
            return lastRecords(pit, scope(controlIds, filter, before), after);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The chain heads the store holds for one partition of the evidence topic, counting only the records at or
     * before an offset (each history document records its topic, partition and offset): what a checkpoint's Merkle
     * root was computed over, if nothing was removed since. Keys come in the order of their bytes, as the root needs.
     */
    public MerkleTree headsAsOf(String topic, int partition, long throughOffset) throws IOException {
        Query atOrBefore = Query.of(q -> q.bool(b -> b
                .filter(f -> f.term(t -> t.field("kubeproof.kafka.topic").value(topic)))
                .filter(f -> f.term(t -> t.field("kubeproof.kafka.partition").value(partition)))
                .filter(f -> f.range(r -> r.untyped(u -> u.field("kubeproof.kafka.offset").lte(JsonData.of(throughOffset)))))));
        MerkleTree tree = new MerkleTree();
        Object after = null;
        do {
            Page<Transition> page = lastRecords(null, atOrBefore, after);
            page.items().forEach(head -> tree.addHead(head.key(), head.sequence(), head.hash()));
            after = page.next();
        } while (after != null);
        return tree;
    }

    /**
     * The last record (highest sequence) of up to pageSize keys matching a query, in key order: a composite
     * aggregation over the keys, then the records fetched by their deterministic evidence ids.
     *
     * @param pit   a point in time to read in, or null for the index as it is now
     * @param after the previous page's after-key, or null for the first page
     */
    private Page<Transition> lastRecords(String pit, Query query, Object after) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, FieldValue> afterKey = (Map<String, FieldValue>) after;
        SearchResponse<Void> response = client.search(s -> {
            if (pit != null) {
                s.pit(p -> p.id(pit).keepAlive(k -> k.time(KEEP_ALIVE)));
            } else {
                s.index(index);
            }
            return s.size(0).query(query)
                    .aggregations("keys", a -> a.composite(c -> {
                        c.size(pageSize).sources(NamedValue.of("key", CompositeAggregationSource.of(src -> src
                                .terms(t -> t.field(KEY)))));
                        if (afterKey != null) {
                            c.after(afterKey);
                        }
                        return c;
                    }).aggregations("last", last -> last.max(m -> m.field(SEQUENCE))));
        }, Void.class);
        CompositeAggregate keys = response.aggregations().get("keys").composite();
        List<CompositeBucket> buckets = keys.buckets().array();
        if (buckets.isEmpty()) {
            return new Page<>(List.of(), null);
        }
        List<FieldValue> ids = new ArrayList<>(buckets.size());
        for (CompositeBucket bucket : buckets) {
            String key = bucket.key().get("key").stringValue();
            ids.add(FieldValue.of(EvidenceChain.evidenceId(key, (long) (double) bucket.aggregations().get("last").max().value())));
        }
        return new Page<>(byId(pit, ids, KEY), buckets.size() < pageSize ? null : keys.afterKey());
    }

    /** One page of the period's records, sorted by key and sequence, after the sort values of the previous page. */
    private Page<Transition> recordPage(String pit, Period period, Set<String> controlIds, ReportFilter filter, Object after) {
        @SuppressWarnings("unchecked")
        List<FieldValue> searchAfter = (List<FieldValue>) after;
        Query within = Query.of(q -> q.range(r -> r.untyped(u -> u.field(SINCE)
                .gte(JsonData.of(period.from().toEpochMilli())).lt(JsonData.of(period.to().toEpochMilli()))
                .format("epoch_millis"))));
        try {
            SearchResponse<ObjectNode> response = client.search(s -> {
                // no hit count: with it Lucene cannot skip the documents before search_after's sort values
                s.pit(p -> p.id(pit).keepAlive(k -> k.time(KEEP_ALIVE))).size(pageSize).trackTotalHits(t -> t.enabled(false))
                        .query(scope(controlIds, filter, within))
                        .sort(o -> o.field(f -> f.field(KEY).order(SortOrder.Asc)))
                        .sort(o -> o.field(f -> f.field(SEQUENCE).order(SortOrder.Asc)))
                        .source(src -> src.filter(f -> f.includes(SOURCE_FIELDS)));
                if (searchAfter != null) {
                    s.searchAfter(searchAfter);
                }
                return s;
            }, ObjectNode.class);
            List<Hit<ObjectNode>> hits = response.hits().hits();
            List<Transition> records = hits.stream().map(ElasticsearchEvidenceSource::transition).toList();
            return new Page<>(records, hits.size() < pageSize ? null : hits.get(hits.size() - 1).sort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every stored record of one key up to the highest sequence seen, cut at the period. */
    private KeyTimeline wholeChain(String pit, String key, KeyTimeline seen, Period period) {
        long last = seen.records().isEmpty() ? 0 : seen.records().get(seen.records().size() - 1).sequence();
        long highest = Math.max(last, seen.anchor() == null ? 0 : seen.anchor().sequence());
        List<Transition> chain = new ArrayList<>();
        try {
            for (long first = 1; first <= highest; first += pageSize) {
                List<FieldValue> ids = new ArrayList<>();
                for (long sequence = first; sequence <= highest && sequence < first + pageSize; sequence++) {
                    ids.add(FieldValue.of(EvidenceChain.evidenceId(key, sequence)));
                }
                chain.addAll(byId(pit, ids, SEQUENCE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return KeyTimeline.cut(key, chain, period);
    }

    /** The records with these evidence ids (deterministic: key and sequence), sorted by {@code sortField}. */
    private List<Transition> byId(String pit, List<FieldValue> ids, String sortField) throws IOException {
        SearchResponse<ObjectNode> response = client.search(s -> (pit == null ? s.index(index)
                        : s.pit(p -> p.id(pit).keepAlive(k -> k.time(KEEP_ALIVE))))
                .size(ids.size()).query(q -> q.terms(t -> t.field("kubeproof.evidence_id").terms(v -> v.value(ids))))
                .sort(o -> o.field(f -> f.field(sortField).order(SortOrder.Asc)))
                .source(src -> src.filter(f -> f.includes(SOURCE_FIELDS))), ObjectNode.class);
        return response.hits().hits().stream().map(ElasticsearchEvidenceSource::transition).toList();
    }

    private static Transition transition(Hit<ObjectNode> hit) {
        ObjectNode source = hit.source();
        String canonical = source == null ? null : source.path("kubeproof").path("canonical").asText(null);
        if (canonical == null) {
            throw new IllegalStateException("evidence document " + hit.id() + " has no kubeproof.canonical: it was "
                    + "indexed by a sink older than template version 3, and cannot be verified from Elasticsearch");
        }
        return Transition.parse(canonical, source.path("kubeproof").path("chain").path("hash").asText());
    }

    /** A page of results and where the next begins (null: this was the last). */
    record Page<T>(List<T> items, Object next) {
    }

    /**
     * Iterates pages, fetching the next one in the background while the current one is consumed (reading
     * Elasticsearch and writing the package overlap); at most two pages are held.
     */
    static final class Pages<T> implements Iterator<T> {
        private final java.util.function.Function<Object, Page<T>> fetch;
        private final java.util.concurrent.Executor background;
        private final Deque<T> buffer = new ArrayDeque<>();
        private java.util.concurrent.CompletableFuture<Page<T>> pending;
        private boolean exhausted;

        Pages(java.util.function.Function<Object, Page<T>> fetch, java.util.concurrent.Executor background) {
            this.fetch = fetch;
            this.background = background;
        }

        @Override
        public boolean hasNext() {
            while (buffer.isEmpty() && !exhausted) {
                Page<T> page;
                try {
                    page = pending == null ? fetch.apply(null) : pending.join();
                } catch (java.util.concurrent.CompletionException e) {
                    throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
                }
                buffer.addAll(page.items());
                exhausted = page.next() == null;
                pending = exhausted ? null
                        : java.util.concurrent.CompletableFuture.supplyAsync(() -> fetch.apply(page.next()), background);
            }
            return !buffer.isEmpty();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return buffer.removeFirst();
        }
    }

    /** An iterator that can look one ahead. */
    static final class Peeking<T> implements Iterator<T> {
        private final Iterator<T> delegate;
        private T peeked;

        Peeking(Iterator<T> delegate) {
            this.delegate = delegate;
        }

        T peek() {
            if (peeked == null) {
                peeked = delegate.next();
            }
            return peeked;
        }

        @Override
        public boolean hasNext() {
            return peeked != null || delegate.hasNext();
        }

        @Override
        public T next() {
            T value = peek();
            peeked = null;
            return value;
        }
    }
}
