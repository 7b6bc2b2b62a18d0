"""Writes the sample bundle: manifests, audit log, Trivy reports, expectations, index."""
import json, os, sys, textwrap, copy, hashlib
import yaml
from sample import *

OUT = sys.argv[1]
MANIFESTS = os.path.join(OUT, "manifests")
for d in (MANIFESTS, os.path.join(OUT, "audit"), os.path.join(OUT, "trivy")):
    os.makedirs(d, exist_ok=True)

# ---------------------------------------------------------------- resourceVersions in creation order
order = sorted(range(len(OBJECTS)), key=lambda i: (OBJECTS[i]["obj"]["metadata"]["creationTimestamp"], i))
rv = 184200
for n, i in enumerate(order):
    rv += 7 + (n * 5) % 11
    meta = OBJECTS[i]["obj"]["metadata"]
    # keep metadata key order as the API server writes it: name, namespace, uid, resourceVersion, generation, ...
    items = list(meta.items())
    new = {}
    for k, v in items:
        new[k] = v
        if k == "uid":
            new["resourceVersion"] = str(rv)
    OBJECTS[i]["obj"]["metadata"] = new
MAX_RV = rv

def rv_after(when, offset=1):
    """A resourceVersion for an event outside the final state, consistent with the objects created before it."""
    before = [int(e["obj"]["metadata"]["resourceVersion"]) for e in OBJECTS if e["obj"]["metadata"]["creationTimestamp"] <= when]
    return str(max(before) + offset)

# ---------------------------------------------------------------- YAML
class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True

def str_presenter(dumper, data):
    if "\n" in data and not data.startswith("{"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)
Dumper.add_representer(str, str_presenter)

FILE_HEADERS = {
    "00-cluster.yaml": "Cluster-scoped objects from the kubeadm bootstrap (2025-06-01): nodes, built-in RBAC, the default namespace.",
    "01-kube-system.yaml": "kube-system: control-plane static pods (mirror pods), CoreDNS and kube-proxy.",
    "02-cluster-rbac.yaml": "Cluster-wide RBAC the platform team added on go-live day (2025-06-02), and the cluster-admin binding of 10:30.",
    "10-payments.yaml": "payments: the well-run namespace. PSA restricted, default deny, quota, limit range; mostly compliant workloads.",
    "20-web.yaml": "web: the shop. PSA baseline, ingress-only default deny, a role bound to system:anonymous.",
    "30-data.yaml": "data: analytics stores. PSA warns only, default deny both ways, no quota; many hardening gaps.",
    "40-monitoring.yaml": "monitoring: observability and security agents. No PSA, no network policies, host access.",
    "50-batch.yaml": "batch: scheduled and one-off jobs. PSA privileged (enforces nothing), egress-only default deny.",
    "60-default.yaml": "default: strays that should live in their own namespaces.",
    "70-ingress-nginx.yaml": "ingress-nginx: the ingress controller behind the cluster's one public LoadBalancer.",
}

def yaml_doc(entry):
    lines = []
    o = entry["obj"]
    title = f"{o['kind']} {o['metadata'].get('namespace', '') + '/' if o['metadata'].get('namespace') else ''}{o['metadata']['name']}"
    text = title + (": " + entry["comment"] if entry["comment"] else "")
    for l in textwrap.wrap(text, 116):
        lines.append("# " + l)
    if entry["expect"]:
        for l in textwrap.wrap("kubeproof should FAIL: " + ", ".join(entry["expect"]), 116):
            lines.append("# " + l)
    body = yaml.dump(o, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=False)
    return "---\n" + "\n".join(lines) + "\n" + body

files = {}
for e in OBJECTS:
    files.setdefault(e["file"], []).append(e)
manifest_names = sorted(files)
for name in manifest_names:
    with open(os.path.join(MANIFESTS, name), "w") as f:
        f.write("# kubeproof demo sample cluster: " + FILE_HEADERS[name] + "\n")
        f.write("# Fixed uids and timestamps keep kubeproof's evidence ids identical on every run. All secret values are fake.\n")
        for e in files[name]:
            f.write(yaml_doc(e))

