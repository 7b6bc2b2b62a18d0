package dev.kubeproof.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An HTTP request body read up to a limit: collectors never buffer more than the configured maximum, so one huge
 * request cannot exhaust memory. {@link #oversized()} tells whether the body went past the limit; then
 * {@link #bytes()} holds only its first {@code limit} bytes.
 *
 * @param bytes     the body, or its first {@code limit} bytes when oversized
 * @param oversized true when the body is longer than the limit
 */
public record LimitedBody(byte[] bytes, boolean oversized) {

    /** Reads at most {@code limit + 1} bytes (the extra byte detects an oversized body). */
    public static LimitedBody read(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = in.read(buffer, 0, (int) Math.min(buffer.length, (long) limit + 1 - total))) > 0) {
            out.write(buffer, 0, read);
            total += read;
            if (total > limit) {
                byte[] all = out.toByteArray();
                return new LimitedBody(java.util.Arrays.copyOf(all, limit), true);
            }
        }
        return new LimitedBody(out.toByteArray(), false);
    }
}
