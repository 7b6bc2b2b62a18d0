package dev.kubeproof.ingest.scans;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.nio.file.Path;

/**
 * A directory where Trivy reports are dropped ({@code trivy image -f json -o /scans/app.json ...}). New and changed
 * {@code *.json} files are published once their size and modification time have been stable for one poll (write
 * to a temporary name and rename for no wait at all).
 *
 * @param path               the directory
 * @param stateFile          where the collector remembers which file contents it has published (survives restarts)
 * @param pollIntervalMillis how often to rescan besides file system notifications, default 1000
 */
public record DirectorySourceConfig(
        @JsonPropertyDescription("The directory.")
        Path path,
        @JsonPropertyDescription("Where the collector remembers which file contents it has published (survives restarts).")
        Path stateFile,
        @JsonPropertyDescription("How often to rescan besides file system notifications, default 1000.")
        Integer pollIntervalMillis) {

    public DirectorySourceConfig {
        if (path == null) {
            throw new IllegalArgumentException("directory.path must be set");
        }
        if (stateFile == null) {
            throw new IllegalArgumentException("directory.stateFile must be set");
        }
        if (stateFile.getFileName().toString().endsWith(".json")
                && stateFile.toAbsolutePath().normalize().getParent().equals(path.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("directory.stateFile must not be a *.json file inside directory.path");
        }
        pollIntervalMillis = pollIntervalMillis == null ? 1000 : pollIntervalMillis;
        if (pollIntervalMillis < 10 || pollIntervalMillis > 600_000) {
            throw new IllegalArgumentException("directory.pollIntervalMillis must be 10..600000, was " + pollIntervalMillis);
        }
    }
}
