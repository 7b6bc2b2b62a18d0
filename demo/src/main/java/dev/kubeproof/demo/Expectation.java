package dev.kubeproof.demo;

import java.util.List;
import java.util.Objects;

/**
 * What kubeproof should find on one object of the sample cluster.
 *
 * @param kind            the object's kind, e.g. {@code Deployment}
 * @param namespace       its namespace; null for cluster-scoped objects
 * @param name            its name
 * @param uid             its fixed {@code metadata.uid}
 * @param failingControls the control ids (e.g. {@code KP-POD-006}) the object must FAIL; empty means it must fail
 *                        no control at all
 * @param note            why, in a sentence; may be empty
 */
public record Expectation(String kind, String namespace, String name, String uid, List<String> failingControls,
                          String note) {

    public Expectation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
        failingControls = List.copyOf(failingControls);
        note = note == null ? "" : note;
    }

    /** True when the object must pass every control that applies to it. */
    public boolean compliant() {
        return failingControls.isEmpty();
    }
}
