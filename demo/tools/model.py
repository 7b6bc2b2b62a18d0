"""The sample cluster's objects, built as Python dicts in creation order."""
import copy
from common import *

OBJECTS = []   # entries: dict(file, comment, obj, expect, actor, level_hint)

class Clock:
    def __init__(self, start):
        self.t = ts(start)
    def at(self, s):
        self.t = ts(s)
        return self
    def next(self, seconds=7):
        self.t = self.t + timedelta(seconds=seconds)
        return fmt(self.t)

clock = Clock("2025-06-01T07:40:00Z")

API = {
    "Namespace": "v1", "Node": "v1", "Pod": "v1", "Service": "v1", "ServiceAccount": "v1", "ConfigMap": "v1",
    "Secret": "v1", "ResourceQuota": "v1", "LimitRange": "v1",
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
    "Job": "batch/v1", "CronJob": "batch/v1",
    "NetworkPolicy": "networking.k8s.io/v1", "Ingress": "networking.k8s.io/v1",
    "Role": "rbac.authorization.k8s.io/v1", "ClusterRole": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1", "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
}
WORKLOADS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}

def add(file, kind, name, namespace=None, body=None, labels=None, annotations=None, comment="", expect=(),
        actor=None, created=None, owner_refs=None, generation=None):
    created = created or clock.next()
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["uid"] = uid_for(kind, namespace, name)
    if generation is not None:
        meta["generation"] = generation
    meta["creationTimestamp"] = created
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    if owner_refs:
        meta["ownerReferences"] = owner_refs
    obj = {"apiVersion": API[kind], "kind": kind, "metadata": meta}
    if body:
        obj.update(copy.deepcopy(body))
    entry = {"file": file, "comment": comment, "obj": obj, "expect": sorted(set(expect)), "actor": actor}
    OBJECTS.append(entry)
    return obj

# ---------------------------------------------------------------- workload builders
def pod_template(labels, spec):
    return {"metadata": {"labels": dict(labels)}, "spec": spec}

def deployment(file, ns, name, labels, pod_labels, spec, replicas=2, **kw):
    body = {"spec": {"replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": pod_labels["app.kubernetes.io/name"]}},
                     "template": pod_template(pod_labels, spec)}}
    return add(file, "Deployment", name, ns, body, labels, generation=1, **kw)

def statefulset(file, ns, name, labels, pod_labels, spec, replicas=1, claims=None, **kw):
    body = {"spec": {"serviceName": name, "replicas": replicas,
                     "selector": {"matchLabels": {"app.kubernetes.io/name": pod_labels["app.kubernetes.io/name"]}},
                     "template": pod_template(pod_labels, spec)}}
    if claims:
        body["spec"]["volumeClaimTemplates"] = claims
    return add(file, "StatefulSet", name, ns, body, labels, generation=1, **kw)

def daemonset(file, ns, name, labels, pod_labels, spec, **kw):
    body = {"spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": pod_labels["app.kubernetes.io/name"]}},
                     "template": pod_template(pod_labels, spec)}}
    return add(file, "DaemonSet", name, ns, body, labels, generation=1, **kw)

def job(file, ns, name, labels, pod_labels, spec, **kw):
    uid = uid_for("Job", ns, name)
    selector = {"batch.kubernetes.io/controller-uid": uid}
    tl = dict(pod_labels)
    tl.update({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
               "controller-uid": uid, "job-name": name})
    spec = dict(spec)
    spec.setdefault("restartPolicy", "Never")
    body = {"spec": {"backoffLimit": 2, "completions": 1, "parallelism": 1, "selector": {"matchLabels": selector},
                     "template": pod_template(tl, spec)}}
    return add(file, "Job", name, ns, body, labels, generation=1, **kw)

def cronjob(file, ns, name, labels, pod_labels, spec, schedule, **kw):
    spec = dict(spec)
    spec.setdefault("restartPolicy", "OnFailure")
    body = {"spec": {"schedule": schedule, "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3,
                     "failedJobsHistoryLimit": 1,
                     "jobTemplate": {"spec": {"backoffLimit": 2, "template": pod_template(pod_labels, spec)}}}}
    return add(file, "CronJob", name, ns, body, labels, generation=1, **kw)

def bare_pod(file, ns, name, labels, spec, status=None, **kw):
    body = {"spec": spec}
    if status:
        body["status"] = status
    return add(file, "Pod", name, ns, body, labels, **kw)

def hardened_spec(containers, uid=10001, sa=None, automount=False, volumes=None, node_pool=None, extra=None,
                  init=None):
    spec = {}
    if sa:
        spec["serviceAccountName"] = sa
    if automount is not None:
        spec["automountServiceAccountToken"] = automount
    spec["securityContext"] = hardened_pod_sc(uid)
    if node_pool:
        spec["nodeSelector"] = {"node-pool": node_pool}
        spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": node_pool, "effect": "NoSchedule"}]
    if init:
        spec["initContainers"] = init
    spec["containers"] = containers
    if volumes:
        spec["volumes"] = volumes
    if extra:
        spec.update(extra)
    return spec

def app_container(name, image, port_no=8080, cpu=("100m", "500m"), mem=("128Mi", "256Mi"), env=None, args=None,
                  probe="/healthz", mounts=None, sc=None, resources="default", ports=True, command=None):
    r = res(cpu[0], mem[0], cpu[1], mem[1]) if resources == "default" else resources
    return container(name, image,
                     command=command,
                     args=args,
                     ports=[port(port_no)] if ports and port_no else None,
                     env=env,
                     resources=r,
                     securityContext=hardened_container_sc() if sc is None else sc,
                     readinessProbe=http_probe(probe) if probe and ports and port_no else None,
                     volumeMounts=(mounts if mounts is not None else [mount("tmp", "/tmp")]) or None)
