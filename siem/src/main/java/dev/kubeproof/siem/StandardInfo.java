package dev.kubeproof.siem;

import java.util.Objects;

/**
 * A standard the catalog's framework mappings refer to, with the edition mapped, so documents name it exactly
 * ("CIS Kubernetes Benchmark v1.9.0 5.2.2", not a bare "cis").
 *
 * @param key     the mapping key (cis, nsa, pss, soc2, mitre)
 * @param name    e.g. CIS Kubernetes Benchmark
 * @param version e.g. 1.9.0; null when the standard is not versioned
 * @param url     where it is published
 */
public record StandardInfo(String key, String name, String version, String url) {

    public StandardInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(name, "name");
    }

    /** Name and version, e.g. "CIS Kubernetes Benchmark v1.9.0". */
    public String title() {
        return version == null ? name : name + " v" + version;
    }
}
