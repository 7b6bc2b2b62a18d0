package dev.kubeproof.sink.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.sink.config.ElasticsearchConfig;

/**
 * Installs the sink's component templates, index templates and indices at start-up. Every call is a PUT of the
 * complete definition, so running it again (every start, several sink instances) converges to the same state.
 *
 * <p>Retention uses <b>data stream lifecycle</b> ({@code template.lifecycle.data_retention}), not ILM: ILM is an
 * x-pack plugin that small distributions lack (the project's local {@code integ-test-zip} Elasticsearch has only
 * x-pack-core and x-pack-security: no {@code _ilm} API, no {@code data-streams} module). Elasticsearch accepts and
 * stores the lifecycle in the template everywhere; it is <em>enforced</em> only where the data-streams module runs
 * (every default distribution). Data streams themselves are created on first write from the index template,
 * which server core does even without that module (its {@code _data_stream} REST API is what is missing).
 */
public final class IndexTemplates {
    private static final Logger LOG = LoggerFactory.getLogger(IndexTemplates.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Above Elastic's built-in {@code logs-*-*} (100) and its Kubernetes integration templates (200). */
    static final int PRIORITY = 250;
    /** Bumped when a mapping changes, so that operators can see which definition a cluster has. */
    public static final int VERSION = 7;
    /** Resets a setting to Elasticsearch's default: null, which the typed client cannot send. */
    private static final String DEFAULT_REFRESH = "{\"index\":{\"refresh_interval\":null}}";

    private final ElasticsearchClient client;
    private final ElasticsearchConfig config;
    private final IndexNames names;

    public IndexTemplates(ElasticsearchClient client, ElasticsearchConfig config) {
        this.client = client;
        this.config = config;
        this.names = IndexNames.of(config);
    }

    /** The component templates by name, as sent. */
    public Map<String, ObjectNode> componentTemplates() {
        Map<String, ObjectNode> templates = new LinkedHashMap<>();
        templates.put(componentName("evidence-mappings"), resource("evidence-mappings.json"));
        templates.put(componentName("audit-mappings"), resource("audit-mappings.json"));
        templates.put(componentName("ocsf-mappings"), resource("ocsf-mappings.json"));
        templates.put(componentName("misconfiguration-mappings"), resource("misconfiguration-mappings.json"));
        templates.put(componentName("posture-history-mappings"), resource("posture-history-mappings.json"));
        templates.put(componentName("checkpoint-mappings"), resource("checkpoint-mappings.json"));
        templates.put(componentName("scanner-finding-mappings"), resource("scanner-finding-mappings.json"));
        ObjectNode settings = MAPPER.createObjectNode();
        // No refresh_interval: Elasticsearch's default refreshes every second only the indices searched in the last
        // 30 s, and a search of an idle one waits for its refresh, so nothing indexed is missed. Setting "1s" made
        // every index refresh every second through a cold start that nobody searches yet, the costliest part of bulk
        // indexing ("Tune for indexing speed" in Elastic's docs).
        settings.putObject("template").putObject("settings").putObject("index")
                .put("number_of_replicas", config.replicas());
        settings.putObject("_meta").put("managed_by", "kubeproof");
        templates.put(componentName("settings"), settings);
        return templates;
    }

    /** The index templates by name, as sent: one per index or data stream, matching exactly that name. */
    public Map<String, ObjectNode> indexTemplates() {
        Map<String, ObjectNode> templates = new LinkedHashMap<>();
        templates.put(names.evidence(), template(names.evidence(), "evidence-mappings", true, config.evidenceRetention(),
                "Every evidence transition (append-only history; document id = evidence id)"));
        templates.put(names.posture(), template(names.posture(), "evidence-mappings", false, null,
                "Current evidence per cluster/control/resource (upserted, deleted when closed)"));
        templates.put(names.violations(), template(names.violations(), "evidence-mappings", true,
                config.violationsRetention(), "Violation transitions (ECS) from the violations topic"));
        templates.put(names.ocsfViolations(), template(names.ocsfViolations(), "ocsf-mappings", true,
                config.violationsRetention(), "Violation transitions (OCSF Compliance Finding) from the violations topic"));
        templates.put(names.audit(), template(names.audit(), "audit-mappings", true, config.auditRetention(),
                "Kubernetes audit events (ECS, Elastic Kubernetes integration field names)"));
        ObjectNode misconfigurations = template(names.misconfigurationsIndex(), "misconfiguration-mappings", false, null,
                "Posture as Elastic misconfiguration findings (Kibana Findings view), behind the alias "
                        + names.misconfigurations());
        misconfigurations.putObject("template").putObject("aliases").putObject(names.misconfigurations());
        templates.put(names.misconfigurationsIndex(), misconfigurations);
        templates.put(names.postureHistory(), template(names.postureHistory(), "posture-history-mappings", true,
                config.evidenceRetention(), "The posture per framework, recorded every hour"));
        // kept as long as the evidence they vouch for
        templates.put(names.checkpoints(), template(names.checkpoints(), "checkpoint-mappings", true,
                config.evidenceRetention(), "Signed checkpoints of the evidence chains' heads (document id = checkpoint id)"));
        templates.put(names.scannerFindings(), template(names.scannerFindings(), "scanner-finding-mappings", false, null,
                "Scanners' configuration checks per resource (Trivy misconfigurations), linked to kubeproof's controls"));
        return templates;
    }

    /** Installs everything; safe to run any number of times. */
    public Installed install() throws IOException {
        for (Map.Entry<String, ObjectNode> component : componentTemplates().entrySet()) {
            String json = MAPPER.writeValueAsString(component.getValue());
            client.cluster().putComponentTemplate(r -> r.name(component.getKey()).withJson(new StringReader(json)));
        }
        for (Map.Entry<String, ObjectNode> template : indexTemplates().entrySet()) {
            String json = MAPPER.writeValueAsString(template.getValue());
            client.indices().putIndexTemplate(r -> r.name(template.getKey()).withJson(new StringReader(json)));
        }
        // Plain indices are created up front (data streams create themselves on first write).
        List<String> created = new ArrayList<>();
        for (String index : List.of(names.posture(), names.misconfigurationsIndex(), names.scannerFindings())) {
            try {
                client.indices().create(r -> r.index(index));
                created.add(index);
                LOG.info("created index {}", index);
            } catch (ElasticsearchException e) {
                if (!"resource_already_exists_exception".equals(e.error().type())) {
                    throw e;
                }
            }
        }
        List<String> updated = updateExistingMappings(created);
        LOG.info("installed templates (version {}) for {}, {}, {}, {}, {}, {}", VERSION, names.evidence(), names.posture(),
                names.violations(), names.ocsfViolations(), names.audit(), names.misconfigurations());
        return new Installed(List.copyOf(created), updated);
    }

    /**
     * What an {@link #install()} did besides the templates.
     *
     * @param created the plain indices it created (from the templates just installed)
     * @param updated the indices and data streams that existed already and got the templates' mappings in place (one
     *                whose mapping cannot change in place is logged and not listed)
     */
    public record Installed(List<String> created, List<String> updated) {
    }

    /**
     * A template applies to indices created after it. Indices and data streams that exist already (an upgrade of
     * kubeproof) get the new fields of their mapping in place, so that documents of the new version are not
     * rejected by the strict mapping of the old one. Only additions are possible in place; a changed field type
     * is logged and waits for the data stream's next rollover.
     */
    private List<String> updateExistingMappings(List<String> justCreated) throws IOException {
        List<String> updated = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> template : indexTemplates().entrySet()) {
            String name = template.getKey();
            // An index created a moment ago has the template's mapping and settings already.
            if (justCreated.contains(name) || !client.indices().exists(r -> r.index(name)).value()) {
                continue;
            }
            String component = template.getValue().get("composed_of").get(1).asText();
            ObjectNode mappings = (ObjectNode) componentTemplates().get(component).at("/template/mappings");
            String json = MAPPER.writeValueAsString(mappings);
            try {
                client.indices().putMapping(r -> r.index(name).withJson(new StringReader(json)));
                updated.add(name);
                LOG.info("updated the mapping of existing {}", name);
            } catch (ElasticsearchException e) {
                LOG.warn("cannot update the mapping of existing {} in place ({}); new documents may be refused until it "
                        + "rolls over (POST {}/_rollover)", name, e.getMessage(), name);
            }
            resetRefreshInterval(name);
        }
        return List.copyOf(updated);
    }

