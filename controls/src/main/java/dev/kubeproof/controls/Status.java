package dev.kubeproof.controls;

/** The result of evaluating one control on one object. */
public enum Status {
    PASS,
    FAIL,
    /** The control does not apply to this object (e.g. a Job for an ingress-TLS control). */
    NOT_APPLICABLE,
    /** A failure covered by an approved, unexpired exception. */
    EXEMPT,
    /** Evaluation itself failed: recorded, never silent. */
    ERROR,
    /**
     * The verdict depends on an organisation's own settings (its registries, its owner labels) that were not given:
     * kubeproof does not guess them into a FAIL. Counted apart; the message names the settings to set.
     */
    NEEDS_CONFIGURATION
}
