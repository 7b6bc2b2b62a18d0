package dev.kubeproof.controls.scan;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Paths of the test manifests under src/test/resources. */
final class ScanFixtures {

    private ScanFixtures() {
    }

    static String path(String resource) {
        try {
            return Path.of(ScanFixtures.class.getResource("/" + resource).toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource " + resource + " is missing", e);
        }
    }
}
