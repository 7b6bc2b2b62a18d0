package dev.kubeproof.sink.elasticsearch;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.sink.config.ElasticsearchConfig;

/** The fields the sink's index templates map, by index or data stream name, from the templates as installed. */
public final class TemplateFields {
    private final Map<String, ObjectNode> indexTemplates;
    private final Map<String, ObjectNode> componentTemplates;

    public TemplateFields(ElasticsearchConfig config) {
        IndexTemplates templates = new IndexTemplates(null, config);
        this.indexTemplates = templates.indexTemplates();
        this.componentTemplates = templates.componentTemplates();
    }

    /**
     * Field path to mapping type, for the index template whose pattern (or whose index's alias) matches
     * {@code indexOrPattern}.
     */
    public Map<String, String> fields(String indexOrPattern) {
        Pattern pattern = Pattern.compile(Pattern.quote(indexOrPattern).replace("*", "\\E.*\\Q"));
        ObjectNode template = indexTemplates.values().stream()
                .filter(t -> pattern.matcher(t.path("index_patterns").get(0).asText()).matches()
                        || t.at("/template/aliases").has(indexOrPattern))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no index template matches " + indexOrPattern));
        Map<String, String> fields = new HashMap<>();
        for (JsonNode component : template.path("composed_of")) {
            JsonNode properties = componentTemplates.get(component.asText()).at("/template/mappings/properties");
            collect("", properties, fields);
        }
        return fields;
    }

    /** True when {@code field} is mapped, or lies inside a {@code flattened} field (whose keys are searchable). */
    public static boolean maps(Map<String, String> fields, String field) {
        if (fields.containsKey(field)) {
            return true;
        }
        return ancestorType(fields, field).filter("flattened"::equals).isPresent();
    }

    private static Optional<String> ancestorType(Map<String, String> fields, String field) {
        int dot = field.lastIndexOf('.');
        while (dot > 0) {
            String parent = field.substring(0, dot);
            if (fields.containsKey(parent)) {
                return Optional.of(fields.get(parent));
            }
            dot = parent.lastIndexOf('.');
        }
        return Optional.empty();
    }

    private static void collect(String prefix, JsonNode properties, Map<String, String> fields) {
        for (Map.Entry<String, JsonNode> entry : properties.properties()) {
            String path = prefix + entry.getKey();
            JsonNode mapping = entry.getValue();
            if (mapping.has("properties")) {
                fields.put(path, "object");
                collect(path + ".", mapping.get("properties"), fields);
            } else {
                fields.put(path, mapping.path("type").asText("object"));
                // multi-fields (user.name.text) are fields a search can name too
                mapping.path("fields").properties().forEach(multi ->
                        fields.put(path + "." + multi.getKey(), multi.getValue().path("type").asText()));
            }
        }
    }
}
