package dev.kubeproof.controls.scan;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

final class InputStreams {

    private InputStreams() {
    }

    static InputStream empty() {
        return new ByteArrayInputStream(new byte[0]);
    }

    static InputStream of(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
