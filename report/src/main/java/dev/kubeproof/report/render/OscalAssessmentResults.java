package dev.kubeproof.report.render;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.report.analysis.ControlResult;
import dev.kubeproof.report.analysis.ControlScope;
import dev.kubeproof.report.analysis.PeriodListener.KeyOutcome;
import dev.kubeproof.report.analysis.PeriodSummary;
import dev.kubeproof.report.model.KeyTimeline;
import dev.kubeproof.report.model.Period;
import dev.kubeproof.report.model.Transition;

/**
 * NIST OSCAL 1.1.2 Assessment Results (JSON), written while the evidence is read: one result for the period, one
 * observation per control × resource (its status at the end, the share of the period it passed, and links to its
 * evidence records in {@code evidence.jsonl}), one finding per control (not-satisfied when any resource failed it
 * during the period) relating the observations of the resources that failed. kubeproof assesses continuously and
 * has no separate assessment plan: {@code import-ap} points at a back-matter resource naming the control catalog.
 */
public final class OscalAssessmentResults implements AutoCloseable {
    public static final String OSCAL_VERSION = "1.1.2";
    private static final JsonFactory JSON = new JsonFactory();

    private final JsonGenerator out;
    private final String reportId;
    /** control → observation uuids of resources that failed it in the period (what its finding relates) */
    private final Map<String, List<String>> failingObservations = new LinkedHashMap<>();
    private long observations;

