package dev.kubeproof.contract.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

import dev.kubeproof.avro.ImageScan;

/**
 * Reads image scan reports from files for offline use ({@code kubeproof scan --trivy-report}), in the same way the
 * scan collector reads them live. The scan collector provides it; the controls, which must not depend on a
 * collector, find it through {@link ServiceLoader}.
 */
public interface ImageScanReader {

    /**
     * Every image scan a report file holds (one for an image report, one per image for a cluster report).
     *
     * @throws IllegalArgumentException when the file is not a report this reader knows, naming what is wrong
     */
    List<ImageScan> read(Path file) throws IOException;

    /** The reader on the class path, if any. */
    static Optional<ImageScanReader> installed() {
        return ServiceLoader.load(ImageScanReader.class).findFirst();
    }
}
