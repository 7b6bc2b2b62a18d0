package dev.kubeproof.controls.scan;

/** The scan's output formats. */
public enum OutputFormat {
    /** Human-readable: failures and a summary. */
    TABLE,
    /** Every result, machine-readable. */
    JSON,
    /** SARIF 2.1.0 for code-scanning tools (failures and errors as results). */
    SARIF,
    /** JUnit XML for CI test reports: a suite per control, a test case per resource. */
    JUNIT;

    public ReportRenderer renderer(boolean showPassed) {
        return switch (this) {
            case TABLE -> new TableRenderer(showPassed);
            case JSON -> new JsonRenderer();
            case SARIF -> new SarifRenderer();
            case JUNIT -> new JUnitRenderer();
        };
    }
}
