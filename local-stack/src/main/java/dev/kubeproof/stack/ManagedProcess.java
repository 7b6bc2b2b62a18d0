package dev.kubeproof.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A server process with its output in a log file and its pid in a pid file, so that a later command (or a
 * later run after a crash) can find and stop it. Stopping ends the whole process tree: Elasticsearch's
 * launcher, for one, runs the server as a child JVM.
 */
final class ManagedProcess {
    private final String name;
    private final Process process;
    private final Path pidFile;

    private ManagedProcess(String name, Process process, Path pidFile) {
        this.name = name;
        this.process = process;
        this.pidFile = pidFile;
    }

    static ManagedProcess start(String name, List<String> command, Path workDir, Map<String, String> environment,
                                Path logFile, Path pidFile) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(pidFile.getParent());
            Process process = builder.start();
            Files.writeString(pidFile, Long.toString(process.pid()), StandardCharsets.UTF_8);
            return new ManagedProcess(name, process, pidFile);
        } catch (IOException e) {
            throw new StackException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    void stop(Duration grace) {
        stopTree(process.toHandle(), grace);
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + pidFile + " of " + name, e);
        }
    }

    /** Stops a process left behind by an earlier run whose pid file is still there. */
    static boolean stopRecorded(Path pidFile, Duration grace) {
        if (!Files.isRegularFile(pidFile)) {
            return false;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            boolean stopped = false;
            if (handle.isPresent() && handle.get().isAlive()) {
                stopTree(handle.get(), grace);
                stopped = true;
            }
            Files.deleteIfExists(pidFile);
            return stopped;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** SIGTERM the root (servers shut down cleanly on it), then SIGKILL whatever of the tree is left. */
    static void stopTree(ProcessHandle root, Duration grace) {
        List<ProcessHandle> descendants = root.descendants().toList();
        root.destroy();
        try {
            root.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            root.destroyForcibly();
        }
        for (ProcessHandle child : descendants) {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    child.destroyForcibly();
                }
            }
        }
        try {
            root.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a process the kernel has not reaped yet; it was sent SIGKILL
        }
    }
}
