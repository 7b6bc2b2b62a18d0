package dev.kubeproof.report.pkg;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.avro.Checkpoint;
import dev.kubeproof.contract.build.KubeproofBuild;
import dev.kubeproof.contract.signing.Signing;
import dev.kubeproof.report.ReportRequest.Format;
import dev.kubeproof.report.ReportRequest;
import dev.kubeproof.report.analysis.ControlResult;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.analysis.ExemptionInterval;
import dev.kubeproof.report.analysis.PeriodAnalysis;
import dev.kubeproof.report.analysis.PeriodListener;
import dev.kubeproof.report.analysis.PeriodSummary;
import dev.kubeproof.report.analysis.ViolationInterval;
import dev.kubeproof.report.checkpoint.CheckpointLines;
import dev.kubeproof.report.checkpoint.CheckpointSource;
import dev.kubeproof.report.checkpoint.CheckpointVerification;
import dev.kubeproof.report.model.ChainCheck;
import dev.kubeproof.report.model.KeyTimeline;
import dev.kubeproof.report.model.Transition;
import dev.kubeproof.report.render.Csv;
import dev.kubeproof.report.render.HtmlReport;
import dev.kubeproof.report.render.OscalAssessmentResults;
import dev.kubeproof.report.render.PdfReport;
import dev.kubeproof.report.source.EvidenceSource;

/**
 * Writes an evidence package: reads the period's evidence key by key, writes the line-per-record files as it goes
 * (evidence appendix, state at start, chains, CSVs, OSCAL observations), then the summary, HTML, PDF and last the
 * manifest with every file's SHA-256, signed when a key is given.
 */
public final class PackageWriter {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINES = new ObjectMapper();

    private final ControlScope scope;
    private final Clock clock;

    public PackageWriter(ControlScope scope, Clock clock) {
        this.scope = scope;
        this.clock = clock;
    }

    /** A package without checkpoints (a store that has none): its checkpoint file is empty. */
    public Result write(EvidenceSource source, ReportRequest request, Consumer<String> progress) throws IOException {
        return write(source, null, request, progress);
    }

    /** What was written. */
    public record Result(Path directory, PeriodSummary summary, CheckpointVerification checkpoints, List<String> files) {
    }

    /**
     * Writes the package of a period.
     *
     * @param checkpoints where the pipeline's checkpoints and the store's chain heads are; null when there are none
     */
    public Result write(EvidenceSource source, CheckpointSource checkpoints, ReportRequest request, Consumer<String> progress)
            throws IOException {
        Path dir = request.out();
        boolean created = prepare(dir);
        try {
            return writeInto(dir, source, checkpoints, request, progress);
        } catch (IOException | RuntimeException | Error e) {
            // A package that stopped half-way (the store went away, no such index) must not be mistaken for one:
            // the directory was new or empty, so everything in it is this attempt's.
            removePartial(dir, created, e);
            throw e;
        }
    }

