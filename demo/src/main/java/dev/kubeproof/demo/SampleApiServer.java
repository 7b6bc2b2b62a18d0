package dev.kubeproof.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
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
 * on plain HTTP on a free loopback port. It lists, watches, creates, updates, patches and deletes like an API
 * server, so the resource collector's informers and leader election (a Lease) run against it unchanged.
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
        SeededStore store = new SeededStore();
        long highestResourceVersion = 0;
        int count = 0;
        for (ObjectNode object : objects) {
            highestResourceVersion = Math.max(highestResourceVersion, store.seed(object));
            count++;
        }
        store.advanceResourceVersionTo(highestResourceVersion);
        VersionInfo version = new VersionInfo.Builder().withMajor("1").withMinor("32").withGitVersion(KUBERNETES_VERSION)
                .withGitTreeState("clean").withPlatform("linux/amd64").build();
        KubernetesMockServer server = new KubernetesMockServer(new Context(),
                new MockWebServer(), expectations, new Router(expectations, store), false, version);
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

    /** The CRUD store, loaded directly with objects as they are (uid, timestamps and resourceVersion kept). */
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
     * Answers the few fixed expectations the mock server registers itself ({@code /} and {@code /version}) and
     * sends everything else to the store.
     */
    private static final class Router extends Dispatcher {
        private final Map<ServerRequest, Queue<ServerResponse>> expectations;
        private final MockDispatcher fixed;
        private final KubernetesCrudDispatcher store;

        Router(Map<ServerRequest, Queue<ServerResponse>> expectations, KubernetesCrudDispatcher store) {
            this.expectations = expectations;
            this.fixed = new MockDispatcher(expectations);
            this.store = store;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            Queue<ServerResponse> queued = expectations.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
            return queued != null && !queued.isEmpty() ? fixed.dispatch(request) : store.dispatch(request);
        }
    }
}
