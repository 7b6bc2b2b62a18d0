package dev.kubeproof.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

import dev.kubeproof.contract.time.Durations;

/**
 * Reads a service's YAML or JSON config file into an immutable record: the one way every kubeproof process is
 * configured. Unknown keys are rejected with a message naming the key, its path and the file; records validate
 * themselves in their compact constructors, and their messages are passed on with the file name. Environment
 * variables ({@code KUBEPROOF_KAFKA_BOOTSTRAP_SERVERS}, see {@link ConfigKeys}) and then command-line
 * {@code --set key=value} overrides are applied to the file's content before it is bound. Durations are ISO-8601
 * ({@code PT30S}) or short ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 90d}); enum values are
 * case-insensitive. Every problem is an {@link IllegalArgumentException}.
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
        return parse(readFile(file), file.toString(), type);
    }

    /**
     * Loads {@code file} (none: start from an empty config), applies the {@code KUBEPROOF_*} variables of
     * {@code environment} and then {@code overrides} ({@code kafka.bootstrapServers=...}; lists comma-separated or
     * {@code [a, b]}; map entries as {@code kafka.properties.security.protocol=SSL}), and binds the result.
     */
    public static <T> T load(Path file, Class<T> type, Map<String, String> overrides, Map<String, String> environment) {
        String origin = file == null ? "the command line" : file.toString();
        ObjectMapper mapper = origin.toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
        ObjectNode tree;
        if (file == null) {
            tree = mapper.createObjectNode();
        } else {
            JsonNode read = readTree(mapper, readFile(file), origin);
            if (!read.isObject()) {
                throw new IllegalArgumentException("config " + origin + " must be a mapping of keys");
            }
            tree = (ObjectNode) read;
        }
        List<ConfigKeys.ConfigKey> keys = ConfigKeys.of(type);
        for (ConfigKeys.ConfigKey key : keys) {
            key.environmentVariable().map(environment::get).filter(value -> !value.isBlank())
                    .ifPresent(value -> set(tree, key.path(), key, value));
        }
        overrides.forEach((path, value) -> set(tree, path, declared(keys, path), value));
        if (tree.isEmpty() && file != null) {
            throw new IllegalArgumentException("config " + origin + " is empty");
        }
        return bind(mapper, tree, origin + (overrides.isEmpty() ? "" : " (with --set overrides)"), type);
    }

    /** Parses config text; {@code origin} names it in messages and picks JSON when it ends with {@code .json}. */
    public static <T> T parse(String content, String origin, Class<T> type) {
        if (content == null || content.isBlank()) {
            throw new IllegalArgumentException("config " + origin + " is empty");
        }
        ObjectMapper mapper = origin.toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
        return bind(mapper, readTree(mapper, content, origin), origin, type);
    }

    private static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode readTree(ObjectMapper mapper, String content, String origin) {
        try {
            JsonNode tree = mapper.readTree(content);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new IllegalArgumentException("config " + origin + " is empty");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot parse " + origin + ": " + e.getOriginalMessage(), e);
        }
    }

    /** The declared key of an override; a map key's entries ({@code kafka.properties.x.y}) belong to the map. */
    private static ConfigKeys.ConfigKey declared(List<ConfigKeys.ConfigKey> keys, String path) {
        for (ConfigKeys.ConfigKey key : keys) {
            String declared = key.path();
            if (declared.equals(path) && key.kind() != ConfigKeys.Kind.OBJECT && !declared.contains("[]")) {
                return key;
            }
            if (key.kind() == ConfigKeys.Kind.LIST_OF_OBJECTS && declared.equals(path + "[]")) {
                return key; // a whole list in YAML flow style: --set 'files=[{path: a.log, positionFile: a.pos}]'
            }
            if (key.kind() == ConfigKeys.Kind.MAP && path.startsWith(declared + ".")) {
                return key;
            }
        }
        throw new IllegalArgumentException("unknown key '" + path + "' in --set; known keys: " + keys.stream()
                .filter(key -> key.kind() == ConfigKeys.Kind.VALUE || key.kind() == ConfigKeys.Kind.MAP)
                .map(ConfigKeys.ConfigKey::path).filter(p -> !p.contains("[]")).collect(Collectors.joining(", ")));
    }

    /** Sets {@code value} at {@code path} of {@code key}, creating the objects on the way. */
    private static void set(ObjectNode tree, String path, ConfigKeys.ConfigKey key, String value) {
        // the declared key's own names ("files[]" is "files"); a map's entry ("security.protocol") is one more name
        List<String> names = new java.util.ArrayList<>(List.of(key.path().replace("[]", "").split("\\.")));
        boolean mapEntry = key.kind() == ConfigKeys.Kind.MAP;
        if (mapEntry) {
            names.add(path.substring(key.path().length() + 1));
        }
        ObjectNode node = tree;
        for (String name : names.subList(0, names.size() - 1)) {
            node = node.get(name) instanceof ObjectNode object ? object : node.putObject(name);
        }
        String last = names.get(names.size() - 1);
        if (mapEntry || !key.javaType().isCollectionLikeType()) {
            node.put(last, value);
        } else if (value.trim().startsWith("[")) {
            node.set(last, readTree(YAML, value, "--set " + path));
        } else {
            ArrayNode items = node.putArray(last);
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
    }

    private static <T> T bind(ObjectMapper mapper, JsonNode tree, String origin, Class<T> type) {
        T value;
        try {
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
        // Registered after JavaTimeModule, so that this Duration reader wins: ISO-8601 and 30s / 500ms / 90d alike.
        mapper.registerModule(new SimpleModule("kubeproof-durations").addDeserializer(Duration.class,
                new StdScalarDeserializer<Duration>(Duration.class) {
                    @Override
                    public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                        try {
                            return Durations.parse(parser.getValueAsString());
                        } catch (IllegalArgumentException e) {
                            throw InvalidFormatException.from(parser, e.getMessage(), parser.getText(), Duration.class);
                        }
                    }
                }));
        mapper.enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return mapper;
    }
}
