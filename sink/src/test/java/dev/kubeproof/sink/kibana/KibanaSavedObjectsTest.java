package dev.kubeproof.sink.kibana;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.kubeproof.sink.config.ElasticsearchConfig;
import dev.kubeproof.sink.elasticsearch.TemplateFields;

/** deploy/kibana's saved objects reference only fields the sink's index templates map, and only objects that exist. */
class KibanaSavedObjectsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern KQL_FIELD = Pattern.compile("([A-Za-z_@][\\w.@/-]*)\\s*:");
    private static final TemplateFields TEMPLATES = new TemplateFields(ElasticsearchConfig.of(URI.create("http://es:9200")));
    private static List<JsonNode> objects;
    private static Map<String, JsonNode> byId;

    @BeforeAll
    static void load() throws IOException {
        String root = System.getProperty("kubeproof.repo.root");
        assertThat(root).as("system property kubeproof.repo.root (set by the parent pom)").isNotNull();
        Path folder = Path.of(root, "deploy", "kibana");
        assertThat(folder).as("the Kibana saved objects folder").isDirectory();
        objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".ndjson")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        objects.add(MAPPER.readTree(line));
                    }
                }
            }
        }
        byId = new HashMap<>();
        objects.forEach(o -> byId.put(o.path("id").asText(), o));
    }

    @Test
    void shouldHoldTheDataViewsSearchesAndDashboardTheIssueAsksFor() {
        assertThat(ids("index-pattern")).contains("kubeproof-evidence", "kubeproof-posture", "kubeproof-violations",
                "kubeproof-violations-ocsf", "kubeproof-audit", "kubeproof-misconfigurations");
        assertThat(ids("search")).contains("kubeproof-open-violations", "kubeproof-violations-by-control",
                "kubeproof-violations-by-namespace", "kubeproof-ocsf-findings", "kubeproof-exceptions");
        assertThat(objects).as("visualizations are Lens, not legacy aggregation-based")
                .noneMatch(o -> o.path("type").asText().equals("visualization"));
        assertThat(ids("lens")).hasSizeGreaterThanOrEqualTo(6);
        assertThat(ids("dashboard")).contains("kubeproof-compliance");
        assertThat(objects).extracting(o -> o.path("id").asText()).doesNotHaveDuplicates();
    }

    @Test
    void shouldReferenceOnlyObjectsThatExistWithTheirType() {
        for (JsonNode object : objects) {
            for (JsonNode reference : object.path("references")) {
                JsonNode target = byId.get(reference.path("id").asText());
                assertThat(target).as(object.path("id").asText() + " references " + reference).isNotNull();
                assertThat(target.path("type").asText()).isEqualTo(reference.path("type").asText());
            }
        }
    }

    @Test
    void shouldReferenceOnlyFieldsThatTheIndexTemplatesMap() throws IOException {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (JsonNode object : objects) {
            String type = object.path("type").asText();
            JsonNode attributes = object.path("attributes");
            Set<String> fields = new LinkedHashSet<>();
            String dataView;
            switch (type) {
                case "index-pattern" -> {
                    dataView = attributes.path("title").asText();
                    if (attributes.has("timeFieldName")) {
                        fields.add(attributes.path("timeFieldName").asText());
                    }
                }
                case "search" -> {
                    dataView = dataViewTitle(object);
                    attributes.path("columns").forEach(c -> fields.add(c.asText()));
                    attributes.path("sort").forEach(s -> fields.add(s.get(0).asText()));
                    JsonNode source = MAPPER.readTree(attributes.at("/kibanaSavedObjectMeta/searchSourceJSON").asText());
                    kqlFields(source.at("/query/query").asText(), fields);
                }
                case "lens" -> {
                    dataView = dataViewTitle(object);
                    kqlFields(attributes.at("/state/query/query").asText(), fields);
                    attributes.at("/state/datasourceStates/formBased/layers").forEach(layer ->
                            layer.path("columns").forEach(column -> {
                                String field = column.path("sourceField").asText("");
                                if (!field.isEmpty() && !field.equals("___records___")) {
                                    fields.add(field);
                                }
                            }));
                }
                default -> {
                    continue;
                }
            }
            Map<String, String> mapped = TEMPLATES.fields(dataView);
            for (String field : fields) {
                checked++;
                if (!TemplateFields.maps(mapped, field)) {
                    missing.add(object.path("id").asText() + " -> " + dataView + ": " + field);
                }
            }
        }
        assertThat(checked).as("fields checked").isGreaterThan(40);
        assertThat(missing).isEmpty();
    }

    @Test
    void shouldFindAFieldThatIsNotMapped() {
        // the check itself can fail: a made-up field is not in the evidence template
        Map<String, String> mapped = TEMPLATES.fields("kubeproof-evidence");
        assertThat(TemplateFields.maps(mapped, "kubeproof.no_such_field")).isFalse();
        assertThat(TemplateFields.maps(mapped, "kubeproof.resource.owner_labels.team")).isTrue();
    }

    private static String dataViewTitle(JsonNode object) {
        for (JsonNode reference : object.path("references")) {
            if (reference.path("type").asText().equals("index-pattern")) {
                return byId.get(reference.path("id").asText()).at("/attributes/title").asText();
            }
        }
        throw new AssertionError(object.path("id").asText() + " has no data view");
    }

    private static void kqlFields(String query, Set<String> fields) {
        // drop quoted values first, so that a ':' inside a value is not read as a field
        Matcher matcher = KQL_FIELD.matcher(query.replaceAll("\"[^\"]*\"", "\"\""));
        while (matcher.find()) {
            fields.add(matcher.group(1));
        }
    }

    private static List<String> ids(String type) {
        return objects.stream().filter(o -> o.path("type").asText().equals(type)).map(o -> o.path("id").asText()).toList();
    }
}
