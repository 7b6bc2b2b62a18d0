package dev.kubeproof.sink.documents;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Elasticsearch document ids from kubeproof keys: the key itself when it fits, else its SHA-256. */
public final class DocumentIds {
    /** Elasticsearch refuses ids longer than 512 bytes. */
    static final int MAX_ID_BYTES = 512;

    private DocumentIds() {
    }

    public static String of(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_ID_BYTES) {
            return key;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
