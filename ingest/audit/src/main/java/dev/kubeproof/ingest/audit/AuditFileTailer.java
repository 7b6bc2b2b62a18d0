package dev.kubeproof.ingest.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.kubeproof.contract.retry.Backoff;
import dev.kubeproof.contract.retry.RetryPolicy;
import dev.kubeproof.runtime.ErrorTypes;
import dev.kubeproof.runtime.IngestMetrics;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails one audit log file (JSON lines) into Kafka, at least once and, for a stop and restart, exactly once:
 * lines are sent in batches, and the position after a batch is stored only when Kafka has acknowledged every
 * line of it (events and dead letters). After a restart it resumes from that position, also when the file was
 * rotated meanwhile (the rotated file, found by file key and fingerprint, is finished first). Rotation by rename
 * is followed; a truncated file (copytruncate) is read again from its start. An incomplete last line is left
 * until its newline arrives; blank lines are skipped.
 *
 * <p>A kill (not a stop) between Kafka's acknowledgement and the position write re-reads that one batch after the
 * restart; its events are not published again because the collector primes its {@link EventDeduplicator} with the
 * topic's most recent events ({@link RecentAuditEvents}). Lines of that batch that were dead-lettered are
 * dead-lettered again.
 */
public final class AuditFileTailer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditFileTailer.class);
    private static final long STOP_WAIT_SECONDS = 60;

    private final FileSourceConfig config;
    private final AuditIngestor ingestor;
    private final AuditIngestor.Source source;
    private final int maxLineBytes;
    /** Kafka is retried for as long as it takes: the position only moves past acknowledged lines. */
    private static final RetryPolicy RESEND = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(10));
    private final Counter gaps;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong committedOffset = new AtomicLong(-1);
    private final AtomicLong linesCommitted = new AtomicLong();
    private volatile Thread thread;
    private volatile Throwable failure;

    private FileChannel channel;
    private String channelKey;
    private long offset;

    public AuditFileTailer(FileSourceConfig config, AuditIngestor ingestor, IngestMetrics metrics, int maxLineBytes) {
        this.config = Objects.requireNonNull(config, "config");
        this.ingestor = Objects.requireNonNull(ingestor, "ingestor");
        this.source = AuditIngestor.Source.file(config.path().toString());
        this.maxLineBytes = maxLineBytes;
        this.gaps = Counter.builder("kubeproof.ingest.audit.file.gaps")
                .description("Restarts where the stored position's file could not be found (lines may be missing)")
                .tag("path", config.path().toString()).register(metrics.meterRegistry());
    }

    public AuditFileTailer start() {
        Thread worker = new Thread(this::run, "audit-tail-" + config.path().getFileName());
        worker.setDaemon(true);
        thread = worker;
        worker.start();
        return this;
    }

    /** Alive while the tail loop runs (for liveness). */
    public boolean isAlive() {
        Thread worker = thread;
        return worker != null && worker.isAlive() && failure == null;
    }

    /** The offset stored last (after Kafka acknowledged everything before it); -1 before the first store. */
    public long committedOffset() {
        return committedOffset.get();
    }

    /** Lines (blank ones included) acknowledged and committed since start. */
    public long linesCommitted() {
        return linesCommitted.get();
    }

    /** Stops after the batch in flight is acknowledged and its position stored; nothing after it is sent. */
    @Override
    public void close() {
        stopSignal.countDown();
        Thread worker = thread;
        if (worker != null) {
            try {
                if (!stopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warn("tailer of {} did not stop in {}s", config.path(), STOP_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeChannel();
    }

    private boolean stopping() {
        return stopSignal.getCount() == 0;
    }

    private void run() {
        try {
            restore();
            while (!stopping()) {
                if (channel == null) {
                    openLiveFile(0);
                    if (channel == null) {
                        pause();
                        continue;
                    }
                }
                if (readBatch(false)) {
                    continue;
                }
                if (rotated()) {
                    // the old file is finished: a last line without newline will never get one
                    readBatch(true);
                    if (stopping()) {
                        break;
                    }
                    LOG.info("{} was rotated; following the new file", config.path());
                    closeChannel();
                    openLiveFile(0);
                    if (channel != null) {
                        store();
                    }
                    continue;
                }
                if (channel.size() < offset) {
                    LOG.warn("{} shrank below the stored position {}: truncated, reading it from the start", config.path(), offset);
                    offset = 0;
                    store();
                    continue;
                }
                pause();
            }
        } catch (StopWithoutCommit e) {
            LOG.warn("stopped without storing the last batch: {}", e.getMessage());
        } catch (Throwable e) {
            failure = e;
            LOG.error("tailer of {} stopped: {}", config.path(), e.toString(), e);
        } finally {
            stopped.countDown();
        }
    }

    private void restore() throws IOException {
        FilePosition position = FilePosition.load(config.positionFile());
        if (position == null) {
            openLiveFile(0);
            return;
        }
        if (Files.exists(config.path()) && tryOpen(config.path(), position)) {
            return;
        }
        // rotated while we were down: finish the old file first
        Path dir = config.path().toAbsolutePath().getParent();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path candidate : files) {
                if (Files.isRegularFile(candidate) && !candidate.equals(config.positionFile().toAbsolutePath())
                        && tryOpen(candidate, position)) {
                    LOG.info("resuming rotated file {} at {} before {}", candidate, position.offset(), config.path());
                    return;
                }
            }
        }
        gaps.increment();
        LOG.warn("the file of the stored position {} is gone; reading {} from its start (lines written to the rotated"
                + " file after the position are missing)", position, config.path());
        openLiveFile(0);
    }

    private boolean tryOpen(Path file, FilePosition position) throws IOException {
        String key;
        try {
            key = FilePosition.fileKeyOf(file);
        } catch (IOException e) {
            return false;
        }
        if (!key.equals(position.fileKey())) {
            return false;
        }
        FileChannel candidate = FileChannel.open(file, StandardOpenOption.READ);
        if (!position.matches(key, candidate) || candidate.size() < position.offset()) {
            candidate.close();
            return false;
        }
        channel = candidate;
        channelKey = key;
        offset = position.offset();
        committedOffset.set(offset);
        return true;
    }

    private void openLiveFile(long at) throws IOException {
        if (!Files.exists(config.path())) {
            return;
        }
        try {
            channel = FileChannel.open(config.path(), StandardOpenOption.READ);
            channelKey = FilePosition.fileKeyOf(config.path());
            offset = at;
        } catch (IOException e) {
            closeChannel();
            LOG.debug("cannot open {} yet: {}", config.path(), e.toString());
        }
    }

    private boolean rotated() {
        try {
            return Files.exists(config.path()) && !FilePosition.fileKeyOf(config.path()).equals(channelKey);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads and publishes the next batch of complete lines. Returns true when it made progress.
     *
     * @param finalRead the file will not grow: an unterminated last line counts as a line
     */
    private boolean readBatch(boolean finalRead) throws IOException {
        long size = channel.size();
        if (offset >= size) {
            return false;
        }
        int length = (int) Math.min(size - offset, (long) maxLineBytes + 1 + 64 * 1024);
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
            // read until the buffer is full or the end
        }
        byte[] bytes = Arrays.copyOf(buffer.array(), buffer.position());
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length && lines.size() < config.maxBatchLines(); i++) {
            if (bytes[i] == '\n') {
                lines.add(stripCarriageReturn(Arrays.copyOfRange(bytes, start, i)));
                start = i + 1;
            }
        }
        if (lines.isEmpty()) {
            if (bytes.length > maxLineBytes) {
                return skipOversizedLine(bytes);
            }
            if (finalRead && bytes.length > 0) {
                lines.add(stripCarriageReturn(bytes));
                start = bytes.length;
            } else {
                return false;
            }
        }
        publish(lines);
        offset += start;
        linesCommitted.addAndGet(lines.size());
        store();
        return true;
    }

    /** A line longer than the limit: dead-letter its beginning once its end is in the file, and move past it. */
    private boolean skipOversizedLine(byte[] head) throws IOException {
        long end = findNewline(offset + head.length);
        if (end < 0) {
            return false;
        }
        long lineLength = end - offset;
        byte[] prefix = Arrays.copyOf(head, maxLineBytes);
        awaitWithRetry(List.of(prefix), List.of(oversized(prefix, lineLength)), line -> oversized(line, lineLength));
        offset = end + 1;
        linesCommitted.incrementAndGet();
        store();
        return true;
    }

    private long findNewline(long from) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = from;
        while (true) {
            buffer.clear();
            int read = channel.read(buffer, position);
            if (read <= 0) {
                return -1;
            }
            for (int i = 0; i < read; i++) {
                if (buffer.get(i) == '\n') {
                    return position + i;
                }
            }
            position += read;
        }
    }

    private void publish(List<byte[]> lines) {
        List<CompletableFuture<AuditIngestor.Outcome>> sent = new ArrayList<>(lines.size());
        for (byte[] line : lines) {
            sent.add(send(line));
        }
        awaitWithRetry(lines, sent, this::send);
    }

    private CompletableFuture<AuditIngestor.Outcome> send(byte[] line) {
        return line.length > maxLineBytes ? oversized(Arrays.copyOf(line, maxLineBytes), line.length)
                : ingestor.ingestEvent(line, source);
    }

    private CompletableFuture<AuditIngestor.Outcome> oversized(byte[] prefix, long lineLength) {
        return ingestor.reject(source, ErrorTypes.OVERSIZED, "audit log line of " + lineLength
                + " bytes is longer than the limit of " + maxLineBytes + " bytes", prefix);
    }

    /**
     * Waits for every line's future; lines whose write failed are sent again (with backoff) until Kafka takes them.
     * Only the failed ones: the others are already in Kafka.
     */
    private void awaitWithRetry(List<byte[]> lines, List<CompletableFuture<AuditIngestor.Outcome>> sent,
                                java.util.function.Function<byte[], CompletableFuture<AuditIngestor.Outcome>> resend) {
        List<CompletableFuture<AuditIngestor.Outcome>> pending = new ArrayList<>(sent);
        Backoff backoff = new Backoff(RESEND, Clock.systemUTC(), () -> ThreadLocalRandom.current().nextDouble());
        while (true) {
            List<Integer> failed = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                try {
                    pending.get(i).join();
                } catch (RuntimeException e) {
                    failed.add(i);
                }
            }
            if (failed.isEmpty()) {
                return;
            }
            if (stopping()) {
                // leave the position where it is: the next start sends this batch again
                throw new StopWithoutCommit(failed.size() + " lines of " + config.path() + " were not acknowledged");
            }
            backoff.recordFailure();
            LOG.warn("{} of {} lines of {} not acknowledged by Kafka; retrying (attempt {})", failed.size(), lines.size(),
                    config.path(), backoff.failures() + 1);
            await(backoff.remaining());
            for (int i : failed) {
                pending.set(i, resend.apply(lines.get(i)));
            }
        }
    }

    private void store() throws IOException {
        String fingerprint = FilePosition.fingerprintOf(channel, offset);
        new FilePosition(channelKey, fingerprint, offset).store(config.positionFile());
        committedOffset.set(offset);
    }

    private void pause() {
        await(Duration.ofMillis(config.pollIntervalMillis()));
    }

    /** Waits, or less when the tailer is stopped. */
    private void await(Duration duration) {
        try {
            stopSignal.await(Math.max(1, duration.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopSignal.countDown();
        }
    }


    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", config.path(), e.toString());
            }
            channel = null;
        }
    }

    private static byte[] stripCarriageReturn(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\r' ? Arrays.copyOf(line, line.length - 1) : line;
    }

    /** Ends the tail loop during a Kafka outage without storing a position. */
    private static final class StopWithoutCommit extends RuntimeException {
        StopWithoutCommit(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public String toString() {
        return "AuditFileTailer[" + config.path() + "]";
    }
}
