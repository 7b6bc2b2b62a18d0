package dev.kubeproof.report.render;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Name-based UUIDs, version 5 (RFC 4122 §4.3, SHA-1), in kubeproof's own namespace: the same report inputs give
 * the same OSCAL identifiers, so two exports of one period can be compared. (OSCAL accepts versions 4 and 5 only.)
 */
public final class Uuids {
    /** kubeproof's namespace: the v5 UUID of "kubeproof.dev" in RFC 4122's DNS namespace. */
    private static final UUID NAMESPACE = v5(UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "kubeproof.dev");

    private Uuids() {
    }

    public static String of(String name) {
        return v5(NAMESPACE, name).toString();
    }

    static UUID v5(UUID namespace, String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits())
                    .putLong(namespace.getLeastSignificantBits()).array());
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
            return new UUID(bytes.getLong(), bytes.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
