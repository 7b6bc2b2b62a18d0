package dev.kubeproof.controls.scan;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.contract.image.ImageScanReader;
import dev.kubeproof.controls.ControlEngine;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Severity;
import dev.kubeproof.controls.catalog.CatalogException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubeproof scan}: the offline scan of Kubernetes manifests with the same controls as the continuous
 * pipeline. The cli module registers this class as a subcommand.
 */
@Command(name = "scan",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        headerHeading = "%n",
        header = "Evaluate Kubernetes manifests against kubeproof's controls, without a cluster or Kafka.",
        description = {
                "Reads Kubernetes YAML or JSON manifests (multi-document files; directories are searched recursively for",
                "*.yaml, *.yml and *.json; - reads standard input, e.g. `kustomize build overlays/prod | kubeproof scan -`).",
                "List kinds are unwrapped. All manifests read form one view of the cluster, so namespace controls see the",
                "NetworkPolicies, ResourceQuotas and LimitRanges declared next to them. Image-scan controls are not",
                "applicable offline (no scan data).",
                ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:no failure at or above --fail-on",
                "1:a control failed at or above --fail-on, or a control could not be evaluated (ERROR)",
                "2:invalid usage or input (unreadable file, malformed YAML, no objects found, invalid settings)"},
        footerHeading = "%nExamples:%n",
        footer = {
                "  kubeproof scan deploy/",
                "  kustomize build deploy/overlays/prod | kubeproof scan --format sarif --output kubeproof.sarif -",
                "  kubeproof scan --fail-on high --format junit --output kubeproof-junit.xml manifests/"})
public final class ScanCommand implements Callable<Integer> {

    /** Exit code when failures at or above the threshold were found. */
    public static final int EXIT_FAILURES = 1;
    /** Exit code for invalid input (matches picocli's usage-error code). */
    public static final int EXIT_INVALID_INPUT = CommandLine.ExitCode.USAGE;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "1..*",
            description = "Manifest files or directories to scan; - reads standard input.")
    private List<String> paths;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "table", converter = FormatConverter.class,
            description = "Output format: table, json, sarif (2.1.0) or junit. Default: ${DEFAULT-VALUE}.")
    private OutputFormat format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the report to FILE instead of standard output.")
    private Path output;

    @Option(names = "--fail-on", paramLabel = "SEVERITY", defaultValue = "info", converter = SeverityConverter.class,
            description = "Exit with 1 when a control of this severity or higher fails: critical, high, medium, low or info. "
                    + "Default: ${DEFAULT-VALUE} (any failure).")
    private Severity failOn;

    @Option(names = "--settings", paramLabel = "FILE",
            description = "Control settings (YAML or JSON): trusted registries, required owner labels, system namespaces, "
                    + "minimum Kubernetes version, ... Keys not given keep their defaults; unknown keys are rejected.")
    private Path settingsFile;

    @Option(names = "--controls", paramLabel = "PATH",
            description = "Custom controls in CEL (control files, ValidatingAdmissionPolicy manifests, or directories of "
                    + "them), judged beside the built-in ones.")
    private List<Path> controlPaths = new ArrayList<>();

    @Option(names = "--trivy-report", paramLabel = "FILE",
            description = "Trivy results to judge the images by (repeatable): image reports (trivy image -f json), "
                    + "cluster reports (trivy k8s --format json) or Trivy Operator VulnerabilityReports. With them the "
                    + "image controls (vulnerabilities, end-of-life OS, unscanned images) judge the manifests' images.")
    private List<Path> trivyReports = new ArrayList<>();

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "Namespace for namespaced objects that have none, as `kubectl apply -n` would set. "
                    + "Without it they count as being in default.")
    private String namespace;

    @Option(names = "--show-passed",
            description = "Table format: also list PASS and NOT_APPLICABLE results, not only failures and errors.")
    private boolean showPassed;

    private InputStream stdin = System.in;

    /** Standard input to read for {@code -}; tests give their own. */
    public ScanCommand withStdin(InputStream stdin) {
        this.stdin = stdin;
        return this;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ControlEngine engine;
        ScanReport report;
        try {
            ControlSettings settings = settingsFile == null ? ControlSettings.defaults() : ControlSettings.read(settingsFile);
            engine = ControlEngine.load(settings, dev.kubeproof.controls.cel.CelControlFiles.read(controlPaths));
            ManifestReader reader = new ManifestReader(namespace, stdin);
            List<Manifest> manifests = reader.read(paths);
            if (manifests.isEmpty()) {
                // Most likely a broken pipe (kustomize failed) or a wrong path: passing would hide it.
                throw new ManifestException("no Kubernetes objects found in " + String.join(", ", paths));
            }
            report = new ManifestScanner(engine).scan(manifests, reader.warnings(), Instant.now(),
                    trivyReports.isEmpty() ? null : imageScans(trivyReports));
        } catch (ManifestException | IllegalArgumentException | CatalogException e) {
            err.println("kubeproof scan: " + e.getMessage());
            err.flush();
            return EXIT_INVALID_INPUT;
        } catch (IOException e) {
            err.println("kubeproof scan: cannot read " + (settingsFile == null ? "a Trivy report" : "settings " + settingsFile + " or a Trivy report") + ": " + e.getMessage());
            err.flush();
            return EXIT_INVALID_INPUT;
        }
        try {
            if (output == null) {
                format.renderer(showPassed).render(report, spec.commandLine().getOut());
            } else {
                try (Writer file = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                    format.renderer(showPassed).render(report, file);
                }
            }
        } catch (IOException e) {
            err.println("kubeproof scan: cannot write the report" + (output == null ? "" : " to " + output) + ": " + e.getMessage());
            err.flush();
            return EXIT_INVALID_INPUT;
        }
        return report.failsAt(failOn) ? EXIT_FAILURES : CommandLine.ExitCode.OK;
    }

    private static List<ImageScan> imageScans(List<Path> files) throws IOException {
        ImageScanReader reader = ImageScanReader.installed()
                .orElseThrow(() -> new IllegalArgumentException("--trivy-report needs the scan collector's report reader"
                        + " (kubeproof-ingest-scans) on the class path; the kubeproof command has it"));
        List<ImageScan> scans = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--trivy-report " + file + ": no such file");
            }
            scans.addAll(reader.read(file));
        }
        return scans;
    }

    /** Accepts severities in any case (critical, HIGH, ...). */
    static final class SeverityConverter implements CommandLine.ITypeConverter<Severity> {
        @Override
        public Severity convert(String value) {
            try {
                return Severity.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a severity; use critical, high, medium, low or info");
            }
        }
    }

    /** Accepts formats in any case (table, JSON, ...). */
    static final class FormatConverter implements CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            try {
                return OutputFormat.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a format; use table, json, sarif or junit");
            }
        }
    }
}
