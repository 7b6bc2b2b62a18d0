package dev.kubeproof.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;

/**
 * A local Kubernetes API server holding the sample cluster: fabric8's {@link KubernetesMockServer} in CRUD mode
 * on plain HTTP on a free loopback port. It lists (in pages when asked: {@code limit} and {@code continue}),
 * watches, creates, updates, patches and deletes like an API server, so the resource collector's informers and
 * leader election (a Lease) run against it unchanged.
 *
 * <p>The objects are loaded straight into the server's store, not POSTed: a create through the API would replace
 * their uids, creationTimestamps and resourceVersions with fresh ones, and evidence ids would differ on every run.
 *
 * <p>What it is not: it ignores the {@code Accept: ...;as=PartialObjectMetadataList} projection, so a
 * metadata-only request for Secrets receives the whole Secret (the sample's Secrets hold fake data), and it
 * authenticates and authorizes nobody.
 */
public final class SampleApiServer implements AutoCloseable {
    /** The cluster, context and user name in the kubeconfig {@link #writeKubeconfig(Path)} writes. */
    public static final String CONTEXT = "kubeproof-demo";
    /** The Kubernetes version the server reports, matching the sample's control plane. */
    public static final String KUBERNETES_VERSION = "v1.32.4";

    private static final Map<String, String> PLURALS = Map.ofEntries(
            Map.entry("Namespace", "namespaces"), Map.entry("Node", "nodes"), Map.entry("Pod", "pods"),
            Map.entry("Service", "services"), Map.entry("ServiceAccount", "serviceaccounts"),
            Map.entry("ConfigMap", "configmaps"), Map.entry("Secret", "secrets"),
            Map.entry("ResourceQuota", "resourcequotas"), Map.entry("LimitRange", "limitranges"),
            Map.entry("Deployment", "deployments"), Map.entry("StatefulSet", "statefulsets"),
            Map.entry("DaemonSet", "daemonsets"), Map.entry("ReplicaSet", "replicasets"), Map.entry("Job", "jobs"),
            Map.entry("CronJob", "cronjobs"), Map.entry("NetworkPolicy", "networkpolicies"),
            Map.entry("Ingress", "ingresses"), Map.entry("Role", "roles"), Map.entry("ClusterRole", "clusterroles"),
            Map.entry("RoleBinding", "rolebindings"), Map.entry("ClusterRoleBinding", "clusterrolebindings"));

