package dev.kubeproof.controls.catalog;

import java.util.List;

/**
 * A practice from the hardening guides kubeproof is built from, and the controls that cover it: the catalog's proof
 * that nothing was left out.
 *
 * @param id       stable short id, e.g. {@code deploy-no-privileged}
 * @param phase    build, deploy, runtime or infrastructure
 * @param text     the practice as the guides state it
 * @param controls the control ids covering it (non-observable ones included)
 */
public record Practice(String id, String phase, String text, List<String> controls) {

    public Practice {
        controls = List.copyOf(controls);
    }
}
