package dev.kubeproof.sink.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;

import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

import dev.kubeproof.avro.EvidenceRecord;
import dev.kubeproof.siem.ControlCatalog;
import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.documents.EvidenceDocuments;
import dev.kubeproof.sink.documents.IndexAction;
import dev.kubeproof.sink.elasticsearch.ElasticsearchClients;
import dev.kubeproof.sink.elasticsearch.IndexNames;
import dev.kubeproof.sink.elasticsearch.IndexTemplates;

/** The raw {@code _bulk} rate of this Elasticsearch for the sink's documents: the ceiling a sink is compared to. */
public final class RawBulk {
    private RawBulk() {
    }

    /**
     * Indexes the evidence's history documents (the sink's own rendering) with plain {@code _bulk} requests of
     * {@code batch} documents into the data stream of {@code rawEs}'s prefix (templated as the sink's), and returns
     * the time the requests took (rendering excluded). Fails when a request reports errors or a document is missing.
     */
    public static Duration index(ElasticsearchConfig rawEs, List<EvidenceRecord> evidence, int batch) throws Exception {
        int records = evidence.size();
        Duration rawTime;
        try (ElasticsearchClient client = ElasticsearchClients.create(rawEs)) {
            new IndexTemplates(client, rawEs).install();
            IndexNames names = IndexNames.of(rawEs);
            EvidenceDocuments documents = new EvidenceDocuments(names, ControlCatalog.empty());
            List<byte[]> bodies = new ArrayList<>();
            for (int from = 0; from < records; from += batch) {
                bodies.add(body(documents, evidence.subList(from, Math.min(records, from + batch))));
            }
            long start = System.nanoTime();
            for (byte[] body : bodies) {
                send(client, body);
            }
            rawTime = Duration.ofNanos(System.nanoTime() - start);
            client.indices().refresh(r -> r.index(names.evidence()));
            long rawCount = client.count(r -> r.index(names.evidence())).count();
            if (rawCount != records) {
                throw new IllegalStateException("raw _bulk indexed " + rawCount + " of " + records);
            }
        }
        return rawTime;
    }

    /** The {@code _bulk} body creating the history documents of {@code records}, as the sink renders them. */
    public static byte[] body(EvidenceDocuments documents, List<EvidenceRecord> records) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < records.size(); i++) {
            // as if the records were one partition of the evidence topic, in order
            IndexAction.Create create = (IndexAction.Create) documents.history(records.get(i), "kubeproof.evidence", 0, i);
            body.append("{\"create\":{\"_index\":\"").append(create.index()).append("\",\"_id\":\"")
                    .append(create.id()).append("\"}}\n")
                    .append(new String(create.json(), StandardCharsets.UTF_8)).append('\n');
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
