package dev.kubeproof.report.pkg;

/** The files of an evidence package, by name. */
public final class PackageFiles {
    public static final String MANIFEST = "manifest.json";
    public static final String SIGNATURE = "manifest.json.sig";
    /** Every record of the period: {"key","sequence","hash","canonical"} per line, by key and sequence. */
    public static final String EVIDENCE = "evidence.jsonl";
    /** The last record of every key before the period (its status when the period began, and its chain's anchor). */
    public static final String STATE_AT_START = "state-at-start.jsonl";
    /** Per key: first and last sequence in the period, the hash it links to, and the chain check's result. */
    public static final String CHAINS = "chains.jsonl";
    /** The pipeline's signed checkpoints that cover the period (see {@code CheckpointVerification}). */
    public static final String CHECKPOINTS = "checkpoints.jsonl";
    public static final String EVIDENCE_CSV = "evidence.csv";
    public static final String VIOLATIONS_CSV = "violations.csv";
    public static final String EXEMPTIONS_CSV = "exemptions.csv";
    public static final String CONTROLS_CSV = "controls.csv";
    public static final String SUMMARY_JSON = "summary.json";
    public static final String HTML = "report.html";
    public static final String PDF = "report.pdf";
    public static final String OSCAL = "oscal-assessment-results.json";

    private PackageFiles() {
    }
}
