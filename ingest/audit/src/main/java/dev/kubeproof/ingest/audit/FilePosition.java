package dev.kubeproof.ingest.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How far a tailer has got: which file (its file key, i.e. device and inode, plus a fingerprint of its first
 * bytes, since inodes are reused) and the offset after the last line Kafka acknowledged. Stored atomically.
 *
 * @param fileKey     the file's {@code BasicFileAttributes.fileKey()} as text
 * @param fingerprint SHA-256 of the file's first {@link #FINGERPRINT_BYTES} bytes (or fewer, up to offset)
 * @param offset      byte offset after the last acknowledged line
 */
public record FilePosition(String fileKey, String fingerprint, long offset) {
    static final int FINGERPRINT_BYTES = 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The stored position, or null when there is none yet. */
    public static FilePosition load(Path file) {
        try {
            return MAPPER.readValue(Files.readAllBytes(file), FilePosition.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("position file " + file + " cannot be read (" + e.getMessage()
                    + "); fix or delete it (deleting it re-reads the log from the start)", e);
        }
    }

    /** Writes the position durably: a temporary file, fsync, then an atomic rename over the old one. */
    public void store(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(MAPPER.writeValueAsBytes(this)));
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String fileKeyOf(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        // without file keys (some file systems), fall back to the creation time
        return key != null ? key.toString() : "created:" + Files.readAttributes(file, BasicFileAttributes.class).creationTime();
    }

    static String fingerprintOf(FileChannel channel, long upTo) throws IOException {
        int length = (int) Math.min(FINGERPRINT_BYTES, Math.min(upTo, channel.size()));
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                break;
            }
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(buffer.array(), 0, buffer.position());
            return length + ":" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code channel} is the file this position was taken in. */
    boolean matches(String key, FileChannel channel) throws IOException {
        if (!fileKey.equals(key)) {
            return false;
        }
        int length = Integer.parseInt(fingerprint.substring(0, fingerprint.indexOf(':')));
        return channel.size() >= length && fingerprint.equals(fingerprintOf(channel, length));
    }

    @Override
    public String toString() {
        return "FilePosition[" + fileKey + " @" + offset + "]";
    }
}
