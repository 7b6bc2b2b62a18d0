package dev.kubeproof.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the figures were measured on: they only mean something next to the machine. */
final class Machine {
    private Machine() {
    }

    static Map<String, Object> describe() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("cpu", procLine(Path.of("/proc/cpuinfo"), "model name").orElse("unknown"));
        machine.put("memoryBytes", procLine(Path.of("/proc/meminfo"), "MemTotal")
                .map(value -> Long.parseLong(value.replaceAll("[^0-9]", "")) * 1024).orElse(-1L));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        machine.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        return machine;
    }

    /** The value of the first {@code key: value} line of a /proc file. */
    static Optional<String> procLine(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream().filter(line -> line.startsWith(key)).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The peak resident set sizes (VmHWM) of a process and its descendants, summed (a server may run under a
     * wrapper that drops privileges: the JVM is its child); -1 when unknown.
     */
    static long peakRssWithChildren(long pid) {
        long total = peakRss(pid);
        if (total < 0) {
            return -1;
        }
        for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
            total += Math.max(0, peakRss(child.pid()));
        }
        return total;
    }

    /** The peak resident set size of a process (VmHWM), -1 when unknown. */
    static long peakRss(long pid) {
        return procLine(Path.of("/proc/" + pid + "/status"), "VmHWM")
                .map(value -> Long.parseLong(value.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
    }

    /**
     * CPU time (user and system) a process and its descendants have used so far, in seconds; -1 when unknown.
     * Descendants count because a server may run under a wrapper (Elasticsearch's JVM is the child of its launcher).
     */
    static double cpuSecondsWithChildren(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        Optional<Duration> own = process.flatMap(p -> p.info().totalCpuDuration());
        if (own.isEmpty()) {
            return -1;
        }
        Duration total = own.get();
        for (ProcessHandle child : process.get().descendants().toList()) {
            total = total.plus(child.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total.toNanos() / 1e9;
    }
}
