package dev.kubeproof.ingest.scans;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubeproof.runtime.ErrorTypes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes Trivy reports dropped into a directory. It reacts to file system notifications and rescans every poll
 * interval (notifications can be lost). A file is read once its size and modification time have not changed for a
 * poll interval; its
 * SHA-256 is remembered in the state file once Kafka has the scan (or its dead letter), so a restart publishes
 * only new or changed files, and a bad file is dead-lettered once.
 */
public final class ScanDirectoryWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScanDirectoryWatcher.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final DirectorySourceConfig config;
    private final ScanIngestor ingestor;
    private final Map<String, String> published;
    /** Each file's size and modification time, and since when they have not changed. */
    private final Map<String, Observation> lastSeen = new HashMap<>();
    /** The size and modification time of each file when it was last read, so that unchanged files are not re-read. */
    private final Map<String, String> readAt = new HashMap<>();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong filesDone = new AtomicLong();
    private volatile Thread thread;
    private volatile Throwable failure;
    private WatchService watcher;

    public ScanDirectoryWatcher(DirectorySourceConfig config, ScanIngestor ingestor) {
        this.config = Objects.requireNonNull(config, "config");
        this.ingestor = Objects.requireNonNull(ingestor, "ingestor");
        this.published = loadState(config.stateFile());
    }

    public ScanDirectoryWatcher start() {
        if (!Files.isDirectory(config.path())) {
            throw new IllegalArgumentException("directory.path " + config.path() + " is not a directory");
        }
        try {
            watcher = FileSystems.getDefault().newWatchService();
            config.path().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            LOG.warn("no file system notifications for {} ({}); polling only", config.path(), e.toString());
            watcher = null;
        }
        Thread worker = new Thread(this::run, "scan-directory");
        worker.setDaemon(true);
        thread = worker;
        worker.start();
        return this;
    }

    public boolean isAlive() {
        Thread worker = thread;
        return worker != null && worker.isAlive() && failure == null;
    }

    /** Files published or dead-lettered since start. */
    public long filesDone() {
        return filesDone.get();
    }

    @Override
    public void close() {
        stopSignal.countDown();
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.debug("closing the watch service: {}", e.toString());
            }
        }
        if (thread != null) {
            try {
                stopped.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            while (stopSignal.getCount() > 0) {
                waitForChange(scan());
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("scan directory watcher of {} stopped: {}", config.path(), e.toString(), e);
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Waits a poll interval, or for a notification. With notifications and every file read, a rescan is only a
     * safety net (a missed event): listing thousands of reports every second would cost a core's few percent.
     */
    private void waitForChange(boolean filesPending) throws InterruptedException {
        if (watcher == null) {
            stopSignal.await(config.pollIntervalMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        long wait = filesPending ? config.pollIntervalMillis() : Math.max(config.pollIntervalMillis(), IDLE_RESCAN_MILLIS);
        try {
            var key = watcher.poll(wait, TimeUnit.MILLISECONDS);
            if (key != null) {
                key.pollEvents();
                key.reset();
            }
        } catch (ClosedWatchServiceException e) {
            stopSignal.countDown();
        }
    }

    /** With file system notifications and nothing pending, how often the folder is listed anyway. */
    static final long IDLE_RESCAN_MILLIS = 30_000;

    /** Reads what is new and quiet; returns whether a file still waits (being written, or not yet quiet). */
    private boolean scan() throws IOException {
        Map<String, String> present = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.path(), "*.json")) {
            for (Path file : files) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    if (attributes.isRegularFile()) {
                        present.put(file.getFileName().toString(), attributes.size() + "@" + attributes.lastModifiedTime().toMillis());
                    }
                } catch (NoSuchFileException e) {
                    // removed while listing
                }
            }
        }
        boolean forgot = published.keySet().retainAll(present.keySet());
        lastSeen.keySet().retainAll(present.keySet());
        readAt.keySet().retainAll(present.keySet());
        long now = System.nanoTime();
        long settle = TimeUnit.MILLISECONDS.toNanos(config.pollIntervalMillis());
        List<Sending> sending = new ArrayList<>();
        boolean recorded = forgot;
        for (Map.Entry<String, String> entry : present.entrySet()) {
            if (stopSignal.getCount() == 0) {
                break;
            }
            String name = entry.getKey();
            String signature = entry.getValue();
            Observation previous = lastSeen.get(name);
            if (previous == null || !previous.signature().equals(signature)) {
                // new or still being written: wait until it has been quiet for a poll interval
                lastSeen.put(name, new Observation(signature, now));
            } else if (now - previous.since() >= settle && !signature.equals(readAt.get(name))) {
                Sending started = process(config.path().resolve(name), signature);
                if (started != null) {
                    sending.add(started);
                }
                if (sending.size() >= MAX_IN_FLIGHT) {
                    recorded |= record(sending);
                }
            }
        }
        recorded |= record(sending);
        if (recorded) {
            storeState();
        }
        if (publishedThisScan > 0) {
            // one line per scan of the directory: a directory of 10,000 reports is not 10,000 lines of console
            LOG.info("published {} scan report(s) from {}", publishedThisScan, config.path());
            publishedThisScan = 0;
        }
        // pending: a file new, still being written, not quiet yet, or not taken by Kafka (tried again next scan)
        return present.entrySet().stream().anyMatch(e -> !e.getValue().equals(readAt.get(e.getKey())));
    }

    /**
     * Files sent to Kafka at once before their outcome is awaited: a directory of thousands of reports is
     * published in batches (one state-file write per batch, not one per file), the reports held are bounded.
     */
    static final int MAX_IN_FLIGHT = 200;

    /** Reports published since the current scan of the directory began (the scan thread's alone). */
    private int publishedThisScan;

    private record Observation(String signature, long since) {
    }

    /** A report handed to Kafka, its outcome pending. */
    private record Sending(Path file, String signature, String hash, CompletableFuture<ScanIngestor.Outcome> outcome) {
    }

    /** Awaits what was sent; records what Kafka took (published or dead-lettered). Returns whether any was recorded. */
    private boolean record(List<Sending> sending) {
        boolean recorded = false;
        for (Sending sent : sending) {
            ScanIngestor.Outcome outcome;
            try {
                outcome = sent.outcome().join();
            } catch (RuntimeException e) {
                // Kafka did not take it: leave it unrecorded, the next scan tries again
                LOG.warn("scan report {} not stored in Kafka, will retry: {}", sent.file(), e.getCause() == null ? e : e.getCause());
                continue;
            }
            if (outcome.published()) {
                LOG.debug("published scan of {} from {}", outcome.key(), sent.file());
                publishedThisScan++;
            } else {
                LOG.warn("dead-lettered {}: {}: {}", sent.file(), outcome.errorType(), outcome.reason());
            }
            String name = sent.file().getFileName().toString();
            published.put(name, sent.hash());
            readAt.put(name, sent.signature());
            filesDone.incrementAndGet();
            recorded = true;
        }
        sending.clear();
        return recorded;
    }

    /** Reads a quiet file and hands it to Kafka; null when there is nothing to send (gone, or published as it is). */
    private Sending process(Path file, String signature) throws IOException {
        String name = file.getFileName().toString();
        byte[] bytes;
        try {
            bytes = readAtMost(file, ingestor.maxReportBytes() + 1);
        } catch (NoSuchFileException e) {
            return null;
        }
        String hash = sha256(bytes);
        if (hash.equals(published.get(name))) {
            readAt.put(name, signature);
            return null;
        }
        ScanIngestor.Source source = ScanIngestor.Source.file(file.toString());
        CompletableFuture<ScanIngestor.Outcome> outcome;
        try {
            outcome = bytes.length > ingestor.maxReportBytes()
                    ? ingestor.reject(source, ErrorTypes.OVERSIZED, "report file " + name + " of " + Files.size(file)
                    + " bytes is larger than maxReportBytes=" + ingestor.maxReportBytes(), bytes)
                    : ingestor.ingest(bytes, source);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        return new Sending(file, signature, hash, outcome);
    }

    private static byte[] readAtMost(Path file, int limit) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(limit, channel.size()));
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // fill
            }
            return buffer.position() == buffer.capacity() ? buffer.array() : java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }
    }

    private void storeState() throws IOException {
        Path file = config.stateFile().toAbsolutePath();
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(MAPPER.writeValueAsBytes(new TreeMap<>(published))));
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Map<String, String> loadState(Path file) {
        try {
            return new HashMap<>(MAPPER.readValue(Files.readAllBytes(file), new TypeReference<Map<String, String>>() { }));
        } catch (NoSuchFileException e) {
            return new HashMap<>();
        } catch (IOException e) {
            throw new IllegalArgumentException("directory.stateFile " + file + " cannot be read (" + e.getMessage()
                    + "); fix or delete it (deleting it publishes every report again)", e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
