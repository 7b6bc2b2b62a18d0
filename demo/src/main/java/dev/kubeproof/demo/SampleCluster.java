package dev.kubeproof.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The sample cluster bundled with kubeproof: what {@code kubeproof run} feeds through the real collectors when no
 * kubeconfig is given. It holds ~160 Kubernetes objects (50+ workloads in eight namespaces, RBAC, network
 * policies, nodes, control-plane static pods), the API server audit log of the day they were created, and Trivy
 * reports of their images. Every uid, timestamp and resourceVersion is fixed, so a run over the sample produces
 * the same evidence ids every time. {@code demo/README.md} describes what kubeproof should find; the same list is
 * {@link #expectations()}.
 *
 * <p>Instances are immutable: accessors hand out copies.
 */
public final class SampleCluster {
    /** Where the bundle lives on the class path. */
    public static final String RESOURCE_ROOT = "dev/kubeproof/demo/sample-cluster/";
    /** Kinds that carry a pod spec. */
    public static final Set<String> WORKLOAD_KINDS = Set.of("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
            "Job", "CronJob");
    /** The file name {@link #writeAuditLog(Path)} writes. */
    public static final String AUDIT_LOG_FILE = "audit.log";
    /** The file {@link #writeControlSettings(Path)} writes. */
    public static final String CONTROL_SETTINGS_FILE = "control-settings.yaml";

    /** Every fake secret value in the bundle carries this, so a leak is easy to find in any byte stream. */
    static final Pattern SECRET_MARKER = Pattern.compile("KPDEMO-SECRET-[A-Za-z0-9-]+");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private final List<ObjectNode> objects;
    private final byte[] auditLog;
    private final List<ObjectNode> auditEvents;
    private final SortedMap<String, byte[]> trivyReports;
    private final List<Expectation> expectations;
    private final SortedSet<String> secretMarkers;
    private final List<ObjectNode> governance;
    private final byte[] controlSettings;

    private SampleCluster(List<ObjectNode> objects, byte[] auditLog, List<ObjectNode> auditEvents,
                          SortedMap<String, byte[]> trivyReports, List<Expectation> expectations,
                          List<ObjectNode> governance, byte[] controlSettings) {
        this.governance = List.copyOf(governance);
        this.controlSettings = controlSettings.clone();
        this.objects = List.copyOf(objects);
        this.auditLog = auditLog.clone();
        this.auditEvents = List.copyOf(auditEvents);
        this.trivyReports = Collections.unmodifiableSortedMap(new TreeMap<>(trivyReports));
        this.expectations = List.copyOf(expectations);
        this.secretMarkers = Collections.unmodifiableSortedSet(findSecretMarkers(objects));
    }

    /**
     * Reads the bundle from the class path and checks it: every manifest document is an object with apiVersion,
     * kind, metadata.name, metadata.uid and metadata.creationTimestamp; uids and (kind, namespace, name) are unique;
     * every audit log line and Trivy report is JSON.
     *
     * @throws IllegalStateException when a file is missing or malformed, naming the file (and line or document)
     */
    public static SampleCluster load() {
        List<String> index = readIndex();
        List<ObjectNode> objects = new ArrayList<>();
        byte[] auditLog = null;
        SortedMap<String, byte[]> trivy = new TreeMap<>();
        List<Expectation> expectations = null;
        List<ObjectNode> governance = new ArrayList<>();
        byte[] controlSettings = new byte[0];
        for (String file : index) {
            byte[] bytes = readResource(file);
            if (file.startsWith("manifests/")) {
                objects.addAll(parseManifests(file, bytes));
            } else if (file.startsWith("audit/")) {
                if (auditLog != null) {
                    throw new IllegalStateException("sample cluster index lists more than one audit log: " + file);
                }
                auditLog = bytes;
            } else if (file.startsWith("trivy/")) {
                parseJson(file, bytes);
                trivy.put(file.substring("trivy/".length()), bytes);
            } else if (file.equals("expectations.json")) {
                expectations = parseExpectations(file, bytes);
            } else if (file.startsWith("governance/")) {
                governance.addAll(parseGovernance(file, bytes));
            } else if (file.equals(CONTROL_SETTINGS_FILE)) {
                controlSettings = bytes;
            } else {
                throw new IllegalStateException("sample cluster index lists an unknown file " + file);
            }
        }
        if (objects.isEmpty() || auditLog == null || trivy.isEmpty() || expectations == null) {
            throw new IllegalStateException("sample cluster index " + RESOURCE_ROOT + "index.txt must list manifests, "
                    + "the audit log, Trivy reports and expectations.json");
        }
        checkUnique(objects);
        return new SampleCluster(objects, auditLog, parseAuditLog(auditLog), trivy, expectations, governance,
                controlSettings);
    }

    /**
     * The sample's ControlException documents, as {@code kubeproof exception apply -f} reads them, each valid from
     * {@code now} for its {@code spec.validFor} (written as {@code spec.expiresAt}).
     */
    public List<JsonNode> exceptions(Instant now) {
        return governance("ControlException", "expiresAt", now);
    }

    /**
     * The sample's Attestation documents ({@code spec.controlId, attestedBy, evidenceUrl, note}), each attested at
     * {@code now} and valid for its {@code spec.validFor} (written as {@code spec.attestedAt} and {@code spec.validUntil}).
     */
    public List<JsonNode> attestations(Instant now) {
        List<JsonNode> out = governance("Attestation", "validUntil", now);
        out.forEach(document -> ((ObjectNode) document.get("spec")).put("attestedAt", now.toString()));
        return out;
    }

    private List<JsonNode> governance(String kind, String endField, Instant now) {
        List<JsonNode> out = new ArrayList<>();
        for (ObjectNode document : governance) {
            if (document.path("kind").asText().equals(kind)) {
                ObjectNode copy = document.deepCopy();
                ObjectNode spec = (ObjectNode) copy.get("spec");
                Duration validFor = Duration.parse("P" + spec.remove("validFor").asText().toUpperCase(Locale.ROOT));
                spec.put(endField, now.plus(validFor).toString());
                out.add(copy);
            }
        }
        return out;
    }

    /** Every object of the sample, in the order the manifests list them (a deep copy). */
    public List<JsonNode> objects() {
        List<JsonNode> out = new ArrayList<>(objects.size());
        objects.forEach(o -> out.add(o.deepCopy()));
        return Collections.unmodifiableList(out);
    }

    /** The objects of one kind (e.g. {@code ClusterRoleBinding}), in manifest order. */
    public List<JsonNode> objects(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).map(o -> (JsonNode) o.deepCopy()).toList();
    }

    /** Every object as a fabric8 {@link GenericKubernetesResource}, in manifest order. */
    public List<GenericKubernetesResource> resources() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        return objects.stream().map(o -> serialization.convertValue(o, GenericKubernetesResource.class)).toList();
    }

    /** The objects that carry a pod spec (see {@link #WORKLOAD_KINDS}). */
    public List<JsonNode> workloads() {
        return objects.stream().filter(o -> WORKLOAD_KINDS.contains(o.path("kind").asText()))
                .map(o -> (JsonNode) o.deepCopy()).toList();
    }

    /** The namespaces the sample's namespaced objects live in. */
    public SortedSet<String> namespaces() {
        SortedSet<String> out = new TreeSet<>();
        objects.forEach(o -> {
            String namespace = o.path("metadata").path("namespace").asText("");
            if (!namespace.isEmpty()) {
                out.add(namespace);
            }
        });
        return Collections.unmodifiableSortedSet(out);
    }

    /** Every container image the workloads reference (containers, init and ephemeral containers), as written. */
    public SortedSet<String> images() {
        SortedSet<String> out = new TreeSet<>();
        objects.stream().filter(o -> WORKLOAD_KINDS.contains(o.path("kind").asText()))
                .forEach(o -> collectImages(o.path("spec"), out));
        return Collections.unmodifiableSortedSet(out);
    }

    /** The audit log as the API server's log backend wrote it: JSON lines of {@code audit.k8s.io/v1} Events. */
    public byte[] auditLog() {
        return auditLog.clone();
    }

    /** The audit log's events, in file order (a deep copy). */
    public List<JsonNode> auditEvents() {
        List<JsonNode> out = new ArrayList<>(auditEvents.size());
        auditEvents.forEach(e -> out.add(e.deepCopy()));
        return Collections.unmodifiableList(out);
    }

    /** The Trivy JSON reports (SchemaVersion 2), by file name, e.g. {@code alpine-3.10.2.json}. */
    public SortedMap<String, byte[]> trivyReports() {
        SortedMap<String, byte[]> out = new TreeMap<>();
        trivyReports.forEach((name, bytes) -> out.put(name, bytes.clone()));
        return Collections.unmodifiableSortedMap(out);
    }

    /** What kubeproof should find, one entry per object, in manifest order. */
    public List<Expectation> expectations() {
        return expectations;
    }

    /**
     * The fake secret values of the bundle's Secrets that must never reach Kafka or Elasticsearch: each
     * distinctive value ({@code KPDEMO-SECRET-...}) and the base64 form its Secret stores. They also occur in the raw
     * audit log (the sample's audit policy logs the payments namespace at RequestResponse), so a run proves the
     * collectors' redaction as well as the resource collector's metadata-only handling of Secrets.
     */
    public SortedSet<String> secretMarkers() {
        return secretMarkers;
    }

    /**
     * Writes the audit log to {@code directory/audit.log}, for the audit file source. An identical file is left as
     * it is, so a tailer's stored position stays valid across runs; otherwise the file is replaced atomically.
     *
     * @return the file written
     */
    public Path writeAuditLog(Path directory) {
        return writeFile(directory, AUDIT_LOG_FILE, auditLog);
    }

    /**
     * Writes the sample organisation's control settings (its VPN network and automation identities, for the runtime
     * controls) to {@code directory/control-settings.yaml}, for the streams service's {@code controlSettings}.
     */
    public Path writeControlSettings(Path directory) {
        return writeFile(directory, CONTROL_SETTINGS_FILE, controlSettings);
    }

    /**
     * Writes the Trivy reports into {@code directory}, for the scan directory watcher, each replaced atomically
     * (an identical file is left as it is) so that the watcher never sees half a report.
     *
     * @return the files, sorted by name
     */
    public List<Path> writeTrivyReports(Path directory) {
        List<Path> out = new ArrayList<>();
        trivyReports.forEach((name, bytes) -> out.add(writeFile(directory, name, bytes)));
        return List.copyOf(out);
    }

    /**
     * Starts a local Kubernetes API server (fabric8's mock server in CRUD mode, plain HTTP on a free loopback port)
     * that serves every object of the sample with its fixed uid, creationTimestamp and resourceVersion, and supports
     * list, watch, create, update, patch and delete like the real one (so informers and leader election work).
     * Close it when done.
     */
    public SampleApiServer startApiServer() {
        return SampleApiServer.start(objects);
    }

    // ------------------------------------------------------------------------------------------------------------

    private static List<String> readIndex() {
        String text = new String(readResource("index.txt"), StandardCharsets.UTF_8);
        return Arrays.stream(text.split("\\R")).map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }

    private static byte[] readResource(String file) {
        String path = RESOURCE_ROOT + file;
        try (InputStream in = SampleCluster.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("sample cluster resource " + path + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sample cluster resource " + path, e);
        }
    }

    /** kubeproof's own documents (exceptions, attestations) with a relative validity, {@code validFor: 90d}. */
    private static List<ObjectNode> parseGovernance(String file, byte[] bytes) {
        List<ObjectNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(bytes)) {
            while (documents.hasNextValue()) {
                JsonNode node = documents.nextValue();
                if (node instanceof ObjectNode object) {
                    if (!object.path("spec").path("validFor").asText("").matches("\\d+d")) {
                        throw new IllegalStateException("sample cluster " + file + ": " + object.path("metadata").path("name")
                                + " needs spec.validFor in days, e.g. 90d");
                    }
                    out.add(object);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("sample cluster " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        return out;
    }

    private static List<ObjectNode> parseManifests(String file, byte[] bytes) {
        List<ObjectNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(bytes)) {
            int document = 0;
            while (documents.hasNextValue()) {
                JsonNode node = documents.nextValue();
                document++;
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                String where = file + " document " + document;
                if (!(node instanceof ObjectNode object)) {
                    throw new IllegalStateException(where + " is not a Kubernetes object");
                }
                for (String field : List.of("apiVersion", "kind", "metadata.name", "metadata.uid", "metadata.creationTimestamp")) {
                    JsonNode value = field.startsWith("metadata.")
                            ? object.path("metadata").path(field.substring("metadata.".length())) : object.path(field);
                    if (!value.isTextual() || value.asText().isBlank()) {
                        throw new IllegalStateException(where + " has no " + field);
                    }
                }
                out.add(object);
            }
        } catch (IOException e) {
            throw new IllegalStateException("sample cluster " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        return out;
    }

    private static void checkUnique(List<ObjectNode> objects) {
        Set<String> uids = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (ObjectNode o : objects) {
            JsonNode metadata = o.path("metadata");
            String key = o.path("kind").asText() + " " + metadata.path("namespace").asText("") + "/" + metadata.path("name").asText();
            if (!uids.add(metadata.path("uid").asText())) {
                throw new IllegalStateException("sample cluster uid " + metadata.path("uid").asText() + " of " + key + " is not unique");
            }
            if (!keys.add(key)) {
                throw new IllegalStateException("sample cluster object " + key + " is defined twice");
            }
        }
    }

    private static List<ObjectNode> parseAuditLog(byte[] bytes) {
        List<ObjectNode> events = new ArrayList<>();
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode event = parseJson("audit/" + AUDIT_LOG_FILE + " line " + (i + 1), lines[i].getBytes(StandardCharsets.UTF_8));
            if (!(event instanceof ObjectNode object)) {
                throw new IllegalStateException("sample cluster audit log line " + (i + 1) + " is not a JSON object");
            }
            events.add(object);
        }
        return events;
    }

    private static JsonNode parseJson(String where, byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("sample cluster " + where + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static List<Expectation> parseExpectations(String file, byte[] bytes) {
        List<Expectation> out = new ArrayList<>();
        for (JsonNode entry : parseJson(file, bytes).path("objects")) {
            List<String> fail = new ArrayList<>();
            entry.path("fail").forEach(id -> fail.add(id.asText()));
            String namespace = entry.path("namespace").isTextual() ? entry.path("namespace").asText() : null;
            out.add(new Expectation(entry.path("kind").asText(), namespace, entry.path("name").asText(),
                    entry.path("uid").asText(), fail, entry.path("note").asText("")));
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("sample cluster " + file + " lists no objects");
        }
        return out;
    }

    private static void collectImages(JsonNode node, Set<String> out) {
        if (node.isObject()) {
            for (String field : List.of("containers", "initContainers", "ephemeralContainers")) {
                node.path(field).forEach(c -> {
                    if (c.path("image").isTextual()) {
                        out.add(c.path("image").asText());
                    }
                });
            }
            node.properties().forEach(e -> collectImages(e.getValue(), out));
        } else if (node.isArray()) {
            node.forEach(child -> collectImages(child, out));
        }
    }

    private static SortedSet<String> findSecretMarkers(List<ObjectNode> objects) {
        SortedSet<String> out = new TreeSet<>();
        for (ObjectNode o : objects) {
            if (!o.path("kind").asText().equals("Secret")) {
                continue;
            }
            o.path("data").properties().forEach(entry -> {
                String stored = entry.getValue().asText();
                String decoded = new String(Base64.getDecoder().decode(stored), StandardCharsets.UTF_8);
                Matcher marker = SECRET_MARKER.matcher(decoded);
                boolean found = false;
                while (marker.find()) {
                    out.add(marker.group());
                    found = true;
                }
                if (found) {
                    out.add(stored);
                }
            });
        }
        return out;
    }

    private static Path writeFile(Path directory, String name, byte[] bytes) {
        try {
            Files.createDirectories(directory);
            Path target = directory.resolve(name);
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
                return target;
            }
            Path temporary = Files.createTempFile(directory, "." + name, ".tmp");
            try {
                Files.write(temporary, bytes);
                try {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name + " into " + directory, e);
        }
    }

    /** Canonical JSON of the objects, for comparisons (keys in file order, which the bundle fixes). */
    String objectsJson() {
        try {
            return JSON.writeValueAsString(objects);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String key(JsonNode o) {
        JsonNode metadata = o.path("metadata");
        return o.path("kind").asText() + " " + metadata.path("namespace").asText("") + "/" + metadata.path("name").asText();
    }
}