# ---------------------------------------------------------------- audit log
KUBECTL = "kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd"
KCM = "kube-controller-manager/v1.32.4 (linux/amd64) kubernetes/59526cd/system:serviceaccount:kube-system:{}"
def sa_user(name):
    return {"username": f"system:serviceaccount:kube-system:{name}", "uid": uid_for("ServiceAccount", "kube-system", name),
            "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]}
def controller_reason(name):
    return (f'RBAC: allowed by ClusterRoleBinding "system:controller:{name}" of ClusterRole "system:controller:{name}" '
            f'to ServiceAccount "{name}/kube-system"')
ACTORS = {
    "alice": ({"username": "alice@example.com", "groups": ["system:masters", "system:authenticated"]}, ["10.0.0.15"], KUBECTL, ""),
    "ci": ({"username": "ci-pipeline", "groups": ["deployers", "system:authenticated"]}, ["10.0.5.20"], KUBECTL,
           'RBAC: allowed by ClusterRoleBinding "ci-pipeline" of ClusterRole "ci-deployer" to Group "deployers"'),
    "sa-controller": (sa_user("service-account-controller"), ["10.0.1.10"], KCM.format("service-account-controller"),
                      controller_reason("service-account-controller")),
    "sts-controller": (sa_user("statefulset-controller"), ["10.0.1.10"], KCM.format("statefulset-controller"),
                       controller_reason("statefulset-controller")),
    "ns-controller": (sa_user("namespace-controller"), ["10.0.1.10"], KCM.format("namespace-controller"),
                      controller_reason("namespace-controller")),
    "bob": ({"username": "bob@example.com", "groups": ["payments-developers", "developers", "system:authenticated"]}, ["10.0.0.23"],
            "kubectl/v1.32.4 (darwin/arm64) kubernetes/59526cd", None),
    "anonymous": ({"username": "system:anonymous", "groups": ["system:unauthenticated"]}, ["203.0.113.45"], "curl/8.5.0", None),
}
ACTORS["alice-create-crb"] = ACTORS["alice"]
ACTORS["kcm"] = ({"username": "system:kube-controller-manager", "groups": ["system:authenticated"]}, ["10.0.1.10"],
                 "kube-controller-manager/v1.32.4 (linux/amd64) kubernetes/59526cd/tokens-controller",
                 'RBAC: allowed by ClusterRoleBinding "system:kube-controller-manager" of ClusterRole "system:kube-controller-manager" '
                 'to User "system:kube-controller-manager"')

PLURAL = {"Namespace": "namespaces", "Node": "nodes", "Pod": "pods", "Service": "services", "ServiceAccount": "serviceaccounts",
          "ConfigMap": "configmaps", "Secret": "secrets", "ResourceQuota": "resourcequotas", "LimitRange": "limitranges",
          "Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets", "Job": "jobs", "CronJob": "cronjobs",
          "NetworkPolicy": "networkpolicies", "Ingress": "ingresses", "Role": "roles", "ClusterRole": "clusterroles",
          "RoleBinding": "rolebindings", "ClusterRoleBinding": "clusterrolebindings"}

def level_for(namespace, resource, subresource, verb):
    # The cluster's audit policy, first match wins. Rule 1 is the misconfiguration: it sits above the Secret rule.
    if namespace == "payments":
        return "RequestResponse"
    if resource in ("secrets", "configmaps", "tokenreviews"):
        return "Metadata"
    if subresource in ("exec", "attach", "portforward"):
        return "Metadata"
    if verb in ("create", "update", "patch", "delete", "deletecollection"):
        return "RequestResponse"
    return "Metadata"

def micros(label, lo, hi):
    return lo + int(hashlib.sha256(label.encode()).hexdigest(), 16) % (hi - lo)

def timestamps(second, label, duration_ms=(2, 12)):
    received = ts(second) + timedelta(microseconds=micros(label + "/r", 100000, 800000))
    stage = received + timedelta(microseconds=micros(label + "/s", duration_ms[0] * 1000, duration_ms[1] * 1000))
    return fmt_micro(received), fmt_micro(stage)

EVENTS = []

def event(label, actor, verb, uri, object_ref, code, second, stage="ResponseComplete", request=None, response=None,
          status_extra=None, decision="allow", reason=None, extra_annotations=None, level=None, received=None, stage_ts=None):
    user, ips, agent, default_reason = ACTORS[actor]
    ns = object_ref.get("namespace") if object_ref else None
    res_ = object_ref.get("resource") if object_ref else None
    sub = object_ref.get("subresource") if object_ref else None
    level = level or level_for(ns, res_, sub, verb)
    r, s = timestamps(second, label)
    if received:
        r = received
    if stage_ts:
        s = stage_ts
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": audit_id(label), "stage": stage,
         "requestURI": uri, "verb": verb, "user": user, "sourceIPs": ips, "userAgent": agent}
    if object_ref:
        e["objectRef"] = object_ref
    status = {"metadata": {}}
    if status_extra:
        status.update(status_extra)
    status["code"] = code
    e["responseStatus"] = status
    if level in ("Request", "RequestResponse") and request is not None:
        e["requestObject"] = request
    if level == "RequestResponse" and response is not None:
        e["responseObject"] = response
    e["requestReceivedTimestamp"] = r
    e["stageTimestamp"] = s
    ann = {"authorization.k8s.io/decision": decision,
           "authorization.k8s.io/reason": (reason if reason is not None else (default_reason or ""))}
    if extra_annotations:
        ann.update(extra_annotations)
    e["annotations"] = ann
    EVENTS.append(e)
    return e

