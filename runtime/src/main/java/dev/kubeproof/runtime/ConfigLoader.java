package dev.kubeproof.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Reads a collector's YAML or JSON config file into an immutable record. Unknown keys are rejected with a message
 * naming the key, its path and the file; records validate themselves in their compact constructors, and their
 * messages are passed on with the file name. Every problem is an {@link IllegalArgumentException}.
 */
public final class ConfigLoader {
    private static final ObjectMapper JSON = configure(JsonMapper.builder().build());
    private static final ObjectMapper YAML = configure(new YAMLMapper(new YAMLFactory()));
    private static final TypeFactory TYPES = TypeFactory.defaultInstance();

    private ConfigLoader() {
    }

    /** Loads {@code file} ({@code .json} as JSON, anything else as YAML) into {@code type}. */
    public static <T> T load(Path file, Class<T> type) {
        Objects.requireNonNull(file, "file");
        String content;
        try {
            content = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(content, file.toString(), type);
    }

    /** Parses config text; {@code origin} names it in messages and picks JSON when it ends with {@code .json}. */
    public static <T> T parse(String content, String origin, Class<T> type) {
        if (content == null || content.isBlank()) {
            throw new IllegalArgumentException("config " + origin + " is empty");
        }
        ObjectMapper mapper = origin.toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
        T value;
        try {
            JsonNode tree = mapper.readTree(content);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new IllegalArgumentException("config " + origin + " is empty");
            }
            // Records validate in their constructors, which Jackson calls before it reports unknown keys; a typo
            // must be reported as the typo, not as the missing value it causes. So check the keys first.
            checkKeys(tree, mapper.constructType(type), "", origin);
            value = mapper.readerFor(type).readValue(tree);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown key '" + e.getPropertyName() + "'" + at(e, true) + " in "
                    + origin + "; known keys there: " + known(e.getKnownPropertyIds()), e);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("invalid config in " + origin + at(e, false) + ": " + cause.getMessage(), e);
        } catch (InvalidNullException e) {
            throw new IllegalArgumentException("key '" + path(e) + "' in " + origin + " must not be null", e);
        } catch (MismatchedInputException e) {
            throw new IllegalArgumentException("invalid value for key '" + path(e) + "' in " + origin + ": "
                    + e.getOriginalMessage(), e);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException("invalid config in " + origin + at(e, false) + ": " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot parse " + origin + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + origin + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("config " + origin + " is empty");
        }
        return value;
    }

    private static void checkKeys(JsonNode node, JavaType type, String path, String origin) {
        Class<?> raw = type.getRawClass();
        if (raw.isRecord() && node.isObject()) {
            Map<String, RecordComponent> components = new LinkedHashMap<>();
            for (RecordComponent component : raw.getRecordComponents()) {
                components.put(component.getName(), component);
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                RecordComponent component = components.get(field.getKey());
                if (component == null) {
                    throw new IllegalArgumentException("unknown key '" + field.getKey() + "'"
                            + (path.isEmpty() ? "" : " at '" + path + "'") + " in " + origin + "; known keys there: "
                            + components.keySet().stream().sorted().collect(Collectors.joining(", ")));
                }
                JavaType componentType = TYPES.resolveMemberType(component.getGenericType(), type.getBindings());
                checkKeys(field.getValue(), componentType, path.isEmpty() ? field.getKey() : path + "." + field.getKey(), origin);
            }
        } else if ((type.isCollectionLikeType() || type.isArrayType()) && node.isArray()) {
            int index = 0;
            for (JsonNode item : node) {
                checkKeys(item, type.getContentType(), path + "[" + index++ + "]", origin);
            }
        } else if (type.isMapLikeType() && node.isObject()) {
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                checkKeys(entry.getValue(), type.getContentType(), path + "." + entry.getKey(), origin);
            }
        }
    }

    private static String at(JsonMappingException e, boolean parentOnly) {
        String path = path(e);
        if (parentOnly) {
            int dot = path.lastIndexOf('.');
            path = dot < 0 ? "" : path.substring(0, dot);
        }
        return path.isEmpty() ? "" : " at '" + path + "'";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(reference -> reference.getFieldName() != null ? reference.getFieldName()
                : "[" + reference.getIndex() + "]").collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String known(Collection<Object> ids) {
        return ids == null ? "(none)" : ids.stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        mapper.registerModule(new JavaTimeModule());
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return mapper;
    }
}
