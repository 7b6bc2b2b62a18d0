#!/usr/bin/env python3
"""Writes kubeproof.ndjson: kubeproof's Kibana saved objects (data views, searches, Lens visualizations, dashboard).

Run it after changing an object here; the sink's KibanaSavedObjectsTest checks every field against the index
templates, and the cli's RunCommandIT runs every query and aggregation against the sample's real documents.
"""
import json
import os

MIGRATION = {"managed": False, "coreMigrationVersion": "8.8.0"}
objects = []


def data_view(id_, title, name, time_field=None):
    attributes = {"title": title, "name": name, "allowNoIndex": True}
    if time_field:
        attributes["timeFieldName"] = time_field
    objects.append({"type": "index-pattern", "id": id_, "attributes": attributes, "references": [], **MIGRATION,
                    "typeMigrationVersion": "8.0.0"})


def search(id_, title, description, view, query, columns, sort):
    source = {"query": {"query": query, "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    objects.append({"type": "search", "id": id_, "attributes": {
        "title": title, "description": description, "columns": columns, "sort": sort,
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)}},
        "references": [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": view}],
        **MIGRATION, "typeMigrationVersion": "10.2.0"})


def terms(field, label, size=10, order_by="count", missing=False):
    return {"label": label, "dataType": "string", "operationType": "terms", "scale": "ordinal", "sourceField": field,
            "isBucketed": True, "params": {"size": size, "orderBy": {"type": "column", "columnId": order_by},
                                            "orderDirection": "desc", "otherBucket": False, "missingBucket": missing,
                                            "parentFormat": {"id": "terms"}}}


def date_histogram(field="@timestamp"):
    return {"label": field, "dataType": "date", "operationType": "date_histogram", "sourceField": field,
            "isBucketed": True, "scale": "interval", "params": {"interval": "auto", "includeEmptyRows": True,
                                                                "dropPartials": False}}


def count(label="Count"):
    return {"label": label, "dataType": "number", "operationType": "count", "isBucketed": False, "scale": "ratio",
            "sourceField": "___records___", "params": {"emptyAsNull": True}}


def average(field, label):
    return {"label": label, "dataType": "number", "operationType": "average", "sourceField": field,
            "isBucketed": False, "scale": "ratio", "params": {"emptyAsNull": True}}


def lens(id_, title, description, view, query, columns, visualization_type, visualization):
    layer = {"columns": columns, "columnOrder": list(columns), "incompleteColumns": {}}
    objects.append({"type": "lens", "id": id_, "attributes": {
        "title": title, "description": description, "visualizationType": visualization_type,
        "state": {"datasourceStates": {"formBased": {"layers": {"layer1": layer}}},
                  "visualization": visualization, "query": {"query": query, "language": "kuery"}, "filters": []}},
        "references": [{"type": "index-pattern", "id": view, "name": "indexpattern-datasource-layer-layer1"}],
        **MIGRATION, "typeMigrationVersion": "8.9.0"})


def xy(series, x, y, split=None):
    layer = {"layerId": "layer1", "layerType": "data", "seriesType": series, "xAccessor": x, "accessors": [y],
             "position": "top", "showGridlines": False}
    if split:
        layer["splitAccessor"] = split
    return {"legend": {"isVisible": True, "position": "right"}, "valueLabels": "hide", "preferredSeriesType": series,
            "layers": [layer]}


def table(*column_ids):
    return {"layerId": "layer1", "layerType": "data", "columns": [{"columnId": c} for c in column_ids]}


FAILING = 'kubeproof.status : "FAIL"'
RUNTIME = 'kubeproof.cause.change_type : "AUDIT" and kubeproof.status : "FAIL"'

data_view("kubeproof-evidence", "kubeproof-evidence", "kubeproof evidence history", "@timestamp")
data_view("kubeproof-posture", "kubeproof-posture", "kubeproof posture (now)")
data_view("kubeproof-violations", "logs-kubeproof.violations-*", "kubeproof violations", "@timestamp")
data_view("kubeproof-violations-ocsf", "kubeproof-violations-ocsf", "kubeproof violations (OCSF)", "@timestamp")
data_view("kubeproof-audit", "logs-kubernetes.audit_logs-*", "Kubernetes audit events", "@timestamp")
data_view("kubeproof-posture-history", "kubeproof-posture-history", "kubeproof posture over time", "@timestamp")
data_view("kubeproof-misconfigurations", "security_solution-kubeproof.misconfiguration_latest",
          "kubeproof misconfiguration findings", "@timestamp")