def api_path(kind, api_version, namespace):
    root = "/api/v1" if api_version == "v1" else "/apis/" + api_version
    return root + (f"/namespaces/{namespace}" if namespace else "") + "/" + PLURAL[kind]

def submitted(obj):
    o = copy.deepcopy(obj)
    for k in ("uid", "resourceVersion", "generation", "creationTimestamp", "ownerReferences"):
        o["metadata"].pop(k, None)
    o.pop("status", None)
    return o

PSA_AUDIT = {
    "adhoc-psql": {"pod-security.kubernetes.io/enforce-policy": "privileged:latest",
                   "pod-security.kubernetes.io/audit-violations":
                       'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "adhoc-psql" must set '
                       'securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "adhoc-psql" must set '
                       'securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "adhoc-psql" must set '
                       'securityContext.runAsNonRoot=true), seccompProfile (pod or container "adhoc-psql" must set '
                       'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'},
    "debug-toolbox": {"pod-security.kubernetes.io/enforce-policy": "privileged:latest"},
    "payments-db-0": {"pod-security.kubernetes.io/enforce-policy": "restricted:latest"},
}

for e in OBJECTS:
    actor = e["actor"]
    if not actor:
        continue
    o = e["obj"]
    kind, meta = o["kind"], o["metadata"]
    ns, name = meta.get("namespace"), meta["name"]
    api_version = o["apiVersion"]
    group = api_version.split("/")[0] if "/" in api_version else None
    ref = {"resource": PLURAL[kind]}
    if kind == "Namespace":
        ref["namespace"] = name
    elif ns:
        ref["namespace"] = ns
    ref["name"] = name
    if group:
        ref["apiGroup"] = group
    ref["apiVersion"] = api_version.split("/")[-1]
    applied = "kubectl.kubernetes.io/last-applied-configuration" in (meta.get("annotations") or {})
    if actor in ("alice", "ci", "alice-create-crb"):
        manager = "kubectl-client-side-apply" if applied else "kubectl-create"
        uri = api_path(kind, api_version, ns) + f"?fieldManager={manager}&fieldValidation=Strict"
    else:
        uri = api_path(kind, api_version, ns)
    label = f"create/{kind}/{ns or ''}/{name}"
    if e.get("data_from_controller") is not None:
        # Created without data; the token controller adds the token at once (an update in the same second).
        created_obj = copy.deepcopy(o)
        created_obj.pop("data", None)
        for key in e["data_from_controller"]:
            created_obj["metadata"]["annotations"].pop(key, None)
        created_obj["metadata"]["resourceVersion"] = str(int(meta["resourceVersion"]) - 1)
        event(label, actor, "create", uri, ref, 201, meta["creationTimestamp"], request=submitted(created_obj), response=created_obj)
        r, _ = timestamps(meta["creationTimestamp"], label)
        update_received = ts(meta["creationTimestamp"]) + timedelta(microseconds=micros(label + "/r", 100000, 800000) + 30000)
        update_ref = dict(ref)
        update_ref["uid"] = meta["uid"]
        event("update/" + label, "kcm", "update", api_path(kind, api_version, ns) + "/" + name, update_ref, 200,
              meta["creationTimestamp"], request=o, response=o, received=fmt_micro(update_received),
              stage_ts=fmt_micro(update_received + timedelta(microseconds=4211)))
        continue
    event(label, actor, "create", uri, ref, 201, meta["creationTimestamp"], request=submitted(o), response=o,
          extra_annotations=PSA_AUDIT.get(name))

