package dev.kubeproof.report.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;


import dev.kubeproof.report.ReportConfig;
import dev.kubeproof.report.ReportRequest;
import dev.kubeproof.report.ReportRequest.Format;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.ReportFilter;
import dev.kubeproof.report.pkg.PackageFiles;
import dev.kubeproof.report.pkg.PackageWriter;
import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.runtime.ServiceCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code kubeproof report --from --to --out DIR}: an auditor's evidence package for a period, read from the sink's
 * Elasticsearch. {@code report keygen} makes a signing key; {@code report verify DIR} checks a package offline.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        subcommands = {ReportKeygenCommand.class, ReportVerifyCommand.class, ReportBenchCommand.class},
        description = {"Exports a time-bounded, verifiable evidence package for auditors from Elasticsearch: summary, "
                + "per-control results, every transition of the period, charts (HTML, PDF) and OSCAL Assessment Results, "
                + "with a manifest of SHA-256 hashes, signed with Ed25519 when --sign-key is given.",
                "Example: kubeproof report --from 2026-10-01T00:00Z --to 2026-11-01T00:00Z --framework cis "
                        + "--set elasticsearch.urls=http://localhost:9200 --out october/"})
public final class ReportCommand extends ServiceCommand<ReportConfig> {

    @Option(names = "--from", paramLabel = "TIME", converter = InstantConverter.class,
            description = "Required: start of the period (included), ISO-8601 with offset, e.g. 2026-10-01T00:00Z.")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = InstantConverter.class,
            description = "Required: end of the period (excluded).")
    Instant to;

    @Option(names = "--framework", split = ",", paramLabel = "KEY",
            description = "Only the controls mapped to these frameworks: cis, nsa, pss, soc2, mitre.")
    List<String> frameworks = new ArrayList<>();

    @Option(names = "--control", split = ",", paramLabel = "ID", description = "Only these controls, e.g. KP-POD-001.")
    List<String> controls = new ArrayList<>();

    @Option(names = "--controls", paramLabel = "PATH", description = "Custom control files or directories (as scan "
            + "--controls reads them, e.g. the files published with controls publish): the report covers their "
            + "evidence too; without them only the built-in controls are reported.")
    List<java.nio.file.Path> customControls = new ArrayList<>();

    @Mixin
    ElasticsearchTarget target;

    @Option(names = "--cluster", split = ",", paramLabel = "ID", description = "Only these clusters.")
    List<String> clusters = new ArrayList<>();

    @Option(names = "--namespace", split = ",", paramLabel = "NS", description = "Only resources in these namespaces.")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--format", split = ",", paramLabel = "FORMAT", defaultValue = "json,csv,html,pdf,oscal",
            description = "What to write besides the evidence appendix and manifest: json, csv, html, pdf, oscal "
                    + "(default: all).")
    List<String> formats = new ArrayList<>();

    @Option(names = "--sign-key", paramLabel = "FILE", description = "Ed25519 private key (PEM) that signs the manifest "
            + "(kubeproof report keygen makes one).")
    Path signKey;

    @Option(names = "--checkpoint-key", paramLabel = "FILE", description = "The pipeline's Ed25519 public key (PEM) that "
            + "its checkpoints must be signed with (the pair of the evidence service's checkpointSigningKey). Without it "
            + "the checkpoints' signatures are not checked.")
    Path checkpointKey;

    @Option(names = "--out", paramLabel = "DIR", description = "Required: the directory to write; new or empty.")
    Path out;

    private Clock clock = Clock.systemUTC();

    @Override
    protected Class<ReportConfig> configType() {
        return ReportConfig.class;
    }

    @Override
    protected int run(ReportConfig config) throws Exception {
        // not picocli-required: `report keygen` and `report verify` must not ask for them
        if (from == null || to == null || out == null) {
            throw new ParameterException(spec.commandLine(), "report needs --from, --to and --out (or a subcommand: "
                    + "keygen, verify)");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Set<Format> chosen = EnumSet.noneOf(Format.class);
        for (String format : formats) {
            try {
                chosen.add(Format.valueOf(format.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown --format " + format + "; one of json, csv, html, pdf, oscal");
            }
        }
        if (signKey != null) {
            Signing.sign(new byte[0], signKey); // a bad key fails before any work, not after it
        }
        if (checkpointKey != null) {
            Signing.publicKey(checkpointKey);
        }
        ReportFilter filter = new ReportFilter(frameworks, controls, clusters, namespaces);
        Instant now = clock.instant();
        Instant end = to;
        if (to.isAfter(now) && from.isBefore(now)) {
            // evidence of the future does not exist yet: counting time until then would report a guess
            end = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            stderr.println("--to " + to + " is in the future: the period ends now, at " + end);
        }
        ReportRequest request = new ReportRequest(new Period(from, end), filter, chosen, out, signKey,
                checkpointKey);
        ControlScope scope = ControlScope.withCustomControls(customControls, filter);
        try (ElasticsearchTarget.Connection connection = target.connect(config)) {
            PackageWriter.Result result = new PackageWriter(scope, clock).write(connection.evidence(config.pageSize()),
                    connection.checkpoints(config.pageSize()), request, line -> {
                stderr.println(line);
                stderr.flush();
            });
            stdout.printf("wrote %s: %d files, %d evidence records on %d keys (%d with a status from before the period)%n",
                    out, result.files().size(), result.summary().records(), result.summary().keys(), result.summary().anchors());
            boolean chainsOk = result.summary().chainProblemCount() == 0;
            if (!chainsOk) {
                stdout.printf("WARNING: %d key(s) failed hash-chain verification, first: %s%n",
                        result.summary().chainProblemCount(), result.summary().chainProblems().get(0));
            }
            if (!result.checkpoints().ok()) {
                stdout.printf("WARNING: %d checkpoint problem(s), first: %s%n", result.checkpoints().problems().size(),
                        result.checkpoints().problems().get(0));
            } else if (result.checkpoints().checkpoints().isEmpty()) {
                stdout.println("note: no checkpoint covers the period, so the removal of a chain's last record would not "
                        + "be detectable");
            } else {
                stdout.printf("%d checkpoint(s) verified%s; the last root of %d partition(s) recomputed from the store "
                        + "matches%n", result.checkpoints().checkpoints().size(), checkpointKey == null
                        ? " (signatures not checked: give --checkpoint-key)" : " with their signatures",
                        result.checkpoints().recomputed().size());
            }
            if (chainsOk && result.checkpoints().ok()) {
                stdout.println("hash chains verified; check the package anywhere with: kubeproof report verify " + out
                        + (signKey == null ? "" : " --public-key PUBLIC.pem")
                        + (checkpointKey == null ? "" : " --checkpoint-key " + checkpointKey));
            }
            stdout.println("open " + out.resolve(chosen.contains(Format.HTML) ? PackageFiles.HTML : PackageFiles.MANIFEST));
            return chainsOk && result.checkpoints().ok() ? 0 : 3;
        }
    }

    /** For tests: the clock that stamps the package. */
    public ReportCommand withClock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** ISO-8601 instants with an offset or Z, minutes optional in the offset as people write them. */
    public static final class InstantConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return OffsetDateTime.parse(value.strip()).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 time with an offset (e.g. 2026-10-01T00:00Z): " + value);
            }
        }
    }
}