    private Result writeInto(Path dir, EvidenceSource source, CheckpointSource checkpoints, ReportRequest request,
                             Consumer<String> progress) throws IOException {
        Instant generatedAt = clock.instant();
        String reportId = request.period().from() + "/" + request.period().to() + "/" + request.filter();
        PeriodSummary summary;
        Map<String, Long> counts;
        try (Files files = new Files(dir, request, scope, generatedAt, reportId)) {
            PeriodAnalysis analysis = new PeriodAnalysis(request.period(), scope, files);
            source.read(request.period(), scope.controls().keySet(), request.filter(), analysis,
                    keys -> progress.accept("read " + keys + " evidence keys"));
            summary = analysis.summary();
            files.finish(summary);
            counts = files.counts();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        CheckpointVerification checked = checkpoints(checkpoints, request, progress);
        Map<String, String> header = header(request, summary, checked, generatedAt);
        if (request.formats().contains(Format.JSON)) {
            JSON.writeValue(dir.resolve(PackageFiles.SUMMARY_JSON).toFile(), SummaryJson.of(summary, header));
        }
        if (request.formats().contains(Format.HTML) || request.formats().contains(Format.PDF)) {
            String html = HtmlReport.render(summary, header);
            if (request.formats().contains(Format.HTML)) {
                java.nio.file.Files.writeString(dir.resolve(PackageFiles.HTML), html, StandardCharsets.UTF_8);
            }
            if (request.formats().contains(Format.PDF)) {
                progress.accept("rendering the PDF");
                try (OutputStream out = new BufferedOutputStream(java.nio.file.Files.newOutputStream(dir.resolve(PackageFiles.PDF)))) {
                    PdfReport.render(html, out);
                }
            }
        }
        try (OutputStream out = new BufferedOutputStream(java.nio.file.Files.newOutputStream(dir.resolve(PackageFiles.CHECKPOINTS)))) {
            for (Checkpoint checkpoint : checked.checkpoints()) {
                out.write(CheckpointLines.line(checkpoint));
            }
        }
        // last, when every other file is complete: the manifest hashes them
        List<String> written = Manifest.write(dir, request, summary, checked, scope, generatedAt, counts);
        return new Result(dir, summary, checked, written);
    }

    private static CheckpointVerification checkpoints(CheckpointSource source, ReportRequest request,
                                                      Consumer<String> progress) throws IOException {
        if (source == null) {
            return new CheckpointVerification(List.of(), List.of(), List.of());
        }
        List<Checkpoint> covering = source.covering(request.period());
        progress.accept("checking " + covering.size() + " checkpoint(s) and recomputing the last root of each partition");
        return CheckpointVerification.of(covering, request.checkpointKey() == null ? null
                : Signing.publicKey(request.checkpointKey()), source);
    }

    private static Map<String, String> header(ReportRequest request, PeriodSummary summary, CheckpointVerification checkpoints,
                                              Instant generatedAt) {
        Map<String, String> header = new LinkedHashMap<>();
        header.put("Period", request.period().from() + " to " + request.period().to() + " (end excluded)");
        header.put("Frameworks", request.filter().frameworks().isEmpty() ? "all" : String.join(", ", request.filter().frameworks()));
        header.put("Controls", request.filter().controls().isEmpty() ? summary.controls().size() + " (all in scope)"
                : String.join(", ", request.filter().controls()));
        header.put("Clusters", request.filter().clusters().isEmpty() ? "all" : String.join(", ", request.filter().clusters()));
        header.put("Namespaces", request.filter().namespaces().isEmpty() ? "all" : String.join(", ", request.filter().namespaces()));
        header.put("Evidence", summary.records() + " records in the period on " + summary.keys() + " control × resource keys ("
                + summary.anchors() + " with a status from before the period)");
        header.put("Hash chains", summary.chainProblemCount() == 0 ? "verified: every record matches its hash and links to "
                + "the one before it" : summary.chainProblemCount() + " key(s) FAILED verification, first: "
                + summary.chainProblems().get(0));
        header.put("Checkpoints", checkpointLine(checkpoints, request));
        header.put("Generated", generatedAt + " by kubeproof " + KubeproofBuild.version() + ", control catalog "
                + summary.scope().catalogVersion());
        header.put("Signed", request.signKey() == null ? "no" : "Ed25519, manifest.json.sig");
        return header;
    }

    private static String checkpointLine(CheckpointVerification checkpoints, ReportRequest request) {
        if (checkpoints.checkpoints().isEmpty()) {
            return "none covers the period (the pipeline checkpoints every checkpointInterval; an older store has none)";
        }
        if (!checkpoints.ok()) {
            return checkpoints.problems().size() + " problem(s), first: " + checkpoints.problems().get(0);
        }
        return checkpoints.checkpoints().size() + " verified" + (request.checkpointKey() == null
                ? " (signatures not checked: no --checkpoint-key)" : ", signatures valid") + "; the roots of "
                + checkpoints.recomputed().size() + " partition(s) recomputed from the store match";
    }

    /** Checks that the directory is new or empty and makes it: true when it did not exist. */
    private static boolean prepare(Path dir) throws IOException {
        if (java.nio.file.Files.exists(dir)) {
            try (Stream<Path> entries = java.nio.file.Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("the output directory " + dir + " is not empty; give a new or empty one");
                }
            }
            return false;
        }
        java.nio.file.Files.createDirectories(dir);
        return true;
    }

