package dev.kubeproof.sink.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;

import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.contract.evidence.EvidenceKey;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.ControlCatalogs;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.documents.IndexAction;
import dev.kubeproof.sink.documents.ViolationDocuments;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.sink.elasticsearch.IndexTemplates;

/** The raw {@code _bulk} rate of this Elasticsearch for the sink's documents: the ceiling a sink is compared to. */
public final class RawBulk {
    /** The topic the rendered history documents name as their place (the sink's default evidence topic). */
    private static final String EVIDENCE_TOPIC = "kubeproof.evidence";

    private RawBulk() {
    }

    /** Which of the sink's writes of an evidence record raw {@code _bulk} sends. */
    public enum Writes {
        /** Its history document, rendered without a control catalog: what {@code sink bench}'s sink writes. */
        HISTORY,
        /**
         * Everything the sink writes for a record and its state, rendered with the built-in catalog as a run's sink
         * renders them: the history document, a violation for a FAIL, the posture document and its misconfiguration
         * finding.
         */
        ALL
    }

    /** What was indexed, and how long the requests took (rendering excluded). */
    public record Indexed(int documents, Duration took) {
        public double documentsPerSecond() {
            return documents / Math.max(1e-9, took.toNanos() / 1e9);
        }
    }

    /**
     * Indexes the sink's {@code writes} of the evidence with plain {@code _bulk} requests of {@code batch} documents,
     * {@code concurrentRequests} in flight as the sink keeps them, into the indices of {@code rawEs}'s prefix
     * (templated as the sink's). Fails when a request reports errors or a history document is missing.
     */
    public static Indexed index(ElasticsearchConfig rawEs, List<EvidenceRecord> evidence, int batch,
                                int concurrentRequests, Writes writes) throws Exception {
        int records = evidence.size();
        Duration rawTime;
        int documents;
        try (ElasticsearchClient client = ElasticsearchClients.create(rawEs)) {
            new IndexTemplates(client, rawEs).install();
            IndexNames names = IndexNames.of(rawEs);
            IntFunction<List<IndexAction>> writesOf = writes(writes, names, evidence);
            // rendered a request at a time: only the request bodies are held, as before the timing starts
            List<byte[]> bodies = new ArrayList<>();
            List<IndexAction> pending = new ArrayList<>();
            documents = 0;
            for (int i = 0; i < records; i++) {
                pending.addAll(writesOf.apply(i));
                while (pending.size() >= batch) {
                    bodies.add(body(pending.subList(0, batch)));
                    pending = new ArrayList<>(pending.subList(batch, pending.size()));
                    documents += batch;
                }
            }
            if (!pending.isEmpty()) {
                bodies.add(body(pending));
                documents += pending.size();
            }
            ExecutorService senders = Executors.newFixedThreadPool(concurrentRequests);
            try {
                long start = System.nanoTime();
                List<Future<?>> sent = new ArrayList<>();
                for (byte[] body : bodies) {
                    sent.add(senders.submit(() -> {
                        send(client, body);
                        return null;
                    }));
                }
                for (Future<?> request : sent) {
                    request.get();
                }
                rawTime = Duration.ofNanos(System.nanoTime() - start);
            } finally {
                senders.shutdownNow();
            }
            client.indices().refresh(r -> r.index(names.evidence()));
            long rawCount = client.count(r -> r.index(names.evidence())).count();
            if (rawCount != records) {
                throw new IllegalStateException("raw _bulk indexed " + rawCount + " of " + records);
            }
        }
        return new Indexed(documents, rawTime);
    }

    /** The {@code _bulk} body creating the history documents of {@code records}, as the sink renders them. */
    public static byte[] body(EvidenceDocuments documents, List<EvidenceRecord> records) {
        return body(history(documents, records));
    }

    /** The history documents of the records, as if they were one partition of the evidence topic, in order. */
    private static List<IndexAction> history(EvidenceDocuments documents, List<EvidenceRecord> records) {
        List<IndexAction> actions = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            actions.add(documents.history(records.get(i), EVIDENCE_TOPIC, 0, i));
        }
        return actions;
    }

    /**
     * The sink's chosen writes of the i-th record, as if the records were one partition of the evidence topic: for
     * {@code ALL}, those of the evidence topic's copy, then those of the evidence-state topic's.
     */
    private static IntFunction<List<IndexAction>> writes(Writes writes, IndexNames names, List<EvidenceRecord> records) {
        if (writes == Writes.HISTORY) {
            EvidenceDocuments documents = new EvidenceDocuments(names, ControlCatalog.empty());
            return i -> List.of(documents.history(records.get(i), EVIDENCE_TOPIC, 0, i));
        }
        EvidenceDocuments documents = new EvidenceDocuments(names, ControlCatalogs.builtIn());
        ViolationDocuments violations = new ViolationDocuments(names, ControlCatalogs.builtIn(), "ecs");
        return i -> {
            EvidenceRecord record = records.get(i);
            String key = EvidenceKey.of(record);
            List<IndexAction> actions = new ArrayList<>(4);
            actions.add(documents.history(record, EVIDENCE_TOPIC, 0, i));
            actions.addAll(violations.toActions(record));
            actions.add(documents.posture(key, record));
            actions.add(documents.misconfiguration(key, record));
            return actions;
        };
    }

    /** The {@code _bulk} body of the writes: creates, and upserts and deletes with their external version. */
    static byte[] body(List<IndexAction> actions) {
        StringBuilder body = new StringBuilder();
        for (IndexAction action : actions) {
            String target = "\"_index\":\"" + action.index() + "\",\"_id\":\"" + action.id() + "\"";
            if (action instanceof IndexAction.Create create) {
                body.append("{\"create\":{").append(target).append("}}\n")
                        .append(new String(create.json(), StandardCharsets.UTF_8)).append('\n');
            } else if (action instanceof IndexAction.Upsert upsert) {
                body.append("{\"index\":{").append(target).append(",\"version\":").append(upsert.version())
                        .append(",\"version_type\":\"external_gte\"}}\n")
                        .append(new String(upsert.json(), StandardCharsets.UTF_8)).append('\n');
            } else if (action instanceof IndexAction.Delete delete) {
                body.append("{\"delete\":{").append(target).append(delete.version() == null ? ""
                        : ",\"version\":" + delete.version() + ",\"version_type\":\"external_gte\"").append("}}\n");
            }
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends one {@code _bulk} body as it is; fails when Elasticsearch reports an error for any item. */
    public static void send(ElasticsearchClient client, byte[] body) throws java.io.IOException {
        Rest5Client rest = ((Rest5ClientTransport) client._transport()).restClient();
        Request request = new Request("POST", "/_bulk");
        request.setEntity(new ByteArrayEntity(body, ContentType.create("application/x-ndjson")));
        Response response = rest.performRequest(request);
        String answer;
        try {
            answer = EntityUtils.toString(response.getEntity());
        } catch (org.apache.hc.core5.http.ParseException e) {
            throw new java.io.IOException("unreadable _bulk response: " + e.getMessage(), e);
        }
        if (answer.contains("\"errors\":true")) {
            throw new IllegalStateException("raw _bulk reported errors: " + answer.substring(0, Math.min(500, answer.length())));
        }
    }
}
