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
 * ({@code DB_PASSWORD}, {@code API_TOKEN}) and whose value is written in the manifest, and in a ConfigMap's data a key
 * named like a credential, a private key block, or a credential-named {@code key=value} line of an embedded file.
 * Collectors replace such values by {@link #MARKER} before anything leaves them (topics, dead letters, logs),
 * including inside kubectl's last-applied-configuration annotation; controls then report where one was (they judge the
 * redacted form alike: a marker is still a literal value), never what it was.
 */
public final class CredentialValues {
    /** What replaces a literal credential value. */
    public static final String MARKER = "[redacted by kubeproof: literal credential]";
    /** Names that hold credentials, as words inside a longer name (db_password, aws-access-key-id). */
    public static final Pattern DEFAULT_NAMES = Pattern.compile(
            "(?i)(password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|client[_-]?secret)");
    /** A name that says where a credential is kept (a file, a path, another variable), not the credential itself. */
    public static final Pattern REFERENCE_NAMES = Pattern.compile("(?i).*(file|path|dir|env|ref)$");
    /** A {@code key = value} or {@code key: value} line inside a properties, YAML or env-file value. */
    public static final Pattern ASSIGNMENT = Pattern.compile("^\\s*(?:export\\s+)?([A-Za-z0-9_.\\-]+)\\s*[=:]\\s*(\\S.*)$");
    /** A PEM private key. */
    public static final Pattern PRIVATE_KEY_BLOCK = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");
    /** A YAML flow mapping that says where a secret is read from: {@code {file: /path}} or {@code {env: NAME}}. */
    private static final Pattern SECRET_SOURCE = Pattern.compile("\\{\\s*(file\\s*:\\s*/[^,}]*|env\\s*:\\s*[A-Za-z_][A-Za-z0-9_]*)\\s*}");
    /** What replaces a private key block: still a private key block to a reader, without the key. */
    public static final String PRIVATE_KEY_MARKER = "-----BEGIN PRIVATE KEY-----\n" + MARKER + "\n-----END PRIVATE KEY-----";
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CredentialValues() {
    }

    /** Switch values: {@code ALLOW_EMPTY_PASSWORD=yes} configures how a credential is used, it is not one. */
    private static final Pattern FLAG_VALUE = Pattern.compile("(?i)true|false|yes|no|on|off|0|1");

    /** True for an environment value that can be a credential: not empty, and not a yes/no switch. */
    public static boolean isCredentialValue(String value) {
        return value != null && !value.isEmpty() && !FLAG_VALUE.matcher(value.trim()).matches();
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

    /** {@code passwordFile=/run/secrets/db}, {@code password: {file: /etc/x}}: where a credential is, not what. */
    public static boolean isReference(String key, String value) {
        String trimmed = value.trim().replaceAll("^[\"']|[\"']$", "");
        return REFERENCE_NAMES.matcher(key.replaceAll("[^A-Za-z]", "")).matches() && trimmed.startsWith("/")
                || SECRET_SOURCE.matcher(trimmed).matches();
    }

    /** True for a ConfigMap entry whose key names a credential and whose value is one (not a reference). */
    public static boolean isCredentialEntry(String key, String value, Pattern names) {
        return names.matcher(key).find() && !value.isBlank() && !isReference(key, value);
    }

    /**
     * Replaces, in place, the credentials of a ConfigMap's {@code data}: a credential-named entry's whole value, a
     * private key block ({@link #PRIVATE_KEY_MARKER}), and the value of each credential-named line of an embedded file.
     */
    private static void redactConfigMap(ObjectNode configMap, String path, Pattern names, List<String> replaced) {
        if (!(configMap.get("data") instanceof ObjectNode data)) {
            return;
        }
        for (Map.Entry<String, JsonNode> entry : data.properties()) {
            String key = entry.getKey();
            String value = entry.getValue().asText("");
            String where = join(path, "data") + "[" + key + "]";
            if (MARKER.equals(value) || PRIVATE_KEY_MARKER.equals(value)) {
                continue; // redacted already
            }
            if (isCredentialEntry(key, value, names)) {
                entry.setValue(com.fasterxml.jackson.databind.node.TextNode.valueOf(MARKER));
                replaced.add(where);
            } else if (PRIVATE_KEY_BLOCK.matcher(value).find()) {
                entry.setValue(com.fasterxml.jackson.databind.node.TextNode.valueOf(PRIVATE_KEY_MARKER));
                replaced.add(where + " (private key)");
            } else if (hasCredentialLine(value, names)) {
                String[] lines = value.split("\\R", -1);
                StringBuilder kept = new StringBuilder();
                for (int i = 0; i < lines.length; i++) {
                    java.util.regex.Matcher assignment = ASSIGNMENT.matcher(lines[i]);
                    if (assignment.matches() && names.matcher(assignment.group(1)).find()
                            && !isReference(assignment.group(1), assignment.group(2)) && !MARKER.equals(assignment.group(2))) {
                        kept.append(lines[i], 0, assignment.start(2)).append(MARKER);
                        replaced.add(where + " line " + (i + 1));
                    } else {
                        kept.append(lines[i]);
                    }
                    if (i < lines.length - 1) {
                        kept.append('\n');
                    }
                }
                entry.setValue(com.fasterxml.jackson.databind.node.TextNode.valueOf(kept.toString()));
            }
        }
    }

    private static boolean hasCredentialLine(String value, Pattern names) {
        for (String line : value.split("\\R")) {
            java.util.regex.Matcher assignment = ASSIGNMENT.matcher(line);
            if (assignment.matches() && names.matcher(assignment.group(1)).find()
                    && !isReference(assignment.group(1), assignment.group(2)) && !MARKER.equals(assignment.group(2))) {
                return true;
            }
        }
        return false;
    }

    private static void walk(JsonNode node, String path, Pattern names, List<String> replaced) {
        if (node instanceof ObjectNode object) {
            if ("ConfigMap".equals(object.path("kind").asText())) {
                redactConfigMap(object, path, names, replaced);
            }
            JsonNode env = object.get("env");
            if (env != null && env.isArray()) {
                for (int i = 0; i < env.size(); i++) {
                    JsonNode variable = env.get(i);
                    JsonNode value = variable.get("value");
                    String name = variable.path("name").asText(null);
                    if (variable instanceof ObjectNode entry && value != null && value.isTextual()
                            && isCredentialValue(value.asText()) && !MARKER.equals(value.asText()) && isCredentialName(name, names)) {
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
