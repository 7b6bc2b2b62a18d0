package dev.kubeproof.report.pkg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.catalog.Framework;
import dev.kubeproof.report.analysis.ControlResult;
import dev.kubeproof.report.analysis.PeriodSummary;

/** {@code summary.json}: the period's figures per framework and control, for tools (the HTML says the same). */
final class SummaryJson {

    private SummaryJson() {
    }

    static ObjectNode of(PeriodSummary summary, Map<String, String> header) {
        ObjectNode root = PackageWriter.JSON.createObjectNode();
        root.put("from", summary.period().from().toString());
        root.put("to", summary.period().to().toString());
        ObjectNode about = root.putObject("about");
        header.forEach(about::put);
        ObjectNode evidence = root.putObject("evidence");
        evidence.put("keys", summary.keys());
        evidence.put("records", summary.records());
        evidence.put("stateAtStart", summary.anchors());
        evidence.put("chainProblems", summary.chainProblemCount());
        evidence.set("firstChainProblems", PackageWriter.strings(summary.chainProblems()));
        ArrayNode frameworks = root.putArray("frameworks");
        for (Framework framework : summary.scope().frameworks()) {
            ObjectNode node = frameworks.addObject();
            node.put("key", framework.key());
            node.put("name", framework.name());
            node.put("version", framework.version());
            putPercent(node, "compliancePercent", summary.frameworkCompliance(framework.key()));
            putPercent(node, "compliancePercentAtEnd", summary.frameworkComplianceAtEnd(framework.key()));
            summary.dailyCompliance().stream().filter(d -> d.framework().equals(framework.key())).findFirst().ifPresent(daily -> {
                ArrayNode days = node.putArray("daily");
                for (int i = 0; i < summary.days().size(); i++) {
                    ObjectNode day = days.addObject();
                    day.put("day", summary.days().get(i).toString());
                    putPercent(day, "compliancePercent", daily.percent().get(i));
                }
            });
        }
        ArrayNode controls = root.putArray("controls");
        for (ControlResult control : summary.controls()) {
            ControlDefinition definition = control.control();
            ObjectNode node = controls.addObject();
            node.put("id", definition.id());
            node.put("title", definition.title());
            node.put("severity", definition.severity().name());
            node.set("requirements", PackageWriter.strings(requirements(definition)));
            node.put("resources", control.resources());
            putPercent(node, "compliancePercent", control.compliancePercent());
            putPercent(node, "compliancePercentAtEnd", control.compliancePercentAtEnd());
            putPercent(node, "exemptPercent", control.sharePercent("EXEMPT"));
            putPercent(node, "notApplicablePercent", control.sharePercent("NOT_APPLICABLE"));
            ObjectNode seconds = node.putObject("secondsByStatus");
            control.millisByStatus().forEach((status, millis) -> seconds.put(status, millis / 1000));
            ObjectNode atEnd = node.putObject("resourcesAtEnd");
            control.resourcesAtEnd().forEach(atEnd::put);
            node.put("violationsOpened", control.opened());
            node.put("violationsClosed", control.closed());
            node.put("violationsClosedByDeletion", control.closedByDeletion());
            node.put("violationsInPeriod", control.violations());
            if (control.meanRemediationMillis() != null) {
                node.put("meanTimeToRemediateSeconds", control.meanRemediationMillis() / 1000);
                node.put("worstTimeToRemediateSeconds", control.worstRemediationMillis() / 1000);
            }
            node.put("exemptions", control.exemptions());
        }
        ArrayNode exceptions = root.putArray("exceptions");
        for (PeriodSummary.ExceptionSummary exception : summary.exceptions()) {
            ObjectNode node = exceptions.addObject();
            node.put("id", exception.exceptionId());
            node.put("approvedBy", exception.approvedBy());
            node.put("expiresAt", exception.expiresAt() == null ? null : exception.expiresAt().toString());
            node.put("state", exception.expired() ? "expired" : "in force");
            node.set("controls", PackageWriter.strings(exception.controls()));
            node.put("resources", exception.resources());
            node.put("reason", exception.reason());
            node.put("ticket", exception.ticket());
        }
        ArrayNode attestations = root.putArray("attestations");
        summary.attestations().forEach(a -> attestations.addObject().put("id", a.attestationId()).put("records", a.records())
                .set("controls", PackageWriter.strings(a.controls())));
        ObjectNode runtime = root.putObject("runtimeDetections");
        summary.runtimeDetections().forEach((control, actors) -> {
            ObjectNode byActor = runtime.putObject(control);
            actors.forEach(byActor::put);
        });
        ArrayNode histogram = root.putArray("timeToRemediateHistogram");
        summary.remediationHistogram().forEach(histogram::add);
        return root;
    }

    /** {@code framework:clause} of a control, e.g. {@code cis:5.2.2}. */
    static List<String> requirements(ControlDefinition control) {
        List<String> requirements = new ArrayList<>();
        new java.util.TreeMap<>(control.frameworks()).forEach((key, clauses) -> clauses.forEach(c -> requirements.add(key + ":" + c)));
        return requirements;
    }

    private static void putPercent(ObjectNode node, String field, Double value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(value * 10_000) / 10_000.0);
        }
    }
}
