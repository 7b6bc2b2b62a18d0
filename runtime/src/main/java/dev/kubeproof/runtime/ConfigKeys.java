package dev.kubeproof.runtime;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;

/**
 * The keys a configuration record declares, found by walking its components (nested records, lists of records,
 * maps). One walk serves the loader (which environment variable overrides which key) and the generated reference
 * (type, default and meaning of every key, from Jackson's {@link JsonPropertyDescription} and
 * {@link JsonProperty#defaultValue()} on the components).
 */
public final class ConfigKeys {
    /** Prefix of the environment variables that override keys, e.g. {@code KUBEPROOF_KAFKA_BOOTSTRAP_SERVERS}. */
    public static final String ENVIRONMENT_PREFIX = "KUBEPROOF_";
    private static final TypeFactory TYPES = TypeFactory.defaultInstance();

    private ConfigKeys() {
    }

    /**
     * One declared key.
     *
     * @param path         dotted path, {@code []} after a list of objects, e.g. {@code files[].path}
     * @param type         the Java type, for readers
     * @param javaType     the type as Jackson resolves it
     * @param defaultValue the documented default, empty when there is none (required or optional without default)
     * @param description  what the key means
     * @param kind         a value, an object of further keys, a list of objects, or a free-form map
     */
    public record ConfigKey(String path, String type, JavaType javaType, String defaultValue, String description,
                            Kind kind) {
        /** The environment variable that overrides this key, when it is a plain value outside any list. */
        public Optional<String> environmentVariable() {
            if (kind != Kind.VALUE || path.contains("[]")) {
                return Optional.empty();
            }
            return Optional.of(ENVIRONMENT_PREFIX + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                    .replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT));
        }
    }

    /** What a key holds. */
    public enum Kind { VALUE, OBJECT, LIST_OF_OBJECTS, MAP }

    /** Every key of {@code type}, depth first in declaration order. */
    public static List<ConfigKey> of(Class<?> type) {
        List<ConfigKey> keys = new ArrayList<>();
        walk(TYPES.constructType(type), "", keys, new ArrayList<>());
        return keys;
    }

    /** The declared type at {@code path} (dots between names, no list markers), if any. */
    public static Optional<ConfigKey> find(Class<?> type, String path) {
        return of(type).stream().filter(key -> key.path().replace("[]", "").equals(path)).findFirst();
    }

    private static void walk(JavaType type, String prefix, List<ConfigKey> keys, List<Class<?>> seen) {
        for (RecordComponent component : type.getRawClass().getRecordComponents()) {
            JavaType componentType = TYPES.resolveMemberType(component.getGenericType(), type.getBindings());
            String path = prefix + component.getName();
            String description = annotation(component, JsonPropertyDescription.class)
                    .map(JsonPropertyDescription::value).orElse("");
            String defaultValue = annotation(component, JsonProperty.class).map(JsonProperty::defaultValue).orElse("");
            Class<?> raw = componentType.getRawClass();
            if (raw.isRecord() && !seen.contains(raw)) {
                keys.add(new ConfigKey(path, "object", componentType, defaultValue, description, Kind.OBJECT));
                walk(componentType, path + ".", keys, append(seen, raw));
            } else if (componentType.isCollectionLikeType() && componentType.getContentType().getRawClass().isRecord()) {
                keys.add(new ConfigKey(path + "[]", "list of objects", componentType, defaultValue, description,
                        Kind.LIST_OF_OBJECTS));
                walk(componentType.getContentType(), path + "[].", keys,
                        append(seen, componentType.getContentType().getRawClass()));
            } else {
                keys.add(new ConfigKey(path, readable(componentType), componentType, defaultValue, description,
                        componentType.isMapLikeType() ? Kind.MAP : Kind.VALUE));
            }
        }
    }

    private static <A extends java.lang.annotation.Annotation> Optional<A> annotation(RecordComponent component,
                                                                                     Class<A> annotation) {
        // Jackson's annotations do not target record components; Java copies them to the accessor and the field.
        for (AnnotatedElement element : new AnnotatedElement[]{component, component.getAccessor()}) {
            A found = element.getAnnotation(annotation);
            if (found != null) {
                return Optional.of(found);
            }
        }
        try {
            return Optional.ofNullable(component.getDeclaringRecord().getDeclaredField(component.getName())
                    .getAnnotation(annotation));
        } catch (NoSuchFieldException e) {
            return Optional.empty();
        }
    }

    private static String readable(JavaType type) {
        return type.toCanonical().replaceAll("java\\.(lang|util|time|nio\\.file|net)\\.", "")
                .replaceAll("[a-z0-9_.]+\\.([A-Z][A-Za-z0-9]*)", "$1");
    }

    private static List<Class<?>> append(List<Class<?>> seen, Class<?> type) {
        List<Class<?>> copy = new ArrayList<>(seen);
        copy.add(type);
        return copy;
    }
}