    private static void removePartial(Path dir, boolean created, Throwable cause) {
        try (Stream<Path> entries = java.nio.file.Files.walk(dir)) {
            for (Path path : entries.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!path.equals(dir) || created) {
                    java.nio.file.Files.deleteIfExists(path);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            cause.addSuppressed(e);
        }
    }

    /** The files written while reading, as the analysis's listener. */
    private static final class Files implements PeriodListener, AutoCloseable {
        private final OutputStream evidence;
        private final OutputStream stateAtStart;
        private final OutputStream chains;
        private final Csv evidenceCsv;
        private final Csv violations;
        private final Csv exemptions;
        private final OscalAssessmentResults oscal;
        private final List<AutoCloseable> open = new ArrayList<>();
        private final Path dir;
        private final boolean csv;
        private final Map<String, Long> counts = new TreeMap<>();

        Files(Path dir, ReportRequest request, ControlScope scope, Instant generatedAt, String reportId) throws IOException {
            this.dir = dir;
            this.csv = request.formats().contains(Format.CSV);
            evidence = stream(PackageFiles.EVIDENCE);
            stateAtStart = stream(PackageFiles.STATE_AT_START);
            chains = stream(PackageFiles.CHAINS);
            evidenceCsv = csv ? csv(PackageFiles.EVIDENCE_CSV, List.of("evidence_id", "key", "sequence", "since", "control_id",
                    "severity", "status", "previous_status", "cluster", "namespace", "kind", "name", "actor", "cause",
                    "exception_id", "approved_by", "message", "hash")) : null;
            violations = csv ? csv(PackageFiles.VIOLATIONS_CSV, List.of("control_id", "severity", "cluster", "resource", "since",
                    "until", "closed_by", "actor", "message", "remediation", "key", "evidence_id")) : null;
            exemptions = csv ? csv(PackageFiles.EXEMPTIONS_CSV, List.of("control_id", "cluster", "resource", "since", "until",
                    "exception_id", "approved_by", "expires_at", "reason", "ticket", "key")) : null;
            oscal = request.formats().contains(Format.OSCAL) ? register(new OscalAssessmentResults(stream(PackageFiles.OSCAL),
                    request.period(), scope, KubeproofBuild.version(), generatedAt, reportId)) : null;
        }

        private OutputStream stream(String name) throws IOException {
            return register(new BufferedOutputStream(java.nio.file.Files.newOutputStream(dir.resolve(name)), 1 << 16));
        }

        private Csv csv(String name, List<String> header) throws IOException {
            return register(new Csv(stream(name), header));
        }

        private <T extends AutoCloseable> T register(T closeable) {
            open.add(closeable);
            return closeable;
        }

        @Override
        public void key(KeyTimeline timeline, ChainCheck chain, KeyOutcome outcome) {
            try {
                if (timeline.anchor() != null) {
                    line(stateAtStart, timeline.anchor());
                    counts.merge("stateAtStart", 1L, Long::sum);
                }
                for (Transition record : timeline.records()) {
                    line(evidence, record);
                    counts.merge("records", 1L, Long::sum);
                    if (evidenceCsv != null) {
                        evidenceCsv.row(record.evidenceId(), record.key(), record.sequence(), record.since(), record.controlId(),
                                record.severity(), record.status(), record.previousStatus(), record.clusterId(), record.namespace(),
                                record.kind(), record.name(), record.actor(), record.changeType(),
                                record.exemption() == null ? null : record.exemption().exceptionId(),
                                record.exemption() == null ? null : record.exemption().approvedBy(), record.message(), record.hash());
                    }
                }
                ObjectNode node = LINES.createObjectNode();
                node.put("key", chain.key());
                node.put("firstSequence", chain.firstSequence());
                node.put("lastSequence", chain.lastSequence());
                node.put("records", chain.records());
                node.put("anchorSequence", timeline.anchor() == null ? 0 : timeline.anchor().sequence());
                node.put("anchorHash", timeline.anchor() == null ? null : timeline.anchor().hash());
                node.put("lastHash", chain.lastHash());
                node.put("verified", chain.ok());
                if (!chain.ok()) {
                    node.put("problem", chain.problem());
                }
                chains.write(LINES.writeValueAsBytes(node));
                chains.write('\n');
                counts.merge("keys", 1L, Long::sum);
                if (oscal != null) {
                    oscal.observation(timeline, outcome);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void violation(ViolationInterval v) {
            counts.merge("violations", 1L, Long::sum);
            row(violations, v.controlId(), v.severity(), v.clusterId(), v.resource(), v.since(), v.until(), v.closedBy(),
                    v.actor(), v.message(), v.remediation(), v.key(), v.evidenceId());
        }

        @Override
        public void exemption(ExemptionInterval e) {
            counts.merge("exemptions", 1L, Long::sum);
            row(exemptions, e.controlId(), e.clusterId(), e.resource(), e.since(), e.until(), e.exceptionId(), e.approvedBy(),
                    e.expiresAt(), e.reason(), e.ticket(), e.key());
        }

        /** A row of a CSV file that is written (null when CSV was not asked for). */
        private static void row(Csv file, Object... values) {
            if (file != null) {
                try {
                    file.row(values);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        void finish(PeriodSummary summary) throws IOException {
            if (oscal != null) {
                oscal.finish(summary);
            }
            if (csv) {
                try (Csv controls = new Csv(java.nio.file.Files.newOutputStream(dir.resolve(PackageFiles.CONTROLS_CSV)),
                        List.of("control_id", "title", "severity", "frameworks", "resources", "compliance_percent",
                                "compliance_percent_at_end", "pass_seconds", "fail_seconds", "error_seconds", "exempt_seconds",
                                "not_applicable_seconds", "violations_opened", "violations_closed",
                                "mean_time_to_remediate_seconds", "worst_time_to_remediate_seconds"))) {
                    for (ControlResult c : summary.controls()) {
                        controls.row(c.control().id(), c.control().title(), c.control().severity(),
                                String.join(" ", SummaryJson.requirements(c.control())), c.resources(), number(c.compliancePercent()),
                                number(c.compliancePercentAtEnd()), c.millis("PASS") / 1000, c.millis("FAIL") / 1000,
                                c.millis("ERROR") / 1000, c.millis("EXEMPT") / 1000, c.millis("NOT_APPLICABLE") / 1000, c.opened(),
                                c.closed(), c.meanRemediationMillis() == null ? null : c.meanRemediationMillis() / 1000,
                                c.worstRemediationMillis() == null ? null : c.worstRemediationMillis() / 1000);
                    }
                }
            }
        }

        Map<String, Long> counts() {
            return counts;
        }

        private static String number(Double value) {
            return value == null ? null : String.format(Locale.ROOT, "%.4f", value);
        }

        private static void line(OutputStream out, Transition record) throws IOException {
            try (JsonGenerator json = LINES.getFactory().createGenerator(new NonClosing(out))) {
                json.writeStartObject();
                json.writeStringField("key", record.key());
                json.writeNumberField("sequence", record.sequence());
                json.writeStringField("hash", record.hash());
                json.writeStringField("canonical", record.canonical());
                json.writeEndObject();
            }
            out.write('\n');
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e instanceof IOException io ? io : new IOException(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /** Lets a generator write into a shared stream without closing it. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    static String sha256(Path file) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON array of the strings. */
    static ArrayNode strings(List<String> values) {
        ArrayNode array = JSON.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
