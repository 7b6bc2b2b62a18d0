package dev.kubeproof.controls.scan;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads Kubernetes manifests: multi-document YAML (JSON is YAML), whole directories recursively, and standard
 * input ({@code kustomize build | kubeproof scan -}). {@code List} kinds ({@code v1/List}, {@code PodList}, ...)
 * are unwrapped into their items. Documents that are not Kubernetes objects (no kind or apiVersion) are skipped
 * with a warning; malformed YAML is an error naming file and line.
 */
public final class ManifestReader {

    /** The path that means standard input. */
    public static final String STDIN = "-";

    private static final Set<String> EXTENSIONS = Set.of(".yaml", ".yml", ".json");

    /**
     * Kinds that have no namespace, so {@code --namespace} is not applied to them; anything else (custom resources
     * included) is assumed namespaced, as most are.
     */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node", "PersistentVolume", "ClusterRole",
            "ClusterRoleBinding", "StorageClass", "CustomResourceDefinition", "PriorityClass", "IngressClass",
            "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService", "CSIDriver", "CSINode",
            "VolumeAttachment", "CertificateSigningRequest", "ComponentStatus", "PodSecurityPolicy");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    private final String defaultNamespace;
    private final InputStream stdin;
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param defaultNamespace namespace given to namespaced objects that have none (as {@code kubectl apply -n}),
     *                         or null to leave them without (they then count as being in {@code default})
     * @param stdin            what {@code -} reads
     */
    public ManifestReader(String defaultNamespace, InputStream stdin) {
        this.defaultNamespace = defaultNamespace;
        this.stdin = stdin;
    }

    /** Everything under the given paths, in a stable order (directory entries sorted by name). */
    public List<Manifest> read(List<String> paths) {
        List<Manifest> manifests = new ArrayList<>();
        for (String path : paths) {
            if (path.equals(STDIN)) {
                manifests.addAll(parse(new InputStreamReader(stdin, StandardCharsets.UTF_8), "<stdin>"));
                continue;
            }
            Path file = Path.of(path);
            if (Files.isDirectory(file)) {
                for (Path found : filesUnder(file)) {
                    manifests.addAll(readFile(found, found.toString()));
                }
            } else if (Files.isRegularFile(file)) {
                manifests.addAll(readFile(file, path));
            } else {
                throw new ManifestException(path + ": no such file or directory");
            }
        }
        return manifests;
    }

    /** Documents skipped because they are not Kubernetes objects, one line each. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private static List<Path> filesUnder(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream().anyMatch(ext -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(ext)))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            throw new ManifestException(dir + ": cannot list directory: " + e.getMessage(), e);
        }
    }

    private List<Manifest> readFile(Path file, String source) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(reader, source);
        } catch (IOException e) {
            throw new ManifestException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses every document of a YAML stream. */
    public List<Manifest> parse(Reader reader, String source) {
        List<Manifest> out = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) yaml.getFactory().createParser(reader)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                int line = parser.currentTokenLocation().getLineNr();
                JsonNode document = token == JsonToken.VALUE_NULL ? null : yaml.readTree(parser);
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue; // an empty document between --- separators
                }
                add(document, source, line, out);
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new ManifestException(source + (line > 0 ? ":" + line : "") + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ManifestException(source + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    private void add(JsonNode document, String source, int line, List<Manifest> out) {
        if (!document.isObject() || !document.hasNonNull("kind") || !document.hasNonNull("apiVersion")) {
            warnings.add(source + ":" + line + ": skipped a document that is not a Kubernetes object (no kind/apiVersion)");
            return;
        }
        String kind = document.get("kind").asText();
        if (document.get("apiVersion").asText().startsWith("kustomize.config.k8s.io/")) {
            // Not deployed itself; its patches and generators only take effect through kustomize.
            warnings.add(source + ":" + line + ": skipped " + kind + " (scan the built output instead: kubectl kustomize DIR | kubeproof scan -)");
            return;
        }
        if (kind.endsWith("List") && document.path("items").isArray()) {
            for (JsonNode item : document.get("items")) {
                add(item, source, line, out);
            }
            return;
        }
        out.add(new Manifest(withNamespace((ObjectNode) document), source, line));
    }

    private JsonNode withNamespace(ObjectNode object) {
        if (defaultNamespace == null || CLUSTER_SCOPED.contains(object.path("kind").asText())) {
            return object;
        }
        JsonNode metadata = object.path("metadata");
        if (metadata.path("namespace").isTextual() && !metadata.path("namespace").asText().isEmpty()) {
            return object;
        }
        ObjectNode copy = object.deepCopy();
        copy.withObject("/metadata").put("namespace", defaultNamespace);
        return copy;
    }
}
