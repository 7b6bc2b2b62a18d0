package dev.kubeproof.demo.synthetic;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.demo.SampleApiServer;

/**
 * A generated cluster of any size, for scale tests and {@code kubeproof bench}: namespaces with Deployments, their
 * ReplicaSets and Pods, Services, ServiceAccounts, RBAC and NetworkPolicies, Nodes, a pool of images with Trivy
 * reports, and the audit events of the workloads' creation plus one exec per namespace.
 *
 * <p>Everything is a pure function of the {@link SyntheticClusterShape}: uids, names, timestamps and
 * resourceVersions are derived from indexes, so two runs give the same evidence and a test knows the answer
 * ({@link #expectedFailures(String)}). Objects are made one at a time as they are iterated, so a 100,000-pod cluster
 * never exists as trees in memory at once (the API server that serves them keeps them as JSON).
 *
 * <p>Workloads come in three kinds, by Deployment index: every tenth is <em>risky</em> (a privileged container
 * running as root), four in ten are <em>typical</em> (no security context), the rest <em>hardened</em> (passes
 * the pod-security controls). One namespace in five has no default-deny NetworkPolicy.
 */
public final class SyntheticCluster {
    /** The cluster-scoped ClusterRoles every synthetic cluster has (read by RBAC controls in every partition). */
    static final int CLUSTER_ROLES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2026-01-05T08:00:00Z");

    private final SyntheticClusterShape shape;

    private SyntheticCluster(SyntheticClusterShape shape) {
        this.shape = shape;
    }

    public static SyntheticCluster of(SyntheticClusterShape shape) {
        return new SyntheticCluster(shape);
    }

    public SyntheticClusterShape shape() {
        return shape;
    }

    /** Starts a mock Kubernetes API serving the cluster (see {@link SampleApiServer}); the caller closes it. */
    public SampleApiServer startApiServer() {
        return SampleApiServer.start(this::objects);
    }

    /** How many objects {@link #objects()} yields. */
    public int objectCount() {
        int deployments = shape.deployments();
        int namespaces = shape.namespaces();
        return nodes() + 2 * CLUSTER_ROLES + namespaces * 4 + namespaces - defaultDenyGaps()
                + deployments * 3 + shape.pods();
    }

    /**
     * The resources a pod-security control should find failing with the default control settings, by control id,
     * for the controls the generator decides: {@code KP-POD-001} (privileged) fails on every risky Deployment; their
     * ReplicaSets and Pods are judged on their owner ({@code judgeOwnedWorkloads: false}).
     */
    public long expectedFailures(String controlId) {
        if (!controlId.equals("KP-POD-001")) {
            throw new IllegalArgumentException("the synthetic cluster states the answer for KP-POD-001 only, not "
                    + controlId);
        }
        long failing = 0;
        for (int d = 0; d < shape.deployments(); d++) {
            if (kindOf(d) == WorkloadKind.RISKY) {
                failing++;
            }
        }
        return failing;
    }

