package dev.kubeproof.controls.catalog;

import java.util.List;

/** The catalog is invalid; every problem is listed, each naming the control id and field. */
public class CatalogException extends RuntimeException {

    private final List<String> problems;

    public CatalogException(String source, List<String> problems) {
        super(source + " is invalid:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
