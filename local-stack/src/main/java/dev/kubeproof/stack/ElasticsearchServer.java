package dev.kubeproof.stack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-node Elasticsearch from the {@code integ-test-zip} distribution, run with a discovered JDK 21+, as an
 * unprivileged user when this JVM is root. With security on, a file-realm superuser is created with
 * {@code bin/elasticsearch-users}; its password is random per stack home and kept in a 0600 file, never logged.
 */
final class ElasticsearchServer extends LocalServer {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchServer.class);
    static final String SUPERUSER = "kubeproof-admin";
    private static final int MINIMUM_JDK = 21;

    /**
     * In a base moved to the temporary directory: the stack home it serves. A base whose home is gone (a test's
     * temporary home, deleted after the test) is garbage: the next start removes it, else every such run would
     * leave its data behind (1 GB after a 20,000-pod run).
     */
    static final String HOME_MARKER = "kubeproof-stack-home";
    private static final String RELOCATED_PREFIX = "kubeproof-es-";

    private final boolean asOtherUser = UnprivilegedUser.runningAsRoot();
    private final Path preferred;
    private final Path base;
    private JavaRuntimes.Jdk jdk;
    private String user;

    ElasticsearchServer(StackConfig config, Distribution distribution) {
        super(config, distribution);
        this.preferred = config.serverHome(ServerKind.ELASTICSEARCH);
        // The unprivileged user must be able to reach its files; a home below e.g. /root (0700) cannot be.
        this.base = asOtherUser && !UnprivilegedUser.othersCanTraverse(preferred.getParent())
                ? Path.of(System.getProperty("java.io.tmpdir"), RELOCATED_PREFIX + Integer.toHexString(preferred.hashCode()))
                : preferred;
    }

    @Override
    ServerKind kind() {
        return ServerKind.ELASTICSEARCH;
    }

    @Override
    Map<Integer, String> ports() {
        return Map.of(config.elasticsearchPort(), "Elasticsearch HTTP", config.elasticsearchTransportPort(),
                "Elasticsearch transport");
    }

    private Path install() {
        return base.resolve("elasticsearch-" + distribution.elasticsearchVersion());
    }

    @Override
    Path workDir() {
        return install();
    }

    @Override
    void prepare() throws IOException {
        jdk = JavaRuntimes.findAtLeast(MINIMUM_JDK);
        Files.createDirectories(base);
        if (!base.equals(preferred)) {
            Files.writeString(base.resolve(HOME_MARKER), preferred.toString(), StandardCharsets.UTF_8);
            removeOrphanedBases(base.getParent(), base);
        }
        if (!Files.isRegularFile(install().resolve("bin/elasticsearch"))) {
            unzip(distribution.elasticsearchZip(), base);
        }
        dataFolder(base.resolve("data"));
        Files.createDirectories(base.resolve("logs"));
        Files.createDirectories(base.resolve("tmp"));
        Files.writeString(install().resolve("config/elasticsearch.yml"), """
                # written by kubeproof local-stack
                cluster.name: kubeproof-local
                node.name: kubeproof-local-1
                discovery.type: single-node
                network.host: 127.0.0.1
                http.port: %d
                transport.port: %d
                path.data: %s
                path.logs: %s
                xpack.security.enabled: %s
                xpack.security.http.ssl.enabled: false
                xpack.security.transport.ssl.enabled: false
                xpack.security.enrollment.enabled: false
                # test machines often have little free disk; a full disk watermark must not block writes
                cluster.routing.allocation.disk.threshold_enabled: false
                action.destructive_requires_name: false
                """.formatted(config.elasticsearchPort(), config.elasticsearchTransportPort(), base.resolve("data"),
                base.resolve("logs"), config.elasticsearchSecurity()), StandardCharsets.UTF_8);
        Files.writeString(install().resolve("config/jvm.options.d/kubeproof-heap.options"), "-Xms512m\n-Xmx512m\n",
                StandardCharsets.UTF_8);
        if (asOtherUser) {
            user = UnprivilegedUser.ensureExists();
            UnprivilegedUser.chownRecursively(base, user);
        }
        if (config.elasticsearchSecurity()) {
            boolean knownPassword = Files.isRegularFile(credentialsFile());
            StackEndpoints.Credentials credentials = credentials();
            Path usersFile = install().resolve("config/users");
            boolean userExists = Files.isRegularFile(usersFile)
                    && Files.readAllLines(usersFile).stream().anyMatch(line -> line.startsWith(credentials.username() + ":"));
            // Each elasticsearch-users call is a JVM start: skip it when the user already has this home's password.
            if (userExists && !knownPassword) {
                runTool(List.of(install().resolve("bin/elasticsearch-users").toString(), "userdel", credentials.username()), true);
            }
            if (!userExists || !knownPassword) {
                runTool(List.of(install().resolve("bin/elasticsearch-users").toString(), "useradd", credentials.username(),
                        "-p", credentials.password(), "-r", "superuser"), false);
            }
        }
    }

    /**
     * Deletes the bases in {@code directory} (other than {@code keep}) whose {@link #HOME_MARKER} names a stack home
     * that no longer exists. A base without the marker is left alone: nothing says whose it is.
     *
     * @return the bases deleted
     */
    static List<Path> removeOrphanedBases(Path directory, Path keep) {
        List<Path> removed = new ArrayList<>();
        try (var candidates = Files.newDirectoryStream(directory, RELOCATED_PREFIX + "*")) {
            for (Path candidate : candidates) {
                Path marker = candidate.resolve(HOME_MARKER);
                if (candidate.equals(keep) || !Files.isRegularFile(marker)) {
                    continue;
                }
                String home = Files.readString(marker, StandardCharsets.UTF_8).trim();
                if (!home.isEmpty() && !Files.exists(Path.of(home))) {
                    deleteRecursively(candidate);
                    removed.add(candidate);
                    LOG.info("removed {}: the Elasticsearch data of stack home {}, which no longer exists", candidate, home);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not look for orphaned Elasticsearch data in {}: {}", directory, e.toString());
        }
        return removed;
    }

    /** The superuser of this stack home; its password is created once and kept readable by the owner only. */
    private Path credentialsFile() {
        return config.serverHome(ServerKind.ELASTICSEARCH).resolve("credentials.properties");
    }

    StackEndpoints.Credentials credentials() throws IOException {
        Path file = credentialsFile();
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            }
        } else {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            properties.setProperty("username", SUPERUSER);
            properties.setProperty("password", HexFormat.of().formatHex(random));
            Files.createDirectories(file.getParent());
            Files.writeString(file, "username=" + SUPERUSER + "\npassword=" + properties.getProperty("password") + "\n",
                    StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return new StackEndpoints.Credentials(properties.getProperty("username"), properties.getProperty("password"));
    }

    private void runTool(List<String> command, boolean mayFail) throws IOException {
        List<String> full = asOtherUser ? UnprivilegedUser.asUser(user, command) : command;
        ProcessBuilder builder = new ProcessBuilder(full).directory(install().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        builder.environment().putAll(environment());
        try {
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new StackException(command.get(0) + " timed out; see " + logFile());
            }
            if (process.exitValue() != 0 && !mayFail) {
                // the command line holds a password: name the tool and its action only
                throw new StackException(Path.of(command.get(0)).getFileName() + " " + command.get(1) + " failed (exit "
                        + process.exitValue() + "); see " + logFile() + ":\n" + tail(logFile(), 20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while running " + command.get(0));
        }
    }

    private static void unzip(Path zip, Path target) throws IOException {
        Path partial = Files.createTempDirectory(target, ".unzip");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                Path out = partial.resolve(entry.getName()).normalize();
                if (!out.startsWith(partial)) {
                    throw new IOException("zip entry outside the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    if (out.getParent().getFileName().toString().equals("bin")) {
                        out.toFile().setExecutable(true, false);
                    }
                }
            }
        }
        try (var children = Files.list(partial)) {
            for (Path child : children.toList()) {
                Files.move(child, target.resolve(child.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.delete(partial);
    }

    @Override
    List<String> command() {
        List<String> command = new ArrayList<>(List.of(install().resolve("bin/elasticsearch").toString()));
        return asOtherUser ? UnprivilegedUser.asUser(user, command) : command;
    }

    @Override
    Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("ES_JAVA_HOME", jdk.home().toString());
        environment.put("ES_TMPDIR", base.resolve("tmp").toString());
        environment.put("HOME", base.toString());
        return environment;
    }

    @Override
    boolean isHealthy() {
        Optional<StackEndpoints.Credentials> credentials = Optional.empty();
        if (config.elasticsearchSecurity()) {
            try {
                credentials = Optional.of(credentials());
            } catch (IOException e) {
                return false;
            }
        }
        return httpStatus(url() + "/_cluster/health?wait_for_status=yellow&timeout=1s", credentials) == 200;
    }

    private String url() {
        return "http://127.0.0.1:" + config.elasticsearchPort();
    }

    @Override
    StackEndpoints endpoints() {
        try {
            return new StackEndpoints(null, null, url(),
                    config.elasticsearchSecurity() ? Optional.of(credentials()) : Optional.empty());
        } catch (IOException e) {
            throw new StackException("cannot read the Elasticsearch credentials: " + e.getMessage(), e);
        }
    }
}
