package dev.kubeproof.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The bench's folder: emptied before a run, so that every figure comes from fresh servers and fresh state. */
final class BenchFiles {
    private BenchFiles() {
    }

    static void empty(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    if (!path.equals(root)) {
                        Files.delete(path);
                    }
                }
            }
        }
        Files.createDirectories(root);
    }

    /** Bytes under a folder (the state stores), 0 when it does not exist. */
    static long size(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            long total = 0;
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                try {
                    total += Files.size(path);
                } catch (IOException e) {
                    // a RocksDB file compacted away while walking: not part of the state any more
                }
            }
            return total;
        }
    }
}
