package dev.kubeproof.cli.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import dev.kubeproof.stack.LocalStack;
import dev.kubeproof.stack.ServerKind;

/** Small measuring helpers shared by the phases. */
final class Measure {
    private Measure() {
    }

    static double seconds(Duration duration) {
        return BenchCommand.round(duration.toNanos() / 1e9, 2);
    }

    static double seconds(long nanos) {
        return BenchCommand.round(nanos / 1e9, 2);
    }

    /** Latencies in microseconds, up to ten minutes, three significant digits; recorded and read from two threads. */
    /** A condition polled until it holds; it may throw to say that it never will (a service failed). */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code done} every half second until it holds twice in a row (lag is polled: no event means "all read",
     * and one poll may see a commit not yet followed by the next fetch); returns the seconds from {@code start}
     * ({@link System#nanoTime}) to the first of the two polls, and gives up {@code timeout} after {@code start}.
     */
    static double secondsUntilSettled(long start, Duration timeout, String what, Condition done) throws Exception {
        long deadline = start + timeout.toNanos();
        long candidate = -1;
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not finish within " + timeout);
            }
            Thread.sleep(500);
            long now = System.nanoTime();
            boolean holds = done.holds();
            if (holds && candidate >= 0) {
                return (candidate - start) / 1e9;
            }
            candidate = holds ? now : -1;
        }
    }

    static Histogram latencyHistogram() {
        return new ConcurrentHistogram(Duration.ofMinutes(10).toNanos() / 1000, 3);
    }

    /** p50, p99, max in milliseconds, and the count, of a histogram of microseconds. */
    static Map<String, Object> latency(Histogram micros, long expected) {
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("count", micros.getTotalCount());
        latency.put("missing", expected - micros.getTotalCount());
        latency.put("p50Ms", micros.getTotalCount() == 0 ? null : BenchCommand.round(micros.getValueAtPercentile(50) / 1000.0, 1));
        latency.put("p99Ms", micros.getTotalCount() == 0 ? null : BenchCommand.round(micros.getValueAtPercentile(99) / 1000.0, 1));
        latency.put("maxMs", micros.getTotalCount() == 0 ? null : BenchCommand.round(micros.getMaxValue() / 1000.0, 1));
        return latency;
    }

    /**
     * CPU seconds used so far by this JVM (the pipeline: collectors, evidence topology and sink, and the bench with
     * its synthetic API server) and by each server, by name.
     */
    static Map<String, Double> cpuSeconds(LocalStack stack) {
        Map<String, Double> used = new LinkedHashMap<>();
        // this JVM alone: the servers are its children
        used.put("pipeline", ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0));
        for (Map.Entry<ServerKind, Long> server : stack.pids().entrySet()) {
            used.put(server.getKey().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                    Machine.cpuSecondsWithChildren(server.getValue()));
        }
        return used;
    }

    /**
     * What each process used between two snapshots of {@link #cpuSeconds}: seconds, and the share of the CPU time
     * the machine had in that wall time (cores × seconds), with what was left idle or to other processes.
     */
    static Map<String, Object> cpuUse(Map<String, Double> before, Map<String, Double> after, double wallSeconds) {
        Map<String, Object> use = new LinkedHashMap<>();
        double available = Runtime.getRuntime().availableProcessors() * wallSeconds;
        use.put("availableSeconds", BenchCommand.round(available, 1));
        double total = 0;
        for (Map.Entry<String, Double> process : after.entrySet()) {
            Double start = before.get(process.getKey());
            if (start == null || start < 0 || process.getValue() < 0) {
                continue;
            }
            double seconds = process.getValue() - start;
            total += seconds;
            use.put(process.getKey(), Map.of("seconds", BenchCommand.round(seconds, 1),
                    "share", BenchCommand.round(seconds / available, 3)));
        }
        use.put("idleOrOtherShare", BenchCommand.round(Math.max(0, available - total) / available, 3));
        return use;
    }

    /**
     * Heap and resident memory of this process (the whole pipeline runs in it, as in {@code run}) and of every
     * server, and the state stores' size on disk.
     */
    static Map<String, Object> memory(LocalStack stack, Path stateDir, int objects, HeapAfterCollections afterCollections)
            throws IOException {
        Map<String, Object> memory = new LinkedHashMap<>();
        Map<String, Object> pipeline = new LinkedHashMap<>();
        pipeline.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        pipeline.put("peakHeapAfterCollectionBytes", afterCollections.peak());
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        // the pools peak at different moments: their sum is an upper bound of the heap ever in use
        pipeline.put("peakHeapUsedBytesAtMost", peakHeap);
        pipeline.put("peakRssBytes", Machine.peakRss(ProcessHandle.current().pid()));
        memory.put("pipeline", pipeline);
        for (Map.Entry<ServerKind, Long> server : stack.pids().entrySet()) {
            memory.put(server.getKey().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                    Map.of("peakRssBytes", Machine.peakRssWithChildren(server.getValue())));
        }
        long stateBytes = BenchFiles.size(stateDir);
        memory.put("stateStoreBytes", stateBytes);
        memory.put("stateStoreBytesPer10000Objects", Math.round(stateBytes * 10_000.0 / Math.max(1, objects)));
        return memory;
    }

    /**
     * The most heap in use right after a garbage collection, over the pipeline's phases: what the collector could not
     * free (live objects, and an old generation a young collection leaves as it is). Unlike the sum of each pool's
     * peak, it stays within the heap the JVM may use, and it is what decides whether a run fits the default heap.
     */
    static final class HeapAfterCollections implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong();
        private final List<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).toList();
        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final NotificationListener listener = this::onCollection;

        static HeapAfterCollections watch() {
            HeapAfterCollections watcher = new HeapAfterCollections();
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (collector instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(watcher.listener, null, null);
                    watcher.emitters.add(emitter);
                }
            }
            return watcher;
        }

        private void onCollection(Notification notification, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                    (CompositeData) notification.getUserData());
            long used = 0;
            for (String pool : heapPools) {
                MemoryUsage after = info.getGcInfo().getMemoryUsageAfterGc().get(pool);
                if (after != null) {
                    used += after.getUsed();
                }
            }
            peak.accumulateAndGet(used, Math::max);
        }

        long peak() {
            return peak.get();
        }

        @Override
        public void close() {
            for (NotificationEmitter emitter : emitters) {
                try {
                    emitter.removeNotificationListener(listener);
                } catch (ListenerNotFoundException e) {
                    // already gone
                }
            }
        }
    }
}