def obj_of(kind, ns, name):
    for e in OBJECTS:
        m = e["obj"]["metadata"]
        if e["obj"]["kind"] == kind and m.get("namespace") == ns and m["name"] == name:
            return e["obj"]
    raise KeyError((kind, ns, name))

def forbidden(user, verb, resource, name, ns, group=""):
    what = f'cannot {verb} resource "{resource}" in API group "{group}" in the namespace "{ns}"' if ns else \
        f'cannot {verb} resource "{resource}" in API group "{group}" at the cluster scope'
    subject = f'{resource.split("/")[0]} "{name}" is forbidden' if name else f'{resource} is forbidden'
    details = {"kind": resource.split("/")[0]}
    if name:
        details = {"name": name, "kind": resource.split("/")[0]}
    return {"status": "Failure", "message": f'{subject}: User "{user}" {what}', "reason": "Forbidden", "details": details}

BOB_VIEW = 'RBAC: allowed by RoleBinding "payments-developers/payments" of ClusterRole "view" to Group "payments-developers"'
BOB_ADMIN = 'RBAC: allowed by ClusterRoleBinding "bob-cluster-admin" of ClusterRole "cluster-admin" to User "bob@example.com"'

# sandbox: a scratch namespace created in the morning and deleted at noon (not in the final state)
sandbox = {"apiVersion": "v1", "kind": "Namespace",
           "metadata": {"name": "sandbox", "uid": uid_for("Namespace", None, "sandbox"), "resourceVersion": rv_after("2025-06-02T09:10:00Z", 1),
                        "creationTimestamp": "2025-06-02T09:10:00Z", "labels": {"kubernetes.io/metadata.name": "sandbox"}},
           "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
event("create/Namespace//sandbox", "alice", "create", "/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict",
      {"resource": "namespaces", "namespace": "sandbox", "name": "sandbox", "apiVersion": "v1"}, 201, "2025-06-02T09:10:00Z",
      request={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "sandbox"}, "spec": {}, "status": {}}, response=sandbox)
sandbox_sa = {"apiVersion": "v1", "kind": "ServiceAccount",
              "metadata": {"name": "default", "namespace": "sandbox", "uid": uid_for("ServiceAccount", "sandbox", "default"),
                           "resourceVersion": rv_after("2025-06-02T09:10:00Z", 3), "creationTimestamp": "2025-06-02T09:10:01Z"}}
