package dev.kubeproof.contract.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of kubeproof that is running, from {@code build.properties} (written by Maven when the schemas module
 * is built, so it is right in tests and IDE runs too, where no jar manifest exists). Documents name it as their
 * producer's version (OCSF {@code metadata.product.version}, ECS {@code observer.version}).
 */
public final class KubeproofBuild {
    private static final String RESOURCE = "/dev/kubeproof/contract/build.properties";
    private static final String VERSION = load();

    private KubeproofBuild() {
    }

    /** E.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = KubeproofBuild.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath: the schemas module was not built by Maven");
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "");
            if (version.isBlank() || version.contains("${")) {
                throw new IllegalStateException(RESOURCE + " holds no version (was '" + version + "'): resource filtering did not run");
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
