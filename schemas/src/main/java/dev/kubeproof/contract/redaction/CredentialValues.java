package dev.kubeproof.contract.redaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Literal credentials in Kubernetes objects: an environment variable whose name says it holds a credential
 * ({@code DB_PASSWORD}, {@code API_TOKEN}) and whose value is written in the manifest. Collectors replace such values
 * by {@link #MARKER} before anything leaves them (topics, dead letters, logs), including inside kubectl's
 * last-applied-configuration annotation; controls then report where one was, never what it was.
 */
public final class CredentialValues {
    /** What replaces a literal credential value. */
    public static final String MARKER = "[redacted by kubeproof: literal credential]";
    /** Names that hold credentials, as words inside a longer name (db_password, aws-access-key-id). */
    public static final Pattern DEFAULT_NAMES = Pattern.compile(
            "(?i)(password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|client[_-]?secret)");
    /** A name that says where a credential is kept (a file, a path, another variable), not the credential itself. */
    public static final Pattern REFERENCE_NAMES = Pattern.compile("(?i).*(file|path|dir|env|ref)$");
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CredentialValues() {
    }

    /** True for a variable name that holds a credential under {@code names}. */
    public static boolean isCredentialName(String name, Pattern names) {
        return name != null && names.matcher(name).find() && !REFERENCE_NAMES.matcher(name).matches();
    }

    /**
     * Replaces, in place, every literal credential value of an {@code env} list anywhere in {@code tree} (containers,
     * init containers, pod templates, lists) and in a last-applied-configuration annotation.
     *
     * @return the paths replaced, e.g. {@code spec.containers[0].env[1] (DB_PASSWORD)}; empty when nothing was
     */
    public static List<String> redact(JsonNode tree, Pattern names) {
        List<String> replaced = new ArrayList<>();
        walk(tree, "", names, replaced);
        return replaced;
    }

    private static void walk(JsonNode node, String path, Pattern names, List<String> replaced) {
        if (node instanceof ObjectNode object) {
            JsonNode env = object.get("env");
            if (env != null && env.isArray()) {
                for (int i = 0; i < env.size(); i++) {
                    JsonNode variable = env.get(i);
                    JsonNode value = variable.get("value");
                    String name = variable.path("name").asText(null);
                    if (variable instanceof ObjectNode entry && value != null && value.isTextual()
                            && !value.asText().isEmpty() && !MARKER.equals(value.asText()) && isCredentialName(name, names)) {
                        entry.put("value", MARKER);
                        replaced.add(join(path, "env[" + i + "]") + " (" + name + ")");
                    }
                }
            }
            JsonNode applied = object.path("annotations").get(LAST_APPLIED);
            if (applied != null && applied.isTextual()) {
                redactEmbedded((ObjectNode) object.get("annotations"), applied.asText(), join(path, "annotations"), names,
                        replaced);
            }
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                walk(field.getValue(), join(path, field.getKey()), names, replaced);
            }
        } else if (node != null && node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", names, replaced);
            }
        }
    }

    private static void redactEmbedded(ObjectNode annotations, String text, String path, Pattern names,
                                       List<String> replaced) {
        try {
            JsonNode embedded = JSON.readTree(text);
            List<String> inside = new ArrayList<>();
            walk(embedded, "", names, inside);
            if (!inside.isEmpty()) {
                annotations.put(LAST_APPLIED, JSON.writeValueAsString(embedded));
                inside.forEach(p -> replaced.add(path + "[" + LAST_APPLIED + "]." + p));
            }
        } catch (JsonProcessingException e) {
            // Not JSON: it cannot be searched, so it cannot be kept either.
            annotations.put(LAST_APPLIED, MARKER);
            replaced.add(path + "[" + LAST_APPLIED + "] (unreadable, removed)");
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
