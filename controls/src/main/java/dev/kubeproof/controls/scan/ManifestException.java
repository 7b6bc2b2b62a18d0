package dev.kubeproof.controls.scan;

/** Input that cannot be scanned: unreadable file, malformed YAML. The message names the file and line. */
public class ManifestException extends RuntimeException {

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }

    public ManifestException(String message) {
        super(message);
    }
}