search("kubeproof-open-violations", "kubeproof: open violations",
       "Every (cluster, control, resource) failing now, most severe first.", "kubeproof-posture", FAILING,
       ["rule.id", "rule.name", "kubeproof.severity", "orchestrator.cluster.name", "orchestrator.namespace",
        "resource.sub_type", "orchestrator.resource.name", "message", "kubeproof.since", "user.name"],
       [["event.severity", "desc"], ["kubeproof.since", "asc"]])
search("kubeproof-violations-by-control", "kubeproof: violations by control",
       "Violations opened (ECS, logs-kubeproof.violations-*), grouped by control.", "kubeproof-violations",
       'event.action : "control-failed"',
       ["rule.id", "rule.name", "orchestrator.namespace", "orchestrator.resource.name", "message", "user.name"],
       [["rule.id", "asc"], ["@timestamp", "desc"]])
search("kubeproof-violations-by-namespace", "kubeproof: violations by namespace",
       "Violations opened, grouped by namespace (cluster-scoped objects have none).", "kubeproof-violations",
       'event.action : "control-failed"',
       ["orchestrator.namespace", "rule.id", "orchestrator.resource.name", "kubeproof.severity", "message"],
       [["orchestrator.namespace", "asc"], ["@timestamp", "desc"]])
search("kubeproof-ocsf-findings", "kubeproof: violation findings (OCSF)",
       "OCSF Compliance Findings created, when the violations topic carries OCSF (violationsFormat: ocsf).",
       "kubeproof-violations-ocsf", 'activity_name : "Create"',
       ["finding_info.uid", "compliance.control", "severity", "status", "message"],
       [["severity_id", "desc"], ["@timestamp", "desc"]])
search("kubeproof-exceptions", "kubeproof: exemptions in force",
       "Every (cluster, control, resource) a control exception exempts now, soonest expiry first: who approved it, "
       "why, until when (current posture, so expired or revoked exemptions are gone).", "kubeproof-posture",
       'kubeproof.status : "EXEMPT"',
       ["rule.id", "orchestrator.cluster.name", "orchestrator.namespace", "resource.sub_type",
        "orchestrator.resource.name", "kubeproof.exception.id", "kubeproof.exception.approved_by",
        "kubeproof.exception.expires_at", "kubeproof.exception.reason", "kubeproof.exception.ticket"],
       [["kubeproof.exception.expires_at", "asc"]])
search("kubeproof-attested-practices", "kubeproof: attested practices",
       "Each attestation control per cluster: PASS while attested (who, evidence link), FAIL when never attested or "
       "expired.", "kubeproof-posture", 'orchestrator.resource.type : "clusters"',
       ["rule.id", "rule.name", "orchestrator.cluster.name", "kubeproof.status", "message",
        "kubeproof.cause.attestation_id", "kubeproof.since"],
       [["kubeproof.status", "asc"], ["rule.id", "asc"]])
search("kubeproof-runtime-detections", "kubeproof: runtime detections (who did what)",
       "Every runtime detection (KP-RUN-*) with its actor and source IPs, newest first.", "kubeproof-evidence",
       RUNTIME,
       ["rule.id", "message", "kubeproof.actor", "kubeproof.attribution.source_ips", "orchestrator.cluster.name",
        "orchestrator.namespace", "kubeproof.cause.audit_id"],
       [["kubeproof.since", "desc"]])

lens("kubeproof-posture-over-time", "Compliance by framework over time",
     "PASS / (PASS + FAIL) per framework, as recorded every hour (and at the end of `kubeproof run`).",
     "kubeproof-posture-history", "",
     {"time": date_histogram(), "compliance": average("kubeproof.posture.compliance_percent", "Compliance (%)"),
      "framework": terms("kubeproof.framework", "Framework", size=10, order_by="compliance")},
     "lnsXY", xy("line", "time", "compliance", "framework"))
lens("kubeproof-posture-by-framework", "Posture by framework (now)",
     "Share of each status per framework in the current posture (EXEMPT and NOT_APPLICABLE shown apart).",
     "kubeproof-posture", "",
     {"standard": terms("kubeproof.compliance.standards", "Framework"), "count": count("Controls × resources"),
      "status": terms("kubeproof.status", "Status", size=6)},
     "lnsXY", xy("bar_horizontal_percentage_stacked", "standard", "count", "status"))
lens("kubeproof-violations-over-time", "Violations opened over time by severity",
     "Violations opened per interval (ECS violations data stream), by control severity.",
     "kubeproof-violations", 'event.action : "control-failed"',
     {"time": date_histogram(), "count": count("Violations opened"),
      "severity": terms("kubeproof.severity", "Severity", size=5)},
     "lnsXY", xy("bar_stacked", "time", "count", "severity"))
