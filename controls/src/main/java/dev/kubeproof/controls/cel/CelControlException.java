package dev.kubeproof.controls.cel;

import java.util.List;

/** A custom control file that cannot be used: every problem names the file, the control and, for CEL, the position. */
public final class CelControlException extends IllegalArgumentException {
    private final List<String> problems;

    public CelControlException(String source, List<String> problems) {
        super(source + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
