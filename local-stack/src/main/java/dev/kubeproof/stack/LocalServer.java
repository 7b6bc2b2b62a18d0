package dev.kubeproof.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One server of the stack: prepare its files, start its process, wait until healthy, stop it. */
abstract class LocalServer {
    private static final Logger LOG = LoggerFactory.getLogger(LocalServer.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    protected final StackConfig config;
    protected final Distribution distribution;
    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ManagedProcess process;
    private long logOffsetAtStart;

    LocalServer(StackConfig config, Distribution distribution) {
        this.config = config;
        this.distribution = distribution;
    }

    abstract ServerKind kind();

    /** The ports this server binds, with what each is for (checked free before start). */
    abstract Map<Integer, String> ports();

    /** Deletes a folder and everything in it (fresh data for tests). */
    static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** A data folder of this server, ready: emptied first when the stack wants fresh data (tests), created if missing. */
    Path dataFolder(Path folder) throws IOException {
        if (config.freshData()) {
            deleteRecursively(folder);
        }
        return Files.createDirectories(folder);
    }

    /** Writes configuration, formats storage, and so on; idempotent. */
    abstract void prepare() throws IOException;

    abstract List<String> command();

    Map<String, String> environment() {
        return Map.of();
    }

    Path workDir() {
        return home();
    }

    /** One cheap health probe; true once the server serves requests. */
    abstract boolean isHealthy();

    /** Runs once the server is healthy (e.g. server-wide settings through its API). */
    void afterStart() {
    }

    abstract StackEndpoints endpoints();

    Path home() {
        return config.serverHome(kind());
    }

    Path logFile() {
        return home().resolve("logs").resolve(kind().id() + ".out");
    }

    final void start() {
        distribution.requireArtifacts(kind());
        // A process an earlier, interrupted run left behind would hold our ports and files.
        if (ManagedProcess.stopRecorded(config.pidFile(kind()), STOP_GRACE)) {
            LOG.info("stopped a {} left running by an earlier run", kind().id());
        }
        ports().forEach(Ports::requireFree);
        try {
            Files.createDirectories(logFile().getParent());
            prepare();
            logOffsetAtStart = Files.exists(logFile()) ? Files.size(logFile()) : 0;
        } catch (IOException e) {
            throw new StackException("cannot prepare " + kind().id() + " in " + home() + ": " + e.getMessage(), e);
        }
        process = ManagedProcess.start(kind().id(), command(), workDir(), environment(), logFile(),
                config.pidFile(kind()));
        LOG.info("started {} (pid {}), log {}", kind().id(), process.pid(), logFile());
    }

    final void awaitHealthy(Instant deadline) {
        while (true) {
            if (!process.isAlive()) {
                throw new StackException(kind().id() + " exited with code " + process.exitCode().orElse(-1)
                        + " before it was healthy; last lines of " + logFile() + ":\n" + tail(logFile(), 40));
            }
            if (isHealthy()) {
                afterStart();
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new StackException(kind().id() + " was not healthy within " + config.startTimeout().toSeconds()
                        + " s; last lines of " + logFile() + ":\n" + tail(logFile(), 40));
            }
            try {
                Thread.sleep(250); // polling a starting server process: there is no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + kind().id());
            }
        }
    }

    final boolean isRunning() {
        return process != null && process.isAlive();
    }

    final void stop() {
        if (process != null) {
            process.stop(STOP_GRACE);
            LOG.info("stopped {}", kind().id());
        }
    }

    /** What the process wrote to its log since this start (the log file is appended across runs). */
    protected String logSinceStart() {
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(logFile().toFile(), "r")) {
            long length = file.length();
            if (length <= logOffsetAtStart) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(length - logOffsetAtStart, 16 * 1024 * 1024)];
            file.seek(logOffsetAtStart);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** GET that answers the status code, or -1 when nothing answers. */
    protected int httpStatus(String url, Optional<StackEndpoints.Credentials> credentials) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET();
        credentials.ifPresent(c -> request.header("Authorization", basicAuth(c)));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String basicAuth(StackEndpoints.Credentials credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size())));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
