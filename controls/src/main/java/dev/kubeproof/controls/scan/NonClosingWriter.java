package dev.kubeproof.controls.scan;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/** Jackson closes the writer it writes to; the caller owns stdout, so closing only flushes. */
final class NonClosingWriter extends FilterWriter {

    NonClosingWriter(Writer out) {
        super(out);
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