    /**
     * The mock web server logs every request at INFO through java.util.logging; the demo's console is for
     * kubeproof's own progress, so that logger is turned down to WARNING unless someone configured it. Held here
     * because java.util.logging forgets the level of a logger nobody references.
     */
    private static final Logger MOCK_WEB_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        if (MOCK_WEB_SERVER_LOG.getLevel() == null) {
            MOCK_WEB_SERVER_LOG.setLevel(Level.WARNING);
        }
    }

    private final KubernetesMockServer server;
    private final String url;
    private final int objectCount;

    private SampleApiServer(KubernetesMockServer server, int objectCount) {
        this.server = server;
        this.url = "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
        this.objectCount = objectCount;
    }

    /**
     * Starts a server holding these objects, read one at a time (a generated cluster of tens of thousands of objects
     * is never all built as trees at once).
     */
    public static SampleApiServer start(Iterable<? extends ObjectNode> objects) {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        Stores stores = new Stores();
        long highestResourceVersion = 0;
        int count = 0;
        for (ObjectNode object : objects) {
            highestResourceVersion = Math.max(highestResourceVersion,
                    stores.of(PLURALS.get(object.path("kind").asText())).seed(object));
            count++;
        }
        stores.advanceResourceVersionTo(highestResourceVersion);
        VersionInfo version = new VersionInfo.Builder().withMajor("1").withMinor("32").withGitVersion(KUBERNETES_VERSION)
                .withGitTreeState("clean").withPlatform("linux/amd64").build();
        KubernetesMockServer server = new KubernetesMockServer(new Context(),
                new MockWebServer(), expectations, new Router(expectations, stores), false, version);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return new SampleApiServer(server, count);
    }

    /** The API server's base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return url;
    }

    /** How many objects the server was loaded with. */
    public int objectCount() {
        return objectCount;
    }

    /** A fabric8 config for this server that reads nothing from the environment (no ~/.kube/config, no tokens). */
    public Config config() {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withNamespace("default")
                .withHttp2Disable(true)
                .withRequestRetryBackoffLimit(3)
                .build();
    }

    /** A new client of this server; the caller closes it. */
    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(config()).build();
    }

    /**
     * Writes a kubeconfig whose current context ({@value #CONTEXT}) points at this server, for collectors that are
     * configured with a kubeconfig file. It carries no credentials.
     *
     * @return the file written
     */
    public Path writeKubeconfig(Path file) {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: default
                current-context: %1$s
                users:
                - name: %1$s
                  user: {}
                """.formatted(CONTEXT, url);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, kubeconfig, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + file, e);
        }
    }

    /** Stops the server. */
    @Override
    public void close() {
        server.destroy();
    }

    /** The collection path of an object's kind, e.g. {@code /apis/apps/v1/namespaces/web/deployments}. */
    static String collectionPath(JsonNode object) {
        String kind = object.path("kind").asText();
        String plural = PLURALS.get(kind);
        if (plural == null) {
            throw new IllegalArgumentException("the sample API server does not know kind " + kind + "; known: "
                    + PLURALS.keySet().stream().sorted().toList());
        }
        String apiVersion = object.path("apiVersion").asText();
        String root = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
        String namespace = object.path("metadata").path("namespace").asText("");
        return root + (namespace.isEmpty() ? "" : "/namespaces/" + namespace) + "/" + plural;
    }

    /**
     * One CRUD store per resource type (plural), plus one for everything else (Leases, discovery): the mock's store
     * answers each request by scanning every object it holds, so with one store for 200,000 objects a list of 20
     * CronJobs took 0.35 s and 21 informers listing at once outlasted the client's 10 s timeout. Each store counts
     * its own resourceVersions, all above the sample's; clients treat them as opaque, per type, as they must.
     */
    private static final class Stores {
        private final Map<String, SeededStore> byPlural = new HashMap<>();
        private final SeededStore other = new SeededStore();

        Stores() {
            PLURALS.values().forEach(plural -> byPlural.put(plural, new SeededStore()));
        }

        SeededStore of(String plural) {
            return plural == null ? other : byPlural.getOrDefault(plural, other);
        }

        /** The store of the resource type a request path names ({@code /api/v1/namespaces/shop/pods/web?watch...}). */
        SeededStore forPath(String path) {
            int question = path.indexOf('?');
            String[] segments = (question < 0 ? path : path.substring(0, question)).split("/");
            // ["", "api", "v1", ...] or ["", "apis", group, version, ...]
            int type = segments.length > 1 && "apis".equals(segments[1]) ? 4 : 3;
            if (segments.length <= type) {
                return other; // discovery
            }
            if ("namespaces".equals(segments[type]) && segments.length > type + 2) {
                return of(segments[type + 2]); // a namespaced type: /namespaces/{ns}/{plural}...
            }
            return of(segments[type]);
        }

        void advanceResourceVersionTo(long highest) {
            byPlural.values().forEach(store -> store.advanceResourceVersionTo(highest));
            other.advanceResourceVersionTo(highest);
        }
    }

    /** A CRUD store, loaded directly with objects as they are (uid, timestamps and resourceVersion kept). */
    private static final class SeededStore extends KubernetesCrudDispatcher {
        private final KubernetesSerialization serialization = new KubernetesSerialization();

        /** Stores one object; returns its resourceVersion as a number (0 when it has none). */
        long seed(ObjectNode object) {
            String path = collectionPath(object);
            String json = serialization.asJson(object);
            GenericKubernetesResource resource = serialization.unmarshal(json, GenericKubernetesResource.class);
            AttributeSet collection = getKey(path);
            // Called before the server starts, so no request holds the store's lock or watches yet.
            processEvent(path, collection, null, resource, json);
            String resourceVersion = object.path("metadata").path("resourceVersion").asText("");
            return resourceVersion.matches("\\d{1,18}") ? Long.parseLong(resourceVersion) : 0;
        }

        /** Makes later writes (a collector's Lease) get resourceVersions above the sample's. */
        void advanceResourceVersionTo(long highest) {
            while (requestResourceVersion() < highest) {
                // each call takes the next version
            }
        }
    }

    /**
     * Answers the few fixed expectations the mock server registers itself ({@code /} and {@code /version}), serves
     * lists in pages when asked ({@link Pager}) and sends everything else to the store of its resource type.
     */
    private static final class Router extends Dispatcher {
        private final Map<ServerRequest, Queue<ServerResponse>> expectations;
        private final MockDispatcher fixed;
        private final Stores stores;
        private final Pager pager = new Pager();

        Router(Map<ServerRequest, Queue<ServerResponse>> expectations, Stores stores) {
            this.expectations = expectations;
            this.fixed = new MockDispatcher(expectations);
            this.stores = stores;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            Queue<ServerResponse> queued = expectations.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
            if (queued != null && !queued.isEmpty()) {
                return fixed.dispatch(request);
            }
            KubernetesCrudDispatcher store = stores.forPath(request.getPath());
            return Pager.pages(request) ? pager.page(request, store::dispatch) : store.dispatch(request);
        }
    }

    /**
     * API chunking as an API server does it ({@code limit} and {@code continue} on a list), which the mock store
     * ignores: the first request takes a snapshot of the whole list and answers its first page; each
     * {@code continue} token names the snapshot and the offset of the next page, and the last page ends the
     * snapshot. An unknown (expired) token is answered 410 Gone, as by an API server, and the client lists again.
     */
    static final class Pager {
        /** Abandoned snapshots beyond this many are forgotten, oldest first. */
        private static final int MAX_SNAPSHOTS = 64;
        private static final ObjectMapper JSON = new ObjectMapper();

        private record Snapshot(ObjectNode list, ArrayNode items) {
        }

        private final Map<String, Snapshot> snapshots = Collections.synchronizedMap(
                new LinkedHashMap<>(16, 0.75f, false) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Snapshot> eldest) {
                        return size() > MAX_SNAPSHOTS;
                    }
                });

        /** Whether {@code request} is a list asking for pages (not a watch, not a single object). */
        static boolean pages(RecordedRequest request) {
            Map<String, String> query = query(request.getPath());
            return "GET".equals(request.getMethod()) && query.containsKey("limit") && !query.containsKey("watch");
        }

        MockResponse page(RecordedRequest request, Function<RecordedRequest, MockResponse> lister) {
            String path = request.getPath();
            Map<String, String> query = query(path);
            int limit;
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                return status(400, "BadRequest", "limit must be a number, was " + query.get("limit"));
            }
            String token = query.get("continue");
            String id;
            int offset;
            Snapshot snapshot;
            if (token == null || token.isEmpty()) {
                MockResponse whole = lister.apply(new RecordedRequest(request.getHttpVersion(), request.method(),
                        withoutPaging(path), request.getHeaders(), request.getBody()));
                if (whole.code() != 200 || limit <= 0) {
                    return whole;
                }
                try {
                    ObjectNode list = (ObjectNode) JSON.readTree(whole.getBody().getBytes());
                    snapshot = new Snapshot(list, list.has("items") ? (ArrayNode) list.remove("items")
                            : JSON.createArrayNode());
                } catch (IOException | ClassCastException e) {
                    return whole; // not a list: the store's answer as it is
                }
                id = UUID.randomUUID().toString();
                offset = 0;
            } else {
                int slash = token.lastIndexOf('/');
                id = slash < 0 ? token : token.substring(0, slash);
                snapshot = snapshots.get(id);
                offset = slash < 0 ? -1 : parseOffset(token.substring(slash + 1));
                if (snapshot == null || offset < 0 || offset > snapshot.items().size()) {
                    return status(410, "Expired", "the continue token has expired; list again");
                }
            }
            int end = Math.min(snapshot.items().size(), offset + Math.max(1, limit));
            ObjectNode page = snapshot.list().deepCopy();
            ArrayNode items = page.putArray("items");
            for (int i = offset; i < end; i++) {
                items.add(snapshot.items().get(i));
            }
            ObjectNode metadata = page.has("metadata") ? (ObjectNode) page.get("metadata") : page.putObject("metadata");
            if (end < snapshot.items().size()) {
                snapshots.put(id, snapshot);
                metadata.put("continue", id + "/" + end);
                metadata.put("remainingItemCount", snapshot.items().size() - end);
            } else {
                snapshots.remove(id);
            }
            try {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(JSON.writeValueAsBytes(page));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The offset a continue token names; -1 when it names none. */
        private static int parseOffset(String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private static MockResponse status(int code, String reason, String message) {
            ObjectNode status = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Status")
                    .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
            return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                    .setBody(status.toString());
        }

        private static Map<String, String> query(String path) {
            Map<String, String> query = new HashMap<>();
            int question = path.indexOf('?');
            if (question < 0) {
                return query;
            }
            for (String pair : path.substring(question + 1).split("&")) {
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                query.put(name, value);
            }
            return query;
        }

        private static String withoutPaging(String path) {
            int question = path.indexOf('?');
            if (question < 0) {
                return path;
            }
            String kept = Arrays.stream(path.substring(question + 1).split("&"))
                    .filter(pair -> !pair.startsWith("limit=") && !pair.startsWith("continue="))
                    .collect(Collectors.joining("&"));
            return path.substring(0, question) + (kept.isEmpty() ? "" : "?" + kept);
        }
    }
}
