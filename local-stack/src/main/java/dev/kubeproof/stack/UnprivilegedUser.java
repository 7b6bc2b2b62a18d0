package dev.kubeproof.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Elasticsearch refuses to run as root. When this JVM is root, the server runs as a dedicated system user
 * ({@value #NAME}), created on first use, through util-linux {@code setpriv}.
 */
final class UnprivilegedUser {
    static final String NAME = "kubeproof";

    private UnprivilegedUser() {
    }

    static boolean runningAsRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Finds or creates the system user; returns its name. */
    static String ensureExists() {
        if (run(List.of("id", "-u", NAME)).exitCode == 0) {
            return NAME;
        }
        Result created = run(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", "--user-group", NAME));
        if (created.exitCode != 0 && run(List.of("id", "-u", NAME)).exitCode != 0) {
            throw new StackException("Elasticsearch refuses to run as root and the unprivileged user '" + NAME
                    + "' could not be created (useradd: " + created.output.trim() + "); create it, or run as a non-root user");
        }
        return NAME;
    }

    /** The command, run as the user, with the environment the caller sets on the process. */
    static List<String> asUser(String user, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    static void chownRecursively(Path path, String user) {
        Result result = run(List.of("chown", "-R", user + ":" + user, path.toString()));
        if (result.exitCode != 0) {
            throw new StackException("cannot hand " + path + " to user " + user + ": " + result.output.trim());
        }
    }

    /** True when every folder from / down to {@code path} lets others pass (o+x), so the user can reach it. */
    static boolean othersCanTraverse(Path path) {
        Path current = path.toAbsolutePath();
        while (current != null) {
            if (Files.exists(current)) {
                try {
                    if (!Files.getPosixFilePermissions(current).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                        return false;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            }
            current = current.getParent();
        }
        return true;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static Optional<String> currentUserIfNotRoot() {
        return runningAsRoot() ? Optional.empty() : Optional.of(System.getProperty("user.name"));
    }
}