lens("kubeproof-top-failing-controls", "Top failing controls",
     "Controls failing on the most resources now.", "kubeproof-posture", FAILING,
     {"control": terms("rule.id", "Control"), "title": terms("rule.name", "Title", size=1),
      "count": count("Failing resources")},
     "lnsDatatable", table("control", "title", "count"))
lens("kubeproof-top-failing-resources", "Top failing resources, their owners and who changed them",
     "Resources failing the most controls now, with their namespace (empty for cluster-scoped objects), kind, owner "
     "labels (ownerLabelKeys) and the actor of the change that made them fail.", "kubeproof-posture", FAILING,
     {"resource": terms("orchestrator.resource.name", "Resource", size=20),
      "namespace": terms("orchestrator.namespace", "Namespace", size=1, missing=True),
      "kind": terms("resource.sub_type", "Kind", size=1),
      "owner": terms("kubeproof.resource.owner", "Owner (labels)", size=3, missing=True),
      "actor": terms("user.name", "Changed by", size=3, missing=True),
      "count": count("Failing controls")},
     "lnsDatatable", table("resource", "namespace", "kind", "owner", "actor", "count"))
lens("kubeproof-top-failing-namespaces", "Top failing namespaces",
     "Failing (control, resource) pairs per namespace now; cluster-scoped objects in their own bar.",
     "kubeproof-posture", FAILING,
     {"namespace": terms("orchestrator.namespace", "Namespace", size=15, missing=True),
      "count": count("Failing controls × resources")},
     "lnsXY", xy("bar_horizontal", "namespace", "count"))
lens("kubeproof-time-to-remediate", "Time to remediate (seconds) by control",
     "Mean time from a violation's opening to its fix, per control (evidence history).",
     "kubeproof-evidence", "kubeproof.time_to_remediate_seconds : *",
     {"control": terms("rule.id", "Control", order_by="ttr"),
      "ttr": average("kubeproof.time_to_remediate_seconds", "Mean time to remediate (s)")},
     "lnsXY", xy("bar", "control", "ttr"))
lens("kubeproof-runtime-detections-by-actor", "Runtime detections by actor",
     "Who triggered runtime detections (KP-RUN-*), and which.", "kubeproof-evidence", RUNTIME,
     {"actor": terms("kubeproof.actor", "Actor", size=20), "control": terms("rule.id", "Control", size=10),
      "count": count("Detections")},
     "lnsDatatable", table("actor", "control", "count"))

panels, references = [], []
layout = [("lens", "kubeproof-posture-over-time", 0, 0, 24, 15),
          ("lens", "kubeproof-posture-by-framework", 24, 0, 24, 15),
          ("lens", "kubeproof-violations-over-time", 0, 72, 48, 15),
          ("lens", "kubeproof-top-failing-controls", 0, 15, 16, 15),
          ("lens", "kubeproof-top-failing-resources", 16, 15, 32, 15),
          ("search", "kubeproof-runtime-detections", 0, 30, 24, 15),
          ("lens", "kubeproof-runtime-detections-by-actor", 24, 30, 24, 15),
          ("search", "kubeproof-exceptions", 0, 45, 48, 12),
          ("lens", "kubeproof-top-failing-namespaces", 0, 57, 24, 15),
          ("lens", "kubeproof-time-to-remediate", 24, 57, 24, 15)]
for n, (kind, id_, x, y, w, h) in enumerate(layout, start=1):
    panels.append({"version": "8.8.0", "type": kind, "gridData": {"x": x, "y": y, "w": w, "h": h, "i": str(n)},
                   "panelIndex": str(n), "embeddableConfig": {}, "panelRefName": "panel_%d" % n})
    references.append({"name": "panel_%d" % n, "type": kind, "id": id_})
objects.append({"type": "dashboard", "id": "kubeproof-compliance", "attributes": {
    "title": "kubeproof: compliance posture",
    "description": "Compliance by framework over time and now, violations over time, top failing controls and resources with who changed "
                   "them, recent runtime detections with their actors, exemptions by expiry, failing namespaces, "
                   "time to remediate.",
    "panelsJSON": json.dumps(panels), "optionsJSON": json.dumps({"useMargins": True, "syncColors": False,
                                                                  "hidePanelTitles": False}),
    "timeRestore": False, "version": 1,
    "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"},
                                                              "filter": []})}},
    "references": references, **MIGRATION, "typeMigrationVersion": "8.9.0"})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "kubeproof.ndjson"), "w") as out:
    for o in objects:
        out.write(json.dumps(o) + "\n")