    public OscalAssessmentResults(OutputStream stream, Period period, ControlScope scope, String version, Instant generatedAt,
                                  String reportId) throws IOException {
        this.reportId = reportId;
        this.out = JSON.createGenerator(stream, JsonEncoding.UTF8).useDefaultPrettyPrinter();
        out.writeStartObject();
        out.writeObjectFieldStart("assessment-results");
        out.writeStringField("uuid", Uuids.of(reportId + "/assessment-results"));
        out.writeObjectFieldStart("metadata");
        out.writeStringField("title", "kubeproof compliance evidence, " + period.from() + " to " + period.to());
        out.writeStringField("last-modified", generatedAt.toString());
        out.writeStringField("version", version);
        out.writeStringField("oscal-version", OSCAL_VERSION);
        out.writeEndObject();
        out.writeObjectFieldStart("import-ap");
        out.writeStringField("href", "#" + catalogResource());
        out.writeStringField("remarks", "kubeproof assesses continuously; its control catalog (back-matter) is the plan.");
        out.writeEndObject();
        out.writeArrayFieldStart("results");
        out.writeStartObject();
        out.writeStringField("uuid", Uuids.of(reportId + "/result"));
        out.writeStringField("title", "Continuous assessment " + period.from() + " to " + period.to());
        out.writeStringField("description", "Every evidence transition of the period from kubeproof's hash-chained "
                + "evidence, evaluated against " + scope.controls().size() + " controls.");
        out.writeStringField("start", period.from().toString());
        out.writeStringField("end", period.to().toString());
        out.writeObjectFieldStart("reviewed-controls");
        out.writeArrayFieldStart("control-selections");
        out.writeStartObject();
        out.writeArrayFieldStart("include-controls");
        for (ControlDefinition control : scope.ordered()) {
            out.writeStartObject();
            out.writeStringField("control-id", controlId(control.id()));
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
        out.writeEndArray();
        out.writeEndObject();
        out.writeArrayFieldStart("observations");
    }

    /** The observation of one key. */
    public void observation(KeyTimeline timeline, KeyOutcome outcome) throws IOException {
        Transition last = timeline.any();
        String uuid = Uuids.of(reportId + "/observation/" + timeline.key());
        out.writeStartObject();
        out.writeStringField("uuid", uuid);
        out.writeStringField("title", last.controlId() + " on " + last.resourceLabel());
        String passed = outcome.observedMillis() == 0 ? "" : String.format(Locale.ROOT, "; PASS %.1f%% of its time in the period",
                100.0 * outcome.passMillis() / outcome.observedMillis());
        out.writeStringField("description", (outcome.statusAtEnd() == null ? "Deleted during the period"
                : "Status at the period's end: " + outcome.statusAtEnd()) + passed + ". " + (last.message() == null ? "" : last.message()));
        out.writeArrayFieldStart("props");
        prop("status-at-end", outcome.statusAtEnd() == null ? "deleted" : outcome.statusAtEnd().toLowerCase(Locale.ROOT).replace('_', '-'));
        prop("cluster", last.clusterId());
        out.writeEndArray();
        out.writeArrayFieldStart("methods");
        out.writeString("TEST");
        out.writeEndArray();
        out.writeArrayFieldStart("types");
        out.writeString("finding");
        out.writeEndArray();
        out.writeArrayFieldStart("subjects");
        out.writeStartObject();
        out.writeStringField("subject-uuid", Uuids.of(last.clusterId() + "/" + last.uid()));
        out.writeStringField("type", "resource");
        out.writeStringField("title", last.resourceLabel() + " (cluster " + last.clusterId() + ", uid " + last.uid() + ")");
        out.writeEndObject();
        out.writeEndArray();
        List<Transition> evidence = new ArrayList<>();
        if (timeline.anchor() != null) {
            evidence.add(timeline.anchor());
        }
        evidence.addAll(timeline.records());
        out.writeArrayFieldStart("relevant-evidence");
        for (Transition record : evidence) {
            out.writeStartObject();
            boolean before = record == timeline.anchor();
            out.writeStringField("href", (before ? "state-at-start.jsonl#" : "evidence.jsonl#") + record.evidenceId());
            out.writeStringField("description", record.status() + " since " + record.since() + " (sequence "
                    + record.sequence() + ", SHA-256 " + record.hash() + ")" + (before ? ", the status when the period began" : ""));
            out.writeEndObject();
        }
        out.writeEndArray();
        Instant collected = timeline.records().isEmpty() ? timeline.anchor().since()
                : timeline.records().get(timeline.records().size() - 1).since();
        out.writeStringField("collected", collected.toString());
        out.writeEndObject();
        observations++;
        if (outcome.failedInPeriod()) {
            failingObservations.computeIfAbsent(last.controlId(), c -> new ArrayList<>()).add(uuid);
        }
    }

    /** The findings per control and the back matter; closes the document. */
    public void finish(PeriodSummary summary) throws IOException {
        out.writeEndArray();
        out.writeArrayFieldStart("findings");
        for (ControlResult control : summary.controls()) {
            ControlDefinition definition = control.control();
            List<String> failing = failingObservations.getOrDefault(definition.id(), List.of());
            out.writeStartObject();
            out.writeStringField("uuid", Uuids.of(reportId + "/finding/" + definition.id()));
            out.writeStringField("title", definition.id() + ": " + definition.title());
            Double compliance = control.compliancePercent();
            out.writeStringField("description", (failing.isEmpty() ? "No resource failed the control during the period"
                    : failing.size() + " resource(s) failed the control during the period") + "; "
                    + control.resources() + " resource(s) evaluated; compliance over the period "
                    + (compliance == null ? "not assessed" : String.format(Locale.ROOT, "%.2f%%", compliance)) + ".");
            out.writeArrayFieldStart("props");
            prop("severity", definition.severity().name().toLowerCase(Locale.ROOT));
            if (compliance != null) {
                prop("compliance-percent", String.format(Locale.ROOT, "%.2f", compliance));
            }
            for (Map.Entry<String, List<String>> framework : definition.frameworks().entrySet()) {
                for (String clause : framework.getValue()) {
                    prop("framework-" + framework.getKey(), clause);
                }
            }
            out.writeEndArray();
            out.writeObjectFieldStart("target");
            out.writeStringField("type", "objective-id");
            out.writeStringField("target-id", controlId(definition.id()));
            out.writeObjectFieldStart("status");
            out.writeStringField("state", failing.isEmpty() ? "satisfied" : "not-satisfied");
            out.writeStringField("reason", failing.isEmpty() ? "pass" : "fail");
            out.writeEndObject();
            out.writeEndObject();
            if (!failing.isEmpty()) {
                out.writeArrayFieldStart("related-observations");
                for (String uuid : failing) {
                    out.writeStartObject();
                    out.writeStringField("observation-uuid", uuid);
                    out.writeEndObject();
                }
                out.writeEndArray();
            }
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
        out.writeEndArray();
        out.writeObjectFieldStart("back-matter");
        out.writeArrayFieldStart("resources");
        out.writeStartObject();
        out.writeStringField("uuid", catalogResource());
        out.writeStringField("title", "kubeproof control catalog " + summary.scope().catalogVersion());
        out.writeStringField("description", "The controls this assessment evaluated, with their framework mappings, "
                + "as listed in summary.json of this evidence package.");
        out.writeEndObject();
        out.writeEndArray();
        out.writeEndObject();
        out.writeEndObject();
        out.writeEndObject();
        out.flush();
    }

    public long observations() {
        return observations;
    }

    private String catalogResource() {
        return Uuids.of(reportId + "/catalog");
    }

    private void prop(String name, String value) throws IOException {
        out.writeStartObject();
        out.writeStringField("name", name);
        out.writeStringField("ns", "https://kubeproof.dev/ns/oscal");
        out.writeStringField("value", value);
        out.writeEndObject();
    }

    /** OSCAL control ids are tokens, lower case by convention: KP-POD-001 becomes kp-pod-001. */
    static String controlId(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