event("create/ServiceAccount/sandbox/default", "sa-controller", "create", "/api/v1/namespaces/sandbox/serviceaccounts",
      {"resource": "serviceaccounts", "namespace": "sandbox", "name": "default", "apiVersion": "v1"}, 201, "2025-06-02T09:10:01Z",
      request=submitted(sandbox_sa), response=sandbox_sa)

# bob looks around payments with his view rights
pod = obj_of("Pod", "payments", "payments-db-0")
event("bob/list-pods", "bob", "list", "/api/v1/namespaces/payments/pods?limit=500",
      {"resource": "pods", "namespace": "payments", "apiVersion": "v1"}, 200, "2025-06-02T10:05:12Z",
      response={"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": rv_after("2025-06-02T10:05:12Z", 0)}, "items": [pod]}, reason=BOB_VIEW)
event("bob/get-secret-denied", "bob", "get", "/api/v1/namespaces/payments/secrets/payments-db-credentials",
      {"resource": "secrets", "namespace": "payments", "name": "payments-db-credentials", "apiVersion": "v1"}, 403,
      "2025-06-02T10:12:40Z", status_extra=forbidden("bob@example.com", "get", "secrets", "payments-db-credentials", "payments"),
      decision="forbid", reason="")
event("bob/exec-denied", "bob", "create",
      "/api/v1/namespaces/payments/pods/payments-db-0/exec?command=psql&command=-U&command=payments_app&container=postgres&stdin=true&stdout=true&tty=true",
      {"resource": "pods", "namespace": "payments", "name": "payments-db-0", "apiVersion": "v1", "subresource": "exec"}, 403,
      "2025-06-02T10:14:03Z", status_extra=forbidden("bob@example.com", "create", "pods/exec", "payments-db-0", "payments"),
      decision="forbid", reason="")
# 10:30 alice grants bob cluster-admin (the create event is generated from the object above)
secret_obj = obj_of("Secret", "payments", "payments-db-credentials")
event("bob/get-secret", "bob", "get", "/api/v1/namespaces/payments/secrets/payments-db-credentials",
      {"resource": "secrets", "namespace": "payments", "name": "payments-db-credentials", "apiVersion": "v1"}, 200,
      "2025-06-02T10:41:27Z", response=secret_obj, reason=BOB_ADMIN)
exec_uri = ("/api/v1/namespaces/payments/pods/payments-db-0/exec?command=psql&command=-U&command=payments_app"
            "&container=postgres&stdin=true&stdout=true&tty=true")
exec_ref = {"resource": "pods", "namespace": "payments", "name": "payments-db-0", "apiVersion": "v1", "subresource": "exec"}
r, _ = timestamps("2025-06-02T10:44:05Z", "bob/exec")
event("bob/exec", "bob", "create", exec_uri, exec_ref, 101, "2025-06-02T10:44:05Z", stage="ResponseStarted", reason=BOB_ADMIN,
      received=r, stage_ts=fmt_micro(ts("2025-06-02T10:44:05Z") + timedelta(microseconds=micros("bob/exec/r", 100000, 800000) + 41210)))
event("bob/exec", "bob", "create", exec_uri, exec_ref, 101, "2025-06-02T10:44:05Z", stage="ResponseComplete", reason=BOB_ADMIN,
      received=r, stage_ts="2025-06-02T10:52:31.604512Z")