    /** The objects, generated as they are iterated, in an order an API server could have created them. */
    public Iterator<ObjectNode> objects() {
        return new Iterator<>() {
            private final Generator generator = new Generator();
            private final List<ObjectNode> batch = new ArrayList<>();
            private int next = -1; // the next namespace to generate; -1: the cluster-scoped objects first
            private int position;

            @Override
            public boolean hasNext() {
                while (position >= batch.size() && next < shape.namespaces()) {
                    batch.clear();
                    position = 0;
                    if (next < 0) {
                        generator.clusterScoped(batch);
                    } else {
                        generator.namespace(next, batch);
                    }
                    next++;
                }
                return position < batch.size();
            }

            @Override
            public ObjectNode next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch.get(position++);
            }
        };
    }

    /** Writes one Trivy JSON report per image of the pool into {@code directory}; returns the files. */
    public List<Path> writeTrivyReports(Path directory) {
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            for (int i = 0; i < shape.images(); i++) {
                Path file = directory.resolve("image-" + i + ".json");
                Files.writeString(file, trivyReport(i), StandardCharsets.UTF_8);
                files.add(file);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Trivy reports to " + directory, e);
        }
    }

    /**
     * Writes the audit log (JSON lines, as {@code --audit-log-path} does): the creation of every Deployment by the
     * team's CI identity, and one exec into a pod of each namespace by a person.
     */
    public Path writeAuditLog(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (int n = 0; n < shape.namespaces(); n++) {
                    for (int d : deploymentsOf(n)) {
                        out.write(createAudit(n, d));
                        out.newLine();
                    }
                    out.write(execAudit(n));
                    out.newLine();
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the audit log " + file, e);
        }
    }

    /**
     * Up to {@code max} hardened Deployments (they pass KP-POD-001), in generation order: what a steady-state
     * benchmark changes to privileged, one change each (their ReplicaSets and Pods are judged on them).
     */
    public List<ObjectNode> hardenedDeployments(int max) {
        List<ObjectNode> deployments = new ArrayList<>();
        Iterator<ObjectNode> objects = objects();
        while (objects.hasNext() && deployments.size() < max) {
            ObjectNode object = objects.next();
            if (object.path("kind").asText().equals("Deployment")
                    && kindOf(deploymentIndex(object)) == WorkloadKind.HARDENED) {
                deployments.add(object);
            }
        }
        return deployments;
    }

    /**
     * The audit event (Metadata level, as most audit policies log workloads) of an update of a Deployment by a
     * person.
     */
    public static String updateAudit(ObjectNode deployment, String user, Instant at) {
        String namespace = deployment.at("/metadata/namespace").asText();
        String name = deployment.at("/metadata/name").asText();
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\""
                + UUID.randomUUID() + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/apis/apps/v1/namespaces/"
                + namespace + "/deployments/" + name + "\",\"verb\":\"update\",\"user\":{\"username\":\"" + user
                + "\",\"groups\":[\"system:authenticated\"]},\"sourceIPs\":[\"10.0.0.9\"],\"userAgent\":"
                + "\"kubectl/v1.32.4\",\"objectRef\":{\"resource\":\"deployments\",\"namespace\":\"" + namespace
                + "\",\"name\":\"" + name + "\",\"apiGroup\":\"apps\",\"apiVersion\":\"v1\"},\"responseStatus\":"
                + "{\"metadata\":{},\"code\":200},\"requestReceivedTimestamp\":\"" + at + "\",\"stageTimestamp\":\""
                + at + "\"}";
    }

    /** The Deployment index of a generated workload, from its {@code app} label ({@code svc-<index>}). */
    private static int deploymentIndex(ObjectNode object) {
        return Integer.parseInt(object.at("/metadata/labels/app").asText().substring("svc-".length()));
    }

    /** How many audit events {@link #writeAuditLog(Path)} writes. */
    public int auditEventCount() {
        return shape.deployments() + shape.namespaces();
    }

    // ------------------------------------------------------------------ shape

    enum WorkloadKind { RISKY, TYPICAL, HARDENED }

    static WorkloadKind kindOf(int deployment) {
        int tenth = deployment % 10;
        return tenth == 0 ? WorkloadKind.RISKY : tenth <= 4 ? WorkloadKind.TYPICAL : WorkloadKind.HARDENED;
    }

    /** Pods are spread evenly over Deployments; the first ones take one more when they do not divide. */
    int replicas(int deployment) {
        int base = shape.pods() / shape.deployments();
        return base + (deployment < shape.pods() % shape.deployments() ? 1 : 0);
    }

    /** The Deployments of namespace n: consecutive indexes, spread evenly over namespaces. */
    int[] deploymentsOf(int namespace) {
        int from = (int) ((long) namespace * shape.deployments() / shape.namespaces());
        int to = (int) ((long) (namespace + 1) * shape.deployments() / shape.namespaces());
        int[] indexes = new int[to - from];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = from + i;
        }
        return indexes;
    }

    private int nodes() {
        return Math.max(1, shape.pods() / 100);
    }

    private int defaultDenyGaps() {
        return (shape.namespaces() + 4) / 5;
    }

    private static boolean hasDefaultDeny(int namespace) {
        return namespace % 5 != 0;
    }

    static String namespaceName(int n) {
        return String.format("team-%04d", n);
    }

    private int imageOf(int deployment) {
        return Math.floorMod(deployment * 7919, shape.images());
    }

    static String image(int i) {
        return "registry.example.com/team-" + (i % 50) + "/svc-" + i + ":1." + (i % 7) + ".0";
    }

    private static String uid(String what) {
        return UUID.nameUUIDFromBytes(("kubeproof-synthetic/" + what).getBytes(StandardCharsets.UTF_8)).toString();
    }

    // ------------------------------------------------------------------ objects

    /** Builds the objects of one iteration, numbering their resourceVersions in creation order. */
    private final class Generator {
        private long resourceVersion = 1000;

        private ObjectNode object(String apiVersion, String kind, String namespace, String name, int secondsAfter,
                                  String body) {
            String metadata = "{\"name\":\"" + name + "\""
                    + (namespace == null ? "" : ",\"namespace\":\"" + namespace + "\"")
                    + ",\"uid\":\"" + uid(kind + "/" + namespace + "/" + name) + "\",\"resourceVersion\":\""
                    + ++resourceVersion + "\",\"creationTimestamp\":\"" + CREATED.plusSeconds(secondsAfter) + "\"}";
            return tree("{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind + "\",\"metadata\":" + metadata
                    + body + "}");
        }

        private void clusterScoped(List<ObjectNode> out) {
                for (int i = 0; i < nodes(); i++) {
                out.add(object("v1", "Node", null, "node-" + i, 0, ",\"status\":{\"nodeInfo\":{\"kubeletVersion\":\"v1.32.4\","
                        + "\"containerRuntimeVersion\":\"containerd://1.7.22\",\"osImage\":\"Ubuntu 24.04.1 LTS\"}}"));
            }
            for (int i = 0; i < CLUSTER_ROLES; i++) {
                boolean wildcard = i == 0;
                out.add(object("rbac.authorization.k8s.io/v1", "ClusterRole", null, "synthetic-role-" + i, 1,
                        ",\"rules\":[{\"apiGroups\":[\"" + (wildcard ? "*" : "apps") + "\"],\"resources\":[\""
                                + (wildcard ? "*" : "deployments") + "\"],\"verbs\":[\"get\",\"list\",\"watch\"]}]"));
                out.add(object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, "synthetic-binding-" + i, 1,
                        ",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":"
                                + "\"synthetic-role-" + i + "\"},\"subjects\":[{\"kind\":\"Group\",\"apiGroup\":"
                                + "\"rbac.authorization.k8s.io\",\"name\":\"team-" + i + "\"}]"));
            }
        }

        private void namespace(int n, List<ObjectNode> out) {
            String ns = namespaceName(n);
            int t = 10 + n;
            out.add(object("v1", "Namespace", null, ns, t, ""));
            ObjectNode namespace = out.get(out.size() - 1);
            ObjectNode labels = ((ObjectNode) namespace.get("metadata")).putObject("labels");
            labels.put("kubernetes.io/metadata.name", ns).put("owner", "team-" + n);
            if (n % 2 == 0) {
                labels.put("pod-security.kubernetes.io/enforce", "baseline");
            }
            out.add(object("v1", "ServiceAccount", ns, "app", t, ",\"automountServiceAccountToken\":false"));
            out.add(object("rbac.authorization.k8s.io/v1", "Role", ns, "deployer", t,
                    ",\"rules\":[{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\"],\"verbs\":[\"get\",\"list\","
                            + "\"create\",\"update\",\"patch\"]}]"));
            out.add(object("rbac.authorization.k8s.io/v1", "RoleBinding", ns, "deployer", t,
                    ",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"deployer\"},"
                            + "\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"ci\",\"namespace\":\"" + ns + "\"}]"));
            if (hasDefaultDeny(n)) {
                out.add(object("networking.k8s.io/v1", "NetworkPolicy", ns, "default-deny", t,
                        ",\"spec\":{\"podSelector\":{},\"policyTypes\":[\"Ingress\",\"Egress\"]}"));
            }
            for (int d : deploymentsOf(n)) {
                deployment(n, d, t, out);
            }
        }

        private void deployment(int n, int d, int t, List<ObjectNode> out) {
            String ns = namespaceName(n);
            String app = "svc-" + d;
            String podSpec = podSpec(d);
            String labels = "{\"app\":\"" + app + "\",\"owner\":\"team-" + n + "\"}";
            ObjectNode deployment = object("apps/v1", "Deployment", ns, app, t,
                    ",\"spec\":{\"replicas\":" + replicas(d) + ",\"selector\":{\"matchLabels\":{\"app\":\"" + app + "\"}},"
                            + "\"template\":{\"metadata\":{\"labels\":" + labels + "},\"spec\":" + podSpec + "}}");
            ((ObjectNode) deployment.get("metadata")).set("labels", tree(labels));
            out.add(deployment);
            String replicaSetName = app + "-" + Integer.toHexString(0x5000000 + d);
            ObjectNode replicaSet = object("apps/v1", "ReplicaSet", ns, replicaSetName, t + 1,
                    ",\"spec\":{\"replicas\":" + replicas(d) + ",\"selector\":{\"matchLabels\":{\"app\":\"" + app + "\"}},"
                            + "\"template\":{\"metadata\":{\"labels\":" + labels + "},\"spec\":" + podSpec + "}}");
            owned(replicaSet, labels, "apps/v1", "Deployment", app, deployment);
            out.add(replicaSet);
            for (int p = 0; p < replicas(d); p++) {
                ObjectNode pod = object("v1", "Pod", ns, replicaSetName + "-" + p, t + 2, ",\"spec\":" + podSpec
                        + ",\"status\":{\"phase\":\"Running\"}");
                ((ObjectNode) pod.get("spec")).put("nodeName", "node-" + Math.floorMod(d * 31 + p, nodes()));
                owned(pod, labels, "apps/v1", "ReplicaSet", replicaSetName, replicaSet);
                out.add(pod);
            }
            out.add(object("v1", "Service", ns, app, t, ",\"spec\":{\"type\":\"ClusterIP\",\"selector\":{\"app\":\""
                    + app + "\"},\"ports\":[{\"port\":80,\"targetPort\":8080}]}"));
        }
    }

    private static void owned(ObjectNode object, String labels, String apiVersion, String kind, String name,
                              ObjectNode owner) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        metadata.set("labels", tree(labels));
        metadata.putArray("ownerReferences").addObject().put("apiVersion", apiVersion).put("kind", kind)
                .put("name", name).put("uid", owner.at("/metadata/uid").asText()).put("controller", true)
                .put("blockOwnerDeletion", true);
    }

    private String podSpec(int d) {
        String image = image(imageOf(d));
        String resources = "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},"
                + "\"limits\":{\"cpu\":\"500m\",\"memory\":\"256Mi\"}}";
        return switch (kindOf(d)) {
            case RISKY -> "{\"serviceAccountName\":\"app\",\"containers\":[{\"name\":\"app\",\"image\":\"" + image
                    + "\",\"securityContext\":{\"privileged\":true,\"runAsUser\":0}}]}";
            case TYPICAL -> "{\"serviceAccountName\":\"app\",\"containers\":[{\"name\":\"app\",\"image\":\"" + image
                    + "\"," + resources + "}]}";
            case HARDENED -> "{\"serviceAccountName\":\"app\",\"automountServiceAccountToken\":false,"
                    + "\"securityContext\":{\"runAsNonRoot\":true,\"runAsUser\":10001,\"seccompProfile\":"
                    + "{\"type\":\"RuntimeDefault\"}},\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\","
                    + resources + ",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
                    + "\"readOnlyRootFilesystem\":true,\"capabilities\":{\"drop\":[\"ALL\"]}}}]}";
        };
    }

    private static ObjectNode tree(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("generated object is not JSON: " + json, e);
        }
    }

    // ------------------------------------------------------------------ scans and audit events

    private static String trivyReport(int i) {
        String image = image(i);
        String repository = image.substring(0, image.lastIndexOf(':'));
        String digest = "sha256:" + String.format("%064x", new java.math.BigInteger(1,
                uid("image/" + i).replace("-", "").getBytes(StandardCharsets.US_ASCII)).mod(
                java.math.BigInteger.TWO.pow(256)));
        String severity = i % 20 == 0 ? "CRITICAL" : i % 5 == 0 ? "HIGH" : "MEDIUM";
        return "{\"SchemaVersion\":2,\"CreatedAt\":\"" + CREATED.plusSeconds(3600 + i) + "\",\"ArtifactName\":\""
                + image + "\",\"ArtifactType\":\"container_image\",\"Metadata\":{\"OS\":{\"Family\":\"debian\","
                + "\"Name\":\"12.7\"},\"RepoTags\":[\"" + image + "\"],\"RepoDigests\":[\"" + repository + "@" + digest
                + "\"]},\"Results\":[{\"Target\":\"" + image + " (debian 12.7)\",\"Class\":\"os-pkgs\",\"Type\":"
                + "\"debian\",\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-2024-" + (10000 + i % 997)
                + "\",\"PkgName\":\"libexample\",\"InstalledVersion\":\"1.0." + (i % 9) + "\",\"FixedVersion\":\"1.1.0\","
                + "\"Status\":\"fixed\",\"Severity\":\"" + severity + "\",\"Title\":\"synthetic vulnerability\"}]}]}";
    }

    private String createAudit(int n, int d) {
        String ns = namespaceName(n);
        String app = "svc-" + d;
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\""
                + uid("audit/create/" + d) + "\",\"stage\":\"ResponseComplete\",\"requestURI\":"
                + "\"/apis/apps/v1/namespaces/" + ns + "/deployments\",\"verb\":\"create\",\"user\":{\"username\":"
                + "\"system:serviceaccount:" + ns + ":ci\",\"groups\":[\"system:serviceaccounts\",\"system:authenticated\"]},"
                + "\"sourceIPs\":[\"10.0.0.20\"],\"userAgent\":\"argocd-application-controller/v2.13.1\",\"objectRef\":"
                + "{\"resource\":\"deployments\",\"namespace\":\"" + ns + "\",\"name\":\"" + app + "\",\"apiGroup\":"
                + "\"apps\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":201},"
                + "\"requestReceivedTimestamp\":\"" + CREATED.plusSeconds(10 + n) + "\",\"stageTimestamp\":\""
                + CREATED.plusSeconds(10 + n) + "\"}";
    }

    private String execAudit(int n) {
        String ns = namespaceName(n);
        int d = deploymentsOf(n).length == 0 ? 0 : deploymentsOf(n)[0];
        String pod = "svc-" + d + "-" + Integer.toHexString(0x5000000 + d) + "-0";
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Request\",\"auditID\":\""
                + uid("audit/exec/" + n) + "\",\"stage\":\"ResponseStarted\",\"requestURI\":\"/api/v1/namespaces/"
                + ns + "/pods/" + pod + "/exec?command=sh&container=app\",\"verb\":\"create\",\"user\":"
                + "{\"username\":\"oncall-" + (n % 7) + "@example.com\",\"groups\":[\"system:authenticated\"]},"
                + "\"sourceIPs\":[\"10.0.0.8\"],\"userAgent\":\"kubectl/v1.32.4\",\"objectRef\":{\"resource\":\"pods\","
                + "\"namespace\":\"" + ns + "\",\"name\":\"" + pod + "\",\"subresource\":\"exec\",\"apiVersion\":"
                + "\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":101},\"requestReceivedTimestamp\":\""
                + CREATED.plusSeconds(7200 + n) + "\",\"stageTimestamp\":\"" + CREATED.plusSeconds(7200 + n) + "\"}";
    }
}