    private ObjectNode template(String name, String mappings, boolean dataStream, Duration retention, String description) {
        ObjectNode template = MAPPER.createObjectNode();
        template.putArray("index_patterns").add(name);
        List<String> composedOf = new ArrayList<>(List.of(componentName("settings"), componentName(mappings)));
        composedOf.forEach(template.putArray("composed_of")::add);
        template.put("priority", PRIORITY);
        template.put("version", VERSION);
        if (dataStream) {
            template.putObject("data_stream");
            if (retention != null) {
                template.putObject("template").putObject("lifecycle").put("data_retention", retention.toDays() + "d");
            }
        }
        ObjectNode meta = template.putObject("_meta");
        meta.put("managed_by", "kubeproof");
        meta.put("description", description);
        return template;
    }

    private String componentName(String suffix) {
        return names.prefix() + "-" + suffix;
    }

    static ObjectNode resource(String name) {
        try (InputStream in = IndexTemplates.class.getResourceAsStream("/dev/kubeproof/sink/templates/" + name)) {
            if (in == null) {
                throw new IllegalStateException("template resource " + name + " is missing from the jar");
            }
            return (ObjectNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Versions before 7 set refresh_interval to 1s on every index: back to the default (refresh while searched). */
    private void resetRefreshInterval(String index) {
        Rest5Client rest = ((Rest5ClientTransport) client._transport()).restClient();
        Request request = new Request("PUT", "/" + index + "/_settings");
        request.setEntity(new StringEntity(DEFAULT_REFRESH, ContentType.APPLICATION_JSON));
        try {
            rest.performRequest(request);
        } catch (IOException | RuntimeException e) {
            // Only a cost, like a mapping that cannot be updated in place: the sink starts all the same.
            LOG.warn("cannot reset refresh_interval of existing {} to Elasticsearch's default ({}); it keeps the one an "
                    + "older version set", index, e.getMessage());
        }
    }
}