# 11:02 someone on the internet probes the API server (anonymous auth is on)
event("anon/list-secrets", "anonymous", "list", "/api/v1/namespaces/kube-system/secrets",
      {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, 403, "2025-06-02T11:02:10Z",
      status_extra={"status": "Failure",
                    "message": 'secrets is forbidden: User "system:anonymous" cannot list resource "secrets" in API group "" in the namespace "kube-system"',
                    "reason": "Forbidden", "details": {"kind": "secrets"}},
      decision="forbid", reason="")
event("anon/get-status-page", "anonymous", "get", "/api/v1/namespaces/web/configmaps/status-page",
      {"resource": "configmaps", "namespace": "web", "name": "status-page", "apiVersion": "v1"}, 200, "2025-06-02T11:02:14Z",
      reason='RBAC: allowed by RoleBinding "public-status-reader/web" of Role "status-reader" to User "system:anonymous"')
event("anon/version", "anonymous", "get", "/version", None, 200, "2025-06-02T11:02:15Z",
      reason='RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"')

# 12:05 alice deletes the sandbox namespace; the namespace controller empties it
terminating = copy.deepcopy(sandbox)
terminating["metadata"]["resourceVersion"] = str(MAX_RV + 2)
terminating["metadata"]["deletionTimestamp"] = "2025-06-02T12:05:00Z"
terminating["status"] = {"phase": "Terminating"}
event("alice/delete-sandbox", "alice", "delete", "/api/v1/namespaces/sandbox",
      {"resource": "namespaces", "namespace": "sandbox", "name": "sandbox", "apiVersion": "v1"}, 200, "2025-06-02T12:05:00Z",
      request={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}, response=terminating)
event("ns-controller/delete-sandbox-sa", "ns-controller", "delete", "/api/v1/namespaces/sandbox/serviceaccounts/default",
      {"resource": "serviceaccounts", "namespace": "sandbox", "name": "default", "apiVersion": "v1"}, 200, "2025-06-02T12:05:06Z",
      request={"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": sandbox_sa["metadata"]["uid"]}},
      response={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": {"name": "default", "kind": "serviceaccounts", "uid": sandbox_sa["metadata"]["uid"]}})

EVENTS.sort(key=lambda e: (e["stageTimestamp"], e["auditID"], e["stage"]))
with open(os.path.join(OUT, "audit", "audit.log"), "w") as f:
    for e in EVENTS:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")

# ---------------------------------------------------------------- Trivy reports
used = {}
for e in OBJECTS:
    o = e["obj"]
    def walk(node):
        if isinstance(node, dict):
            if "image" in node and isinstance(node["image"], str) and "name" in node:
                used[node["image"]] = True
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(o.get("spec", {}))
trivy_files = []
for n, (key, image) in enumerate(sorted(IMAGES.items())):
    assert image.scanned, key
    assert image.ref in used, (key, image.ref)
    created = f"2025-06-02T06:{10 + n:02d}:{(n * 17) % 60:02d}.{micros(key, 100000000, 999999999):09d}Z"
    report = trivy_report(image, created)
    fname = f"{key}.json" if key.endswith(image.tag) or image.tag in key else f"{key}-{image.tag}.json"
    trivy_files.append(fname)
    with open(os.path.join(OUT, "trivy", fname), "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

# ---------------------------------------------------------------- expectations and index
expect = []
for e in OBJECTS:
    o = e["obj"]
    m = o["metadata"]
    expect.append({"kind": o["kind"], "namespace": m.get("namespace"), "name": m["name"], "uid": m["uid"],
                   "fail": e["expect"], "note": e["comment"]})
with open(os.path.join(OUT, "expectations.json"), "w") as f:
    json.dump({"description": "What kubeproof should find in the sample cluster: for every object, the controls it must FAIL. "
                              "An object with an empty list must fail no control. Scan-based controls (KP-IMG-004..008) assume "
                              "the sample's Trivy reports were ingested.",
               "secretValues": sorted(set(SECRET_VALUES)),
               "objects": expect}, f, indent=2)
    f.write("\n")

with open(os.path.join(OUT, "index.txt"), "w") as f:
    f.write("# The files of the sample cluster bundle, relative to this folder (class path resources cannot be listed).\n")
    for name in manifest_names:
        f.write("manifests/" + name + "\n")
    f.write("audit/audit.log\n")
    for name in sorted(trivy_files):
        f.write("trivy/" + name + "\n")
    f.write("expectations.json\n")

print("objects", len(OBJECTS), "events", len(EVENTS), "reports", len(trivy_files), "max rv", MAX_RV, file=sys.stderr)
