package dev.kubeproof.controls.catalog;

import java.util.Objects;

/**
 * A standard the catalog's controls map to, and exactly which edition: a mapping "cis: 5.2.2" means recommendation
 * 5.2.2 of this version of the benchmark.
 *
 * @param key     the key controls use under {@code frameworks}, e.g. {@code cis}
 * @param name    the standard's name, e.g. CIS Kubernetes Benchmark
 * @param version the edition mapped to, e.g. 1.9.0; null when the standard is not versioned
 * @param url     where the standard is published; may be null when a document names a standard without a link
 */
public record Framework(String key, String name, String version, String url) {

    public Framework {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(name, "name");
    }

    /** Name and edition: "CIS Kubernetes Benchmark v1.9.0" for a dotted version, "SOC 2 ... (2017)" otherwise. */
    public String title() {
        if (version == null) {
            return name;
        }
        return version.matches("\\d+(\\.\\d+)+") ? name + " v" + version : name + " (" + version + ")";
    }
}
