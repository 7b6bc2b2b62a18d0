package dev.kubeproof.ingest.audit;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.nio.file.Path;

/**
 * One audit log file written by the kube-apiserver's log backend ({@code --audit-log-path}, JSON lines).
 *
 * @param path               the live log file; rotated files (renamed by the apiserver) are finished first
 * @param positionFile       where the tailer keeps how far Kafka has acknowledged the file (must be writable;
 *                           survives restarts)
 * @param pollIntervalMillis how often to look for new lines and rotation, default 250
 * @param maxBatchLines      lines sent before waiting for Kafka and storing the position, default 500
 */
public record FileSourceConfig(
        @JsonPropertyDescription("The live log file; rotated files (renamed by the apiserver) are finished first.")
        Path path,
        @JsonPropertyDescription("Where the tailer keeps how far Kafka has acknowledged the file (must be writable; survives restarts).")
        Path positionFile,
        @JsonPropertyDescription("How often to look for new lines and rotation, default 250.")
        Integer pollIntervalMillis,
        @JsonPropertyDescription("Lines sent before waiting for Kafka and storing the position, default 500.")
        Integer maxBatchLines) {

    public FileSourceConfig {
        if (path == null) {
            throw new IllegalArgumentException("files[].path must be set");
        }
        if (positionFile == null) {
            throw new IllegalArgumentException("files[].positionFile must be set for " + path);
        }
        if (positionFile.toAbsolutePath().normalize().equals(path.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("files[].positionFile must differ from files[].path");
        }
        pollIntervalMillis = pollIntervalMillis == null ? 250 : pollIntervalMillis;
        if (pollIntervalMillis < 10 || pollIntervalMillis > 60_000) {
            throw new IllegalArgumentException("files[].pollIntervalMillis must be 10..60000, was " + pollIntervalMillis);
        }
        maxBatchLines = maxBatchLines == null ? 500 : maxBatchLines;
        if (maxBatchLines < 1 || maxBatchLines > 100_000) {
            throw new IllegalArgumentException("files[].maxBatchLines must be 1..100000, was " + maxBatchLines);
        }
    }

    public static FileSourceConfig of(Path path, Path positionFile) {
        return new FileSourceConfig(path, positionFile, null, null);
    }
}
