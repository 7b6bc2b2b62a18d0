"""The sample cluster: every object, in creation order, with what kubeproof should find."""
from model import *
from images import *

def E(*codes):
    out = []
    for c in codes:
        area, n = c.rsplit("-", 1)
        out.append(f"KP-{area}-{int(n):03d}")
    return out

def labels(name, owner=None, part_of=None, extra=None):
    l = {"app.kubernetes.io/name": name}
    if part_of:
        l["app.kubernetes.io/part-of"] = part_of
    if owner:
        l["owner"] = owner
    if extra:
        l.update(extra)
    return l

SENSITIVE = {"kubeproof.dev/sensitive": "true"}
ROOT_FS_TMP = [tmp_volume()]

# =============================================================== bootstrap: 2025-06-01 (kubeadm; before the audit log)
clock.at("2025-06-01T07:40:00Z")
F0 = "00-cluster.yaml"

def node(name, ip, version, labels_, taints=None, comment="", expect=()):
    ready_at = clock.next(30)
    body = {"spec": {"podCIDR": f"10.244.{ip.split('.')[-1]}.0/24", "podCIDRs": [f"10.244.{ip.split('.')[-1]}.0/24"]},
            "status": {
                "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
                "allocatable": {"cpu": "3800m", "ephemeral-storage": "95551679124", "memory": "15508812Ki", "pods": "110"},
                "capacity": {"cpu": "4", "ephemeral-storage": "103676Mi", "memory": "16260172Ki", "pods": "110"},
                "conditions": [
                    {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": "2025-06-02T12:30:00Z", "lastTransitionTime": ready_at,
                     "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available"},
                    {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": "2025-06-02T12:30:00Z", "lastTransitionTime": ready_at,
                     "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure"},
                    {"type": "PIDPressure", "status": "False", "lastHeartbeatTime": "2025-06-02T12:30:00Z", "lastTransitionTime": ready_at,
                     "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available"},
                    {"type": "Ready", "status": "True", "lastHeartbeatTime": "2025-06-02T12:30:00Z", "lastTransitionTime": ready_at,
                     "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {
                    "architecture": "amd64", "bootID": uid_for("boot", None, name), "containerRuntimeVersion": "containerd://1.7.22",
                    "kernelVersion": "6.1.0-28-cloud-amd64", "kubeProxyVersion": version, "kubeletVersion": version,
                    "machineID": uid_for("machine", None, name).replace("-", ""), "operatingSystem": "linux",
                    "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": uid_for("system", None, name)}}}
    if taints:
        body["spec"]["taints"] = taints
    base = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
    base.update(labels_)
    return add(F0, "Node", name, None, body, base,
               {"kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
               comment=comment, expect=expect)

node("cp-1", "10.0.1.10", "v1.32.4", {"node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": ""},
     taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}], comment="control-plane node, kubelet v1.32.4 (supported)")
node("worker-1", "10.0.1.21", "v1.32.4", {"node-pool": "trusted"},
     taints=[{"key": "dedicated", "value": "trusted", "effect": "NoSchedule"}], comment="trusted pool for sensitive (payments) workloads")
node("worker-2", "10.0.1.22", "v1.32.4", {"node-pool": "general"}, comment="general pool")
node("worker-3", "10.0.1.23", "v1.29.6", {"node-pool": "general"},
     comment="FAILS: kubelet v1.29.6 is older than the supported minimum (1.32); never upgraded", expect=E("INF-1"))

BOOTSTRAP = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
add(F0, "ClusterRole", "cluster-admin", None,
    {"rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]},
    BOOTSTRAP, AUTOUPDATE, comment="built-in (rbac-defaults): not a finding by itself")
add(F0, "ClusterRole", "view", None,
    {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]},
     "rules": [{"apiGroups": [""], "resources": ["configmaps", "endpoints", "persistentvolumeclaims", "pods", "replicationcontrollers",
                                                  "serviceaccounts", "services", "namespaces", "resourcequotas", "limitranges", "events"],
                "verbs": ["get", "list", "watch"]},
               {"apiGroups": ["apps"], "resources": ["daemonsets", "deployments", "replicasets", "statefulsets"], "verbs": ["get", "list", "watch"]},
               {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"], "verbs": ["get", "list", "watch"]},
               {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": ["get", "list", "watch"]}]},
    dict(BOOTSTRAP, **{"kubernetes.io/bootstrapping": "rbac-defaults"}), AUTOUPDATE,
    comment="built-in read-only role (abridged: the real one is aggregated from more rules)")
add(F0, "ClusterRole", "system:public-info-viewer", None,
    {"rules": [{"nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"], "verbs": ["get"]}]},
    BOOTSTRAP, AUTOUPDATE, comment="built-in")
add(F0, "ClusterRoleBinding", "cluster-admin", None,
    {"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
     "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]},
    BOOTSTRAP, AUTOUPDATE, comment="built-in: cluster-admin to system:masters (a system subject): passes")
add(F0, "ClusterRoleBinding", "system:public-info-viewer", None,
    {"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:public-info-viewer"},
     "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"},
                  {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:unauthenticated"}]},
    BOOTSTRAP, AUTOUPDATE, comment="built-in: lets anyone read /version and health endpoints")

# ---------------------------------------------------------------- kube-system (system namespace)
F1 = "01-kube-system.yaml"
add(F1, "Namespace", "kube-system", None, {"spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
    {"kubernetes.io/metadata.name": "kube-system"}, comment="system namespace: namespace and workload controls do not apply")
add(F0, "Namespace", "default", None, {"spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
    {"kubernetes.io/metadata.name": "default"},
    comment="FAILS: no Pod Security Admission label, no default-deny NetworkPolicy, no ResourceQuota, no LimitRange",
    expect=E("NS-2", "NS-3", "NS-4", "NS-5"))
add(F0, "Service", "kubernetes", "default",
    {"spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "internalTrafficPolicy": "Cluster",
              "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
              "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
     "status": {"loadBalancer": {}}},
    {"component": "apiserver", "provider": "kubernetes"},
    comment="the API server's own Service: ClusterIP, not exposed outside the cluster (passes)")

def static_pod(name, component, image, command, volumes, mounts, comment, expect=(), port_no=None, probe_path=None, probe_scheme="HTTPS"):
    node_name = "cp-1"
    c = container(component, image, command=command, resources={"requests": {"cpu": "250m" if component == "kube-apiserver" else "100m"}},
                  volumeMounts=mounts, imagePullPolicy="IfNotPresent")
    if probe_path:
        c["livenessProbe"] = {"httpGet": {"host": "10.0.1.10" if component == "kube-apiserver" else "127.0.0.1", "path": probe_path,
                                          "port": port_no, "scheme": probe_scheme},
                              "initialDelaySeconds": 10, "periodSeconds": 10, "timeoutSeconds": 15, "failureThreshold": 8}
    spec = {"containers": [c], "hostNetwork": True, "nodeName": node_name, "priority": 2000001000,
            "priorityClassName": "system-node-critical", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "tolerations": [{"effect": "NoExecute", "operator": "Exists"}], "volumes": volumes}
    created = clock.next(5)
    status = {"phase": "Running", "hostIP": "10.0.1.10", "podIP": "10.0.1.10", "podIPs": [{"ip": "10.0.1.10"}],
              "qosClass": "Burstable", "startTime": created,
              "containerStatuses": [{"name": component, "image": image.ref, "imageID": image.image_id(), "ready": True,
                                     "restartCount": 0, "started": True,
                                     "state": {"running": {"startedAt": created}},
                                     "containerID": "containerd://" + sha(f"container:{name}").split(":")[1]}]}
    return add(F1, "Pod", name, "kube-system", {"spec": spec, "status": status},
               {"component": component, "tier": "control-plane"},
               {"kubernetes.io/config.hash": sha(f"manifest:{name}").split(":")[1][:32],
                "kubernetes.io/config.mirror": sha(f"manifest:{name}").split(":")[1][:32],
                "kubernetes.io/config.seen": "2025-06-01T07:41:02.118734525Z",
                "kubernetes.io/config.source": "file"},
               comment=comment, expect=expect, created=created,
               owner_refs=[{"apiVersion": "v1", "controller": True, "kind": "Node", "name": node_name,
                            "uid": uid_for("Node", None, node_name)}])

def host_vol(name, path, type_="DirectoryOrCreate"):
    hp = {"path": path}
    if type_:
        hp["type"] = type_
    return {"name": name, "hostPath": hp}

static_pod("kube-apiserver-cp-1", "kube-apiserver", kube_apiserver, [
    "kube-apiserver",
    "--advertise-address=10.0.1.10",
    "--allow-privileged=true",
    "--anonymous-auth=true",
    "--audit-log-maxage=30",
    "--audit-log-maxbackup=10",
    "--audit-log-maxsize=100",
    "--audit-log-path=/var/log/kubernetes/audit/audit.log",
    "--audit-policy-file=/etc/kubernetes/audit/policy.yaml",
    "--authorization-mode=Node,RBAC",
    "--client-ca-file=/etc/kubernetes/pki/ca.crt",
    "--enable-admission-plugins=NodeRestriction",
    "--enable-bootstrap-token-auth=true",
    "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
    "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
    "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
    "--etcd-servers=https://127.0.0.1:2379",
    "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
    "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
    "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
    "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
    "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
    "--requestheader-allowed-names=front-proxy-client",
    "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
    "--requestheader-extra-headers-prefix=X-Remote-Extra-",
    "--requestheader-group-headers=X-Remote-Group",
    "--requestheader-username-headers=X-Remote-User",
    "--secure-port=6443",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
    "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
    "--service-cluster-ip-range=10.96.0.0/12",
    "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
    "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key"],
    [host_vol("audit", "/etc/kubernetes/audit", "DirectoryOrCreate"), host_vol("audit-log", "/var/log/kubernetes/audit"),
     host_vol("ca-certs", "/etc/ssl/certs"), host_vol("etc-ca-certificates", "/etc/ca-certificates"),
     host_vol("k8s-certs", "/etc/kubernetes/pki"), host_vol("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates"),
     host_vol("usr-share-ca-certificates", "/usr/share/ca-certificates")],
    [mount("audit", "/etc/kubernetes/audit", True), mount("audit-log", "/var/log/kubernetes/audit"),
     mount("ca-certs", "/etc/ssl/certs", True), mount("etc-ca-certificates", "/etc/ca-certificates", True),
     mount("k8s-certs", "/etc/kubernetes/pki", True), mount("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates", True),
     mount("usr-share-ca-certificates", "/usr/share/ca-certificates", True)],
    "static pod. PASSES: RBAC authorization, audit policy + log backend, client CA. FAILS: --anonymous-auth=true, "
    "no --encryption-provider-config (Secrets not encrypted at rest), profiling left on (no --profiling=false)",
    expect=E("INF-2", "INF-5", "INF-7"), port_no=6443, probe_path="/livez")

static_pod("etcd-cp-1", "etcd", etcd, [
    "etcd",
    "--advertise-client-urls=https://10.0.1.10:2379",
    "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
    "--client-cert-auth=true",
    "--data-dir=/var/lib/etcd",
    "--experimental-initial-corrupt-check=true",
    "--experimental-watch-progress-notify-interval=5s",
    "--initial-advertise-peer-urls=https://10.0.1.10:2380",
    "--initial-cluster=cp-1=https://10.0.1.10:2380",
    "--key-file=/etc/kubernetes/pki/etcd/server.key",
    "--listen-client-urls=https://127.0.0.1:2379,https://10.0.1.10:2379",
    "--listen-metrics-urls=http://127.0.0.1:2381",
    "--listen-peer-urls=https://10.0.1.10:2380",
    "--name=cp-1",
    "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
    "--peer-client-cert-auth=true",
    "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
    "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
    "--snapshot-count=10000",
    "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt"],
    [host_vol("etcd-certs", "/etc/kubernetes/pki/etcd"), host_vol("etcd-data", "/var/lib/etcd")],
    [mount("etcd-data", "/var/lib/etcd"), mount("etcd-certs", "/etc/kubernetes/pki/etcd")],
    "static pod. PASSES: client and peer TLS with certificate authentication", port_no=2381, probe_path="/health?exclude=NOSPACE&serializable=true",
    probe_scheme="HTTP")

static_pod("kube-controller-manager-cp-1", "kube-controller-manager", kube_cm, [
    "kube-controller-manager",
    "--allocate-node-cidrs=true",
    "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
    "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
    "--bind-address=127.0.0.1",
    "--client-ca-file=/etc/kubernetes/pki/ca.crt",
    "--cluster-cidr=10.244.0.0/16",
    "--cluster-name=kubernetes",
    "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
    "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
    "--controllers=*,bootstrapsigner,tokencleaner",
    "--kubeconfig=/etc/kubernetes/controller-manager.conf",
    "--leader-elect=true",
    "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
    "--root-ca-file=/etc/kubernetes/pki/ca.crt",
    "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
    "--service-cluster-ip-range=10.96.0.0/12",
    "--use-service-account-credentials=true"],
    [host_vol("k8s-certs", "/etc/kubernetes/pki"), host_vol("kubeconfig", "/etc/kubernetes/controller-manager.conf", "FileOrCreate")],
    [mount("k8s-certs", "/etc/kubernetes/pki", True), mount("kubeconfig", "/etc/kubernetes/controller-manager.conf", True)],
    "static pod. FAILS: profiling left on (no --profiling=false)", expect=E("INF-7"), port_no=10257, probe_path="/healthz")

static_pod("kube-scheduler-cp-1", "kube-scheduler", kube_scheduler, [
    "kube-scheduler",
    "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
    "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
    "--bind-address=127.0.0.1",
    "--kubeconfig=/etc/kubernetes/scheduler.conf",
    "--leader-elect=true",
    "--profiling=false"],
    [host_vol("kubeconfig", "/etc/kubernetes/scheduler.conf", "FileOrCreate")],
    [mount("kubeconfig", "/etc/kubernetes/scheduler.conf", True)],
    "static pod. PASSES: --profiling=false", port_no=10259, probe_path="/healthz")

for sa in ("default", "coredns", "kube-proxy"):
    add(F1, "ServiceAccount", sa, "kube-system", comment="")
add(F1, "ConfigMap", "coredns", "kube-system",
    {"data": {"Corefile": ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n"
                          "    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n"
                          "       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n"
                          "    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n    loop\n"
                          "    reload\n    loadbalance\n}\n"}})
deployment(F1, "kube-system", "coredns", {"k8s-app": "kube-dns"}, {"app.kubernetes.io/name": "coredns", "k8s-app": "kube-dns"},
    {"serviceAccountName": "coredns", "priorityClassName": "system-cluster-critical", "dnsPolicy": "Default",
     "containers": [container("coredns", coredns, args=["-conf", "/etc/coredns/Corefile"],
                              ports=[port(53, "dns", "UDP"), port(53, "dns-tcp"), port(9153, "metrics")],
                              resources={"requests": {"cpu": "100m", "memory": "70Mi"}, "limits": {"memory": "170Mi"}},
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                                               "readOnlyRootFilesystem": True},
                              volumeMounts=[mount("config-volume", "/etc/coredns", True)])],
     "volumes": [{"name": "config-volume", "configMap": {"name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}]},
    comment="system workload (kubeadm default)")
daemonset(F1, "kube-system", "kube-proxy", {"k8s-app": "kube-proxy"}, {"app.kubernetes.io/name": "kube-proxy", "k8s-app": "kube-proxy"},
    {"serviceAccountName": "kube-proxy", "hostNetwork": True, "priorityClassName": "system-node-critical",
     "containers": [container("kube-proxy", kube_proxy, command=["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                                                                 "--hostname-override=$(NODE_NAME)"],
                              env=[{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                              securityContext={"privileged": True},
                              volumeMounts=[mount("kube-proxy", "/var/lib/kube-proxy"), mount("xtables-lock", "/run/xtables.lock"),
                                            mount("lib-modules", "/lib/modules", True)])],
     "tolerations": [{"operator": "Exists"}],
     "volumes": [{"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                 host_vol("xtables-lock", "/run/xtables.lock", "FileOrCreate"), host_vol("lib-modules", "/lib/modules", "")]},
    comment="system workload: privileged and hostNetwork by design; system namespaces are excluded from workload controls")

# =============================================================== 2025-06-02: go-live day (the audit log covers it)
alice_clock = Clock("2025-06-02T08:00:00Z")
ci_clock = Clock("2025-06-02T08:30:00Z")

def A(seconds=7):
    return dict(created=alice_clock.next(seconds), actor="alice")

def C(seconds=9):
    return dict(created=ci_clock.next(seconds), actor="ci")

PSA_LABEL = "pod-security.kubernetes.io/enforce"

def namespace(file, name, extra_labels=None, comment="", expect=()):
    l = {"kubernetes.io/metadata.name": name}
    if extra_labels:
        l.update(extra_labels)
    kw = A()
    ns = add(file, "Namespace", name, None, {"spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}, l,
             comment=comment, expect=expect, **kw)
    # The service-account controller creates each namespace's default ServiceAccount right away.
    created = fmt(ts(kw["created"]) + timedelta(seconds=1))
    add(file, "ServiceAccount", "default", name, created=created, actor="sa-controller",
        comment="created by the service-account controller")
    return ns

def default_deny(file, ns, types, name=None):
    name = name or ("default-deny-all" if len(types) == 2 else "default-deny-" + types[0].lower())
    return add(file, "NetworkPolicy", name, ns, {"spec": {"podSelector": {}, "policyTypes": types}},
               comment="default-deny " + " and ".join(t.lower() for t in types), **A())

def quota(file, ns, cpu, mem_gi, pods):
    hard = {"requests.cpu": str(cpu), "requests.memory": f"{mem_gi}Gi", "limits.cpu": str(cpu * 2),
            "limits.memory": f"{mem_gi * 2}Gi", "pods": str(pods)}
    return add(file, "ResourceQuota", "compute", ns, {"spec": {"hard": hard}}, **A())

def limit_range(file, ns):
    return add(file, "LimitRange", "container-defaults", ns,
               {"spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                                     "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                                     "max": {"cpu": "4", "memory": "8Gi"}}]}}, **A())

def sa(file, ns, name, automount=None, comment="", **kw):
    body = {"automountServiceAccountToken": automount} if automount is not None else None
    return add(file, "ServiceAccount", name, ns, body, {"app.kubernetes.io/name": name}, comment=comment, **(kw or C()))

def service(file, ns, name, selector, ports, type_="ClusterIP", cluster_ip=None, comment="", expect=(), extra=None, status=None, lbls=None):
    spec = {"type": type_}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
        spec["clusterIPs"] = [cluster_ip]
    spec.update({"internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                 "ports": ports, "selector": selector, "sessionAffinity": "None"})
    if extra:
        spec.update(extra)
    body = {"spec": spec, "status": status or {"loadBalancer": {}}}
    return add(file, "Service", name, ns, body, lbls or {"app.kubernetes.io/name": name}, comment=comment, expect=expect, **C())

def svc_port(p, target="http", name="http", node_port=None):
    d = {"name": name, "port": p, "protocol": "TCP", "targetPort": target}
    if node_port:
        d["nodePort"] = node_port
    return d

SECRET_VALUES = []  # every fake secret value, for the "nothing reaches Kafka" proof

def secret(file, ns, name, data, type_="Opaque", annotations=None, comment="", expect=(), applied=True, added_by_server=None,
           data_from_controller=False, **kw):
    encoded = {k: b64(v) for k, v in data.items()}
    SECRET_VALUES.extend(data.values())
    ann = dict(annotations or {})
    if applied:
        # kubectl apply keeps the whole object, data included, in this annotation: a classic leak path.
        last = {"apiVersion": "v1", "data": {} if data_from_controller else encoded, "kind": "Secret",
                "metadata": {"annotations": dict(annotations or {}), "name": name, "namespace": ns}, "type": type_}
        if not last["metadata"]["annotations"]:
            del last["metadata"]["annotations"]
        if not last["data"]:
            del last["data"]
        import json as _j
        ann["kubectl.kubernetes.io/last-applied-configuration"] = _j.dumps(last, separators=(",", ":"), sort_keys=True) + "\n"
    if added_by_server:
        ann.update(added_by_server)
    obj = add(file, "Secret", name, ns, {"data": encoded, "type": type_}, None, ann or None, comment=comment, expect=expect,
              **(kw or C()))
    if data_from_controller:
        # The token controller fills in token, ca.crt and namespace right after the create.
        OBJECTS[-1]["data_from_controller"] = sorted((added_by_server or {}).keys())
    return obj

def configmap(file, ns, name, data, comment="", expect=(), **kw):
    return add(file, "ConfigMap", name, ns, {"data": data}, {"app.kubernetes.io/name": name}, comment=comment, expect=expect,
               **(kw or C()))

def role(file, ns, name, rules, comment="", expect=(), kind="Role", lbls=None):
    return add(file, kind, name, ns, {"rules": rules}, lbls, comment=comment, expect=expect, **A())

def binding(file, ns, name, role_kind, role_name, subjects, comment="", expect=(), kind="RoleBinding", actor_kw=None):
    subs = []
    for s in subjects:
        k, n = s[0], s[1]
        d = {"kind": k, "name": n}
        if k == "ServiceAccount":
            d["namespace"] = s[2]
        else:
            d = {"apiGroup": "rbac.authorization.k8s.io", "kind": k, "name": n}
        subs.append(d)
    return add(file, kind, name, ns, {"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
                                      "subjects": subs}, comment=comment, expect=expect, **(actor_kw or A()))

def env_secret(var, secret_name, key):
    return {"name": var, "valueFrom": {"secretKeyRef": {"name": secret_name, "key": key}}}

def env(var, value):
    return {"name": var, "value": value}

# ---------------------------------------------------------------- cluster-wide RBAC made by the platform team
F0b = "02-cluster-rbac.yaml"
role(F0b, None, "ci-deployer", [
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets"], "verbs": ["get", "list", "create", "update", "patch"]},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": ["get", "list", "create", "update", "patch"]},
    {"apiGroups": [""], "resources": ["services", "serviceaccounts", "configmaps", "pods"], "verbs": ["get", "list", "create", "update", "patch"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "update", "patch"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": ["get", "list", "create", "update", "patch"]}],
    kind="ClusterRole", comment="what the CI pipeline may change: writes, but no wildcard and no Secret reads (passes)")
binding(F0b, None, "ci-pipeline", "ClusterRole", "ci-deployer", [("Group", "deployers")], kind="ClusterRoleBinding",
        comment="FAILS: grants cluster-wide write verbs to the non-system group 'deployers' (should be per-namespace RoleBindings)",
        expect=E("RBAC-5"))
role(F0b, None, "ops-superuser", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}], kind="ClusterRole",
     comment="FAILS: wildcard verbs and resources, hence also every Secret", expect=E("RBAC-2", "RBAC-3"))
binding(F0b, None, "ops-oncall", "ClusterRole", "ops-superuser", [("Group", "ops-oncall")], kind="ClusterRoleBinding",
        comment="FAILS: binds a wildcard ClusterRole cluster-wide to the human group ops-oncall", expect=E("RBAC-5"))
binding(F0b, None, "developers-view", "ClusterRole", "view", [("Group", "developers")], kind="ClusterRoleBinding",
        comment="read-only built-in role for developers (passes)")
role(F0b, None, "prometheus", [
    {"apiGroups": [""], "resources": ["nodes", "nodes/metrics", "services", "endpoints", "pods", "secrets"], "verbs": ["get", "list", "watch"]},
    {"nonResourceURLs": ["/metrics"], "verbs": ["get"]}], kind="ClusterRole",
     comment="FAILS: can list and watch every Secret (someone added 'secrets' for a scrape config)", expect=E("RBAC-3"))
binding(F0b, None, "prometheus", "ClusterRole", "prometheus", [("ServiceAccount", "prometheus", "monitoring")], kind="ClusterRoleBinding",
        comment="read-only ClusterRole to a service account (passes the cluster-wide-writes control)")
role(F0b, None, "kube-state-metrics", [
    {"apiGroups": [""], "resources": ["configmaps", "secrets", "nodes", "pods", "services", "serviceaccounts", "resourcequotas",
                                      "replicationcontrollers", "limitranges", "persistentvolumeclaims", "persistentvolumes",
                                      "namespaces", "endpoints"], "verbs": ["list", "watch"]},
    {"apiGroups": ["apps"], "resources": ["statefulsets", "daemonsets", "deployments", "replicasets"], "verbs": ["list", "watch"]},
    {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"], "verbs": ["list", "watch"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies", "ingresses"], "verbs": ["list", "watch"]}],
    kind="ClusterRole", comment="FAILS: the upstream kube-state-metrics role lists and watches Secrets", expect=E("RBAC-3"))
binding(F0b, None, "kube-state-metrics", "ClusterRole", "kube-state-metrics", [("ServiceAccount", "kube-state-metrics", "monitoring")],
        kind="ClusterRoleBinding", comment="read-only (passes)")
role(F0b, None, "ingress-nginx", [
    {"apiGroups": [""], "resources": ["configmaps", "endpoints", "nodes", "pods", "secrets", "namespaces"], "verbs": ["list", "watch"]},
    {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["services"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "ingressclasses"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses/status"], "verbs": ["update"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]}],
    kind="ClusterRole", comment="FAILS: the ingress controller lists every Secret (to find TLS certificates)", expect=E("RBAC-3"))
binding(F0b, None, "ingress-nginx", "ClusterRole", "ingress-nginx", [("ServiceAccount", "ingress-nginx", "ingress-nginx")],
        kind="ClusterRoleBinding",
        comment="FAILS: cluster-wide write verbs (update ingresses/status, create events) to a non-system service account",
        expect=E("RBAC-5"))

# ---------------------------------------------------------------- payments: the well-run namespace (PSA restricted)
FP = "10-payments.yaml"
namespace(FP, "payments", {PSA_LABEL: "restricted", "pod-security.kubernetes.io/enforce-version": "latest",
                           "pod-security.kubernetes.io/warn": "restricted", "owner": "team-payments"},
          comment="PASSES every namespace control: PSA enforce=restricted, default-deny ingress+egress, quota, limit range")
default_deny(FP, "payments", ["Ingress", "Egress"])
add(FP, "NetworkPolicy", "allow-dns-egress", "payments",
    {"spec": {"podSelector": {}, "policyTypes": ["Egress"],
              "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                  "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                          "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}}, **A())
add(FP, "NetworkPolicy", "gateway-from-ingress", "payments",
    {"spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "payments-gateway"}}, "policyTypes": ["Ingress"],
              "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}],
                           "ports": [{"port": 8080, "protocol": "TCP"}]}]}}, **A())
add(FP, "NetworkPolicy", "api-to-db", "payments",
    {"spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "payments-db"}}, "policyTypes": ["Ingress"],
              "ingress": [{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "payments"}}}],
                           "ports": [{"port": 5432, "protocol": "TCP"}]}]}}, **A())
quota(FP, "payments", 8, 16, 40)
limit_range(FP, "payments")
role(FP, "payments", "payments-config-reader", [
    {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["payments-api-config"]}],
    comment="least privilege: one named ConfigMap (passes)")
binding(FP, "payments", "payments-api-config", "Role", "payments-config-reader", [("ServiceAccount", "payments-api", "payments")])
binding(FP, "payments", "payments-developers", "ClusterRole", "view", [("Group", "payments-developers")],
        comment="developers may look, not touch (passes)")

sa(FP, "payments", "payments-api", automount=False, comment="token automount disabled")
sa(FP, "payments", "payments-worker", automount=False)
sa(FP, "payments", "payments-db")
configmap(FP, "payments", "payments-api-config",
          {"application.yaml": "server:\n  port: 8080\npayments:\n  currency: EUR\n  settlement-window: 15m\n  fraud-score-threshold: 0.82\n"})
secret(FP, "payments", "payments-db-credentials",
       {"username": "payments_app", "password": "KPDEMO-SECRET-payments-db-password-5b7e9d"},
       comment="Opaque; the audit policy logs payments at RequestResponse, so its data is in the audit log too: kubeproof must redact it")
secret(FP, "payments", "payments-api-token",
       {"token": "KPDEMO-SECRET-payments-api-sa-token-0c41f2", "ca.crt": "KPDEMO-SECRET-payments-cluster-ca-9a1e77",
        "namespace": "payments"},
       type_="kubernetes.io/service-account-token",
       annotations={"kubernetes.io/service-account.name": "payments-api"},
       added_by_server={"kubernetes.io/service-account.uid": uid_for("ServiceAccount", "payments", "payments-api")},
       data_from_controller=True,
       comment="FAILS: a long-lived service-account token Secret (legacy; never rotates); the token controller filled in its data", expect=E("SEC-4"))
service(FP, "payments", "payments-api", {"app.kubernetes.io/name": "payments-api"}, [svc_port(80)], cluster_ip="10.96.20.11")
service(FP, "payments", "payments-gateway", {"app.kubernetes.io/name": "payments-gateway"}, [svc_port(80)], cluster_ip="10.96.20.12")
service(FP, "payments", "payments-db", {"app.kubernetes.io/name": "payments-db"}, [svc_port(5432, "postgres", "postgres")],
        cluster_ip="None")

PAY = "team-payments"
def pay_labels(name):
    return labels(name, PAY, "payments")

deployment(FP, "payments", "payments-api", pay_labels("payments-api"), dict(pay_labels("payments-api"), **SENSITIVE),
    hardened_spec([app_container("payments-api", payments_api, cpu=("250m", "1"), mem=("256Mi", "512Mi"),
                                 env=[env("SPRING_CONFIG_LOCATION", "/config/application.yaml")],
                                 mounts=[mount("tmp", "/tmp"), mount("config", "/config", True)])],
                  sa="payments-api", node_pool="trusted",
                  volumes=[tmp_volume(), {"name": "config", "configMap": {"name": "payments-api-config"}}]),
    replicas=3, comment="COMPLIANT: non-root, read-only root fs, drop ALL, seccomp RuntimeDefault, requests+limits, owner label, "
                        "digest-pinned scanned image from the company registry, pinned to the trusted node pool, no token automount", **C())
deployment(FP, "payments", "payments-worker", pay_labels("payments-worker"), dict(pay_labels("payments-worker"), **SENSITIVE),
    hardened_spec([app_container("payments-worker", payments_worker, port_no=None, probe=None,
                                 env=[env("DB_HOST", "payments-db"), env_secret("DB_PASSWORD", "payments-db-credentials", "password")])],
                  sa="payments-worker", node_pool="trusted", volumes=ROOT_FS_TMP),
    comment="FAILS only: reads the database password into an environment variable (mount it as a file instead)",
    expect=E("SEC-1"), **C())
deployment(FP, "payments", "fraud-scoring", pay_labels("fraud-scoring"), dict(pay_labels("fraud-scoring"), **SENSITIVE),
    hardened_spec([app_container("fraud-scoring", fraud_scoring, cpu=("500m", "2"), mem=("1Gi", "2Gi"))], node_pool="trusted",
                  volumes=ROOT_FS_TMP),
    comment="COMPLIANT (Python service on a distroless base)", **C())
deployment(FP, "payments", "payments-gateway", pay_labels("payments-gateway"), pay_labels("payments-gateway"),
    hardened_spec([app_container("payments-gateway", payments_gateway,
                                 resources={"requests": {"cpu": "200m", "memory": "128Mi"}})], volumes=ROOT_FS_TMP),
    replicas=2, comment="FAILS only: requests but no CPU/memory limits", expect=E("RES-2"), **C())

DB_SPEC = {
    "serviceAccountName": "payments-db",
    "securityContext": {"runAsNonRoot": True, "runAsUser": 999, "runAsGroup": 999, "fsGroup": 999,
                        "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [container("postgres", postgres, ports=[port(5432, "postgres")],
                             env=[env("POSTGRES_USER", "payments_app"), env("POSTGRES_DB", "payments"),
                                  env_secret("POSTGRES_PASSWORD", "payments-db-credentials", "password"),
                                  env("PGDATA", "/var/lib/postgresql/data/pgdata")],
                             resources=res("500m", "1Gi", "2", "4Gi"),
                             securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                             readinessProbe={"exec": {"command": ["pg_isready", "-U", "payments_app"]}, "periodSeconds": 10},
                             volumeMounts=[mount("data", "/var/lib/postgresql/data")])],
}
DB_EXPECT = E("POD-7", "POD-12", "IMG-3", "IMG-4", "SEC-1", "SEC-3")
statefulset(FP, "payments", "payments-db", pay_labels("payments-db"), dict(pay_labels("payments-db"), **SENSITIVE), DB_SPEC,
    claims=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "50Gi"}},
                                                   "storageClassName": "standard-rwo"}}],
    comment="FAILS: writable root fs, sensitive but not pinned to trusted nodes, image by tag (no digest) and never scanned, "
            "password in env, service-account token automounted (meets PSA restricted otherwise)",
    expect=DB_EXPECT, **C())

sts_created = OBJECTS[-1]["obj"]["metadata"]["creationTimestamp"]
pod_spec = copy.deepcopy(DB_SPEC)
pod_spec["containers"][0]["volumeMounts"].append(
    {"name": "kube-api-access-9xq2m", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True})
pod_spec.update({"hostname": "payments-db-0", "subdomain": "payments-db", "nodeName": "worker-2", "restartPolicy": "Always",
                 "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30,
                 "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-payments-db-0"}},
                             {"name": "kube-api-access-9xq2m", "projected": {"defaultMode": 420, "sources": [
                                 {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                                 {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                                 {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                                              "fieldPath": "metadata.namespace"}}]}}]}}]})
pod_created = fmt(ts(sts_created) + timedelta(seconds=2))
bare_pod(FP, "payments", "payments-db-0",
         dict(pay_labels("payments-db"), **SENSITIVE, **{"apps.kubernetes.io/pod-index": "0",
                                                         "controller-revision-hash": "payments-db-6d5f8c7b9d",
                                                         "statefulset.kubernetes.io/pod-name": "payments-db-0"}),
         pod_spec,
         status={"phase": "Running", "hostIP": "10.0.1.22", "podIP": "10.244.22.17", "podIPs": [{"ip": "10.244.22.17"}],
                 "qosClass": "Burstable", "startTime": pod_created,
                 "containerStatuses": [{"name": "postgres", "image": "docker.io/library/postgres:16.4", "imageID": postgres.image_id(),
                                        "ready": True, "restartCount": 0, "started": True,
                                        "state": {"running": {"startedAt": pod_created}},
                                        "containerID": "containerd://" + sha("container:payments-db-0").split(":")[1]}]},
         owner_refs=[{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True, "kind": "StatefulSet",
                      "name": "payments-db", "uid": uid_for("StatefulSet", "payments", "payments-db")}],
         created=pod_created, actor="sts-controller",
         comment="the StatefulSet's pod (bob execs into it later): same findings as its StatefulSet", expect=DB_EXPECT)

cronjob(FP, "payments", "ledger-reconcile", pay_labels("ledger-reconcile"), pay_labels("ledger-reconcile"),
    hardened_spec([app_container("ledger-reconcile", payments_worker, port_no=None, probe=None, args=["reconcile", "--window=24h"])],
                  volumes=ROOT_FS_TMP),
    "15 2 * * *", comment="COMPLIANT", **C())
job(FP, "payments", "payments-migrate-v42", pay_labels("payments-migrate"), pay_labels("payments-migrate"),
    hardened_spec([app_container("migrate", schema_migrator, port_no=None, probe=None, args=["up", "--target=42"])],
                  volumes=ROOT_FS_TMP),
    comment="COMPLIANT (database migration job)", **C())

# ---------------------------------------------------------------- web: baseline enforced, ingress-only default deny
FW = "20-web.yaml"
namespace(FW, "web", {PSA_LABEL: "baseline", "pod-security.kubernetes.io/warn": "restricted", "owner": "team-web"},
          comment="FAILS: default-deny covers ingress only (no egress); no LimitRange. PSA baseline passes.",
          expect=E("NS-2", "NS-5"))
default_deny(FW, "web", ["Ingress"])
add(FW, "NetworkPolicy", "allow-from-ingress-nginx", "web",
    {"spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "shop"}}, "policyTypes": ["Ingress"],
              "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]}]}}, **A())
quota(FW, "web", 16, 32, 80)
role(FW, "web", "status-reader", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["status-page"]}],
     comment="reads one named ConfigMap (passes)")
binding(FW, "web", "public-status-reader", "Role", "status-reader", [("User", "system:anonymous")],
        comment="FAILS: grants a role to system:anonymous (unauthenticated requests), so the status page is world-readable",
        expect=E("RBAC-4"))
role(FW, "web", "ci-deployer", [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]},
                                {"apiGroups": [""], "resources": ["services", "configmaps"], "verbs": ["*"]}],
     comment="FAILS: wildcard verbs", expect=E("RBAC-2"))
binding(FW, "web", "ci-deployer", "Role", "ci-deployer", [("User", "ci-pipeline")])

sa(FW, "web", "storefront")
configmap(FW, "web", "status-page", {"status": "ok", "message": "All systems operational"}, comment="served to anonymous callers")
configmap(FW, "web", "storefront-config", {"SHOP_CURRENCY": "EUR", "SHOP_THEME": "spring-2025", "API_BASE_URL": "http://storefront-api"})
secret(FW, "web", "storefront-tls", {"tls.crt": "KPDEMO-SECRET-storefront-tls-certificate-e2a4", "tls.key": "KPDEMO-SECRET-storefront-tls-key-71bc"},
       type_="kubernetes.io/tls", comment="TLS certificate for shop.example.com (fake)")
service(FW, "web", "storefront", {"app.kubernetes.io/name": "storefront"}, [svc_port(80)], cluster_ip="10.96.30.10")
service(FW, "web", "storefront-api", {"app.kubernetes.io/name": "storefront-api"}, [svc_port(80)], cluster_ip="10.96.30.11")
service(FW, "web", "checkout", {"app.kubernetes.io/name": "checkout"}, [svc_port(80)], cluster_ip="10.96.30.12")
add(FW, "Ingress", "storefront", "web",
    {"spec": {"ingressClassName": "nginx",
              "tls": [{"hosts": ["shop.example.com"], "secretName": "storefront-tls"}],
              "rules": [{"host": "shop.example.com", "http": {"paths": [
                  {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "storefront", "port": {"number": 80}}}},
                  {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "storefront-api", "port": {"number": 80}}}},
                  {"path": "/checkout", "pathType": "Prefix", "backend": {"service": {"name": "checkout", "port": {"number": 80}}}}]}}]},
     "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}},
    {"app.kubernetes.io/name": "storefront"}, comment="PASSES: TLS for its only host", **C())

WEB = "team-web"
def web_labels(name, owner=WEB):
    return labels(name, owner, "shop")
NET2 = E("NET-2")  # web has no egress policy: every web workload's egress is unrestricted

deployment(FW, "web", "storefront", web_labels("storefront"), web_labels("storefront"),
    {"serviceAccountName": "storefront",
     "containers": [container("nginx", nginx_alpine, ports=[port(80)], resources=res("100m", "64Mi", "500m", "128Mi"),
                              volumeMounts=[mount("content", "/usr/share/nginx/html", True)])],
     "volumes": [{"name": "content", "configMap": {"name": "storefront-config"}}]},
    replicas=3,
    comment="FAILS: no securityContext at all (root, writable, all default capabilities, no seccomp, escalation allowed); "
            "nginx:alpine by floating tag with a fixable CRITICAL curl CVE on an end-of-life Alpine; shell and curl in the image",
    expect=E("POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "IMG-3", "IMG-5", "IMG-6", "IMG-7", "SEC-3") + NET2, **C())
spec = hardened_spec([app_container("storefront-api", storefront_api)], volumes=ROOT_FS_TMP)
del spec["securityContext"]["seccompProfile"]
deployment(FW, "web", "storefront-api", web_labels("storefront-api"), web_labels("storefront-api"), spec,
    comment="FAILS: no seccomp profile (otherwise hardened)", expect=E("POD-10") + NET2, **C())
deployment(FW, "web", "checkout", web_labels("checkout"), web_labels("checkout"),
    hardened_spec([app_container("checkout", checkout)], volumes=ROOT_FS_TMP),
    comment="COMPLIANT workload; fails only because its namespace has no egress policy", expect=NET2, **C())
deployment(FW, "web", "recommendations", labels("recommendations", None, "shop"), labels("recommendations", None, "shop"),
    hardened_spec([app_container("recommendations", recommendations)], volumes=ROOT_FS_TMP),
    comment="FAILS: :latest tag (floating, never scanned), no owner label",
    expect=E("IMG-2", "IMG-3", "IMG-4", "RES-1") + NET2, **C())
deployment(FW, "web", "image-resizer", web_labels("image-resizer"), web_labels("image-resizer"),
    {"automountServiceAccountToken": False,
     "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
     "containers": [container("resizer", alpine310, command=["/bin/sh", "-c", "exec /usr/local/bin/resizer --listen=:8080"],
                              ports=[port(8080)], resources=res("200m", "128Mi", "1", "512Mi"),
                              securityContext={"readOnlyRootFilesystem": True}, volumeMounts=[mount("tmp", "/tmp")])],
     "volumes": ROOT_FS_TMP},
    comment="FAILS: allowPrivilegeEscalation unset, capabilities not dropped; alpine:3.10.2 is end-of-life and ships busybox and apk",
    expect=E("POD-5", "POD-8", "IMG-3", "IMG-5", "IMG-7") + NET2, **C())
statefulset(FW, "web", "session-cache", web_labels("session-cache"), web_labels("session-cache"),
    {"automountServiceAccountToken": False,
     "securityContext": {"runAsNonRoot": True, "runAsUser": 1001, "fsGroup": 1001, "seccompProfile": {"type": "RuntimeDefault"}},
     "containers": [container("redis", redis_bitnami, ports=[port(6379, "redis")],
                              env=[env("ALLOW_EMPTY_PASSWORD", "yes")],
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                               "readOnlyRootFilesystem": True},
                              volumeMounts=[mount("data", "/bitnami/redis/data"), mount("tmp", "/tmp")])],
     "volumes": ROOT_FS_TMP},
    claims=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "8Gi"}}}}],
    comment="FAILS: image from an untrusted registry path (docker.io/bitnami), not pinned, not scanned; no resources",
    expect=E("IMG-1", "IMG-3", "IMG-4", "RES-2") + NET2, **C())
cronjob(FW, "web", "sitemap-generator", web_labels("sitemap-generator"), web_labels("sitemap-generator"),
    hardened_spec([app_container("sitemap", sitemap, port_no=None, probe=None)], volumes=ROOT_FS_TMP),
    "0 */6 * * *", comment="COMPLIANT workload (namespace lacks an egress policy)", expect=NET2, **C())
deployment(FW, "web", "cms", web_labels("cms"), web_labels("cms"),
    {"automountServiceAccountToken": False,
     "securityContext": {"runAsNonRoot": True, "runAsUser": 33, "runAsGroup": 33, "seccompProfile": {"type": "RuntimeDefault"}},
     "containers": [container("cms", cms, ports=[port(8080)], resources=res("250m", "256Mi", "1", "512Mi"),
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                              volumeMounts=[mount("uploads", "/var/www/html/uploads")])],
     "volumes": [{"name": "uploads", "emptyDir": {"sizeLimit": "2Gi"}}]},
    comment="FAILS: writable root fs; company image by tag only, built on a full Debian (100+ packages, bash, curl, apt) "
            "with a fixable HIGH glibc CVE",
    expect=E("POD-7", "IMG-3", "IMG-6", "IMG-7", "IMG-8") + NET2, **C())
deployment(FW, "web", "feature-flags", web_labels("feature-flags"), web_labels("feature-flags"),
    hardened_spec([app_container("feature-flags", feature_flags, cpu=("50m", "200m"), mem=("64Mi", "128Mi"))], volumes=ROOT_FS_TMP),
    comment="COMPLIANT workload (namespace lacks an egress policy)", expect=NET2, **C())
deployment(FW, "web", "search-api", web_labels("search-api"), web_labels("search-api"),
    hardened_spec([app_container("search-api", search_api, resources={"requests": {"cpu": "500m", "memory": "1Gi"}})],
                  volumes=ROOT_FS_TMP),
    comment="FAILS: vendor image from quay.io (untrusted registry), by tag, not scanned; no limits",
    expect=E("IMG-1", "IMG-3", "IMG-4", "RES-2") + NET2, **C())

# ---------------------------------------------------------------- data: PSA only warns, no quota
FD = "30-data.yaml"
namespace(FD, "data", {"pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted",
                       "owner": "team-data"},
          comment="FAILS: Pod Security Admission only warns and audits (no enforce label); no ResourceQuota",
          expect=E("NS-3", "NS-4"))
default_deny(FD, "data", ["Ingress", "Egress"])
add(FD, "NetworkPolicy", "allow-analytics-clients", "data",
    {"spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "analytics"}}, "policyTypes": ["Ingress", "Egress"],
              "ingress": [{"from": [{"podSelector": {}}, {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "batch"}}}]}],
              "egress": [{"to": [{"podSelector": {}}]},
                         {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                          "ports": [{"port": 53, "protocol": "UDP"}]}]}}, **A())
limit_range(FD, "data")
role(FD, "data", "backup-operator", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
                                      {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["get", "list"]}],
     comment="FAILS: can list every Secret of the namespace", expect=E("RBAC-3"))
binding(FD, "data", "backup-operator", "Role", "backup-operator", [("ServiceAccount", "backup", "data")])

sa(FD, "data", "backup")
sa(FD, "data", "analytics", automount=False)
secret(FD, "data", "analytics-db-credentials", {"username": "analytics", "password": "KPDEMO-SECRET-analytics-db-password-c3d0"})
secret(FD, "data", "backup-s3", {"AWS_ACCESS_KEY_ID": "KPDEMO-SECRET-backup-access-key-id-88f1",
                                 "AWS_SECRET_ACCESS_KEY": "KPDEMO-SECRET-backup-secret-access-key-4e6a"},
       comment="object-storage credentials for the nightly backup (fake)")
secret(FD, "data", "metabase-db", {"MB_DB_PASS": "KPDEMO-SECRET-metabase-db-pass-19ad"}, applied=False)
secret(FD, "data", "db-tunnel-keys", {"wg0.conf": "[Interface]\nPrivateKey = KPDEMO-SECRET-wireguard-private-key-aa07\n"}, applied=False)
service(FD, "data", "postgres-analytics", {"app.kubernetes.io/name": "postgres-analytics"}, [svc_port(5432, "postgres", "postgres")],
        cluster_ip="None")
service(FD, "data", "kafka", {"app.kubernetes.io/name": "kafka"}, [svc_port(9092, "kafka", "kafka")], cluster_ip="None")
service(FD, "data", "metabase", {"app.kubernetes.io/name": "metabase"}, [svc_port(80, "http", "http")], cluster_ip="10.96.40.20")

DATA = "team-data"
def data_labels(name):
    return labels(name, DATA, "analytics")

statefulset(FD, "data", "postgres-analytics", data_labels("postgres-analytics"), data_labels("postgres-analytics"),
    {"containers": [container("postgres", postgres, ports=[port(5432, "postgres")],
                              env=[env("POSTGRES_USER", "analytics"),
                                   env_secret("POSTGRES_PASSWORD", "analytics-db-credentials", "password")],
                              resources=res("1", "2Gi", "4", "8Gi"), volumeMounts=[mount("data", "/var/lib/postgresql/data")])]},
    claims=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "200Gi"}}}}],
    comment="FAILS: no securityContext (the postgres entrypoint starts as root), by tag and not scanned, password in env, token automounted",
    expect=E("POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "IMG-3", "IMG-4", "SEC-1", "SEC-3"), **C())
statefulset(FD, "data", "kafka", data_labels("kafka"), data_labels("kafka"),
    {"automountServiceAccountToken": False,
     "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "fsGroup": 1000},
     "containers": [container("kafka", kafka, ports=[port(9092, "kafka"), port(9093, "controller")],
                              env=[env("KAFKA_PROCESS_ROLES", "broker,controller"), env("KAFKA_NODE_ID", "1")],
                              resources={"requests": {"cpu": "1", "memory": "2Gi"}},
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                               "readOnlyRootFilesystem": True},
                              volumeMounts=[mount("data", "/var/lib/kafka/data"), mount("tmp", "/tmp")])],
     "volumes": ROOT_FS_TMP},
    replicas=3,
    claims=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Gi"}}}}],
    comment="FAILS: docker.io/apache is not a trusted registry path, tag only, not scanned; no seccomp; no limits",
    expect=E("POD-10", "IMG-1", "IMG-3", "IMG-4", "RES-2"), **C())
statefulset(FD, "data", "elasticsearch", data_labels("elasticsearch"), data_labels("elasticsearch"),
    {"automountServiceAccountToken": False,
     "securityContext": {"fsGroup": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
     "initContainers": [container("sysctl", elasticsearch, command=["sysctl", "-w", "vm.max_map_count=262144"],
                                  resources=res("10m", "16Mi", "100m", "64Mi"),
                                  securityContext={"privileged": True, "runAsUser": 0})],
     "containers": [container("elasticsearch", elasticsearch, ports=[port(9200, "http"), port(9300, "transport")],
                              env=[env("discovery.type", "single-node"), env("ES_JAVA_OPTS", "-Xms2g -Xmx2g")],
                              resources=res("1", "4Gi", "2", "4Gi"),
                              securityContext={"runAsNonRoot": True, "runAsUser": 1000, "allowPrivilegeEscalation": False,
                                               "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True},
                              volumeMounts=[mount("data", "/usr/share/elasticsearch/data"), mount("tmp", "/tmp")])],
     "volumes": ROOT_FS_TMP},
    claims=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Gi"}}}}],
    comment="FAILS in the init container only: privileged, root, escalation, writable, capabilities kept (the classic vm.max_map_count "
            "init container); the main container is hardened. Elastic's registry is not trusted, tag only, not scanned",
    expect=E("POD-1", "POD-5", "POD-6", "POD-7", "POD-8", "IMG-1", "IMG-3", "IMG-4"), **C())
deployment(FD, "data", "etl-scheduler", data_labels("etl-scheduler"), data_labels("etl-scheduler"),
    hardened_spec([app_container("etl-scheduler", etl)], sa="analytics", volumes=ROOT_FS_TMP),
    replicas=1, comment="COMPLIANT", **C())
cronjob(FD, "data", "nightly-backup", data_labels("nightly-backup"), data_labels("nightly-backup"),
    {"serviceAccountName": "backup",
     "containers": [container("backup", debian101, command=["/bin/bash", "-c", "/scripts/backup.sh"],
                              envFrom=[{"secretRef": {"name": "backup-s3"}}],
                              resources=res("250m", "256Mi", "1", "1Gi"),
                              volumeMounts=[mount("staging", "/backup")])],
     "volumes": [{"name": "staging", "hostPath": {"path": "/mnt/backup-staging", "type": "DirectoryOrCreate"}}]},
    "30 1 * * *",
    comment="FAILS: root, no hardening at all; debian:10.1 is end-of-life with a fixable CRITICAL libidn2 CVE, a full Debian with "
            "bash and apt; loads every key of the S3 Secret into env; token automounted",
    expect=E("POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "IMG-3", "IMG-5", "IMG-6", "IMG-7", "IMG-8", "SEC-1", "SEC-3"), **C())
job(FD, "data", "schema-migration", data_labels("schema-migration"), data_labels("schema-migration"),
    hardened_spec([app_container("migrate", schema_migrator, port_no=None, probe=None, args=["up"])], volumes=ROOT_FS_TMP),
    comment="COMPLIANT", **C())
deployment(FD, "data", "metabase", data_labels("metabase"), data_labels("metabase"),
    {"automountServiceAccountToken": False,
     "securityContext": {"runAsNonRoot": True, "runAsUser": 2000},
     "containers": [container("metabase", metabase, ports=[port(3000)], env=[env("MB_DB_TYPE", "postgres"),
                              env("MB_DB_HOST", "postgres-analytics"), env_secret("MB_DB_PASS", "metabase-db", "MB_DB_PASS")],
                              resources=res("500m", "1Gi", "2", "2Gi"),
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}})]},
    replicas=1,
    comment="FAILS: no seccomp, writable root fs, untrusted registry path, tag only, not scanned, database password in env",
    expect=E("POD-7", "POD-10", "IMG-1", "IMG-3", "IMG-4", "SEC-1"), **C())
deployment(FD, "data", "db-tunnel", data_labels("db-tunnel"), data_labels("db-tunnel"),
    {"automountServiceAccountToken": False,
     "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
     "containers": [container("wireguard", wireguard, ports=[port(51820, "wireguard", "UDP")],
                              resources=res("50m", "64Mi", "200m", "128Mi"),
                              securityContext={"capabilities": {"add": ["NET_ADMIN", "SYS_MODULE"]}},
                              volumeMounts=[mount("keys", "/config/wg_confs", True), mount("modules", "/lib/modules", True)])],
     "volumes": [{"name": "keys", "secret": {"secretName": "db-tunnel-keys"}},
                 {"name": "modules", "hostPath": {"path": "/lib/modules", "type": "Directory"}}]},
    replicas=1,
    comment="FAILS: adds NET_ADMIN and SYS_MODULE, runs as root, escalation allowed, writable, capabilities kept; untrusted image",
    expect=E("POD-5", "POD-6", "POD-7", "POD-8", "POD-9", "IMG-1", "IMG-3", "IMG-4"), **C())
bare_pod(FD, "data", "adhoc-psql", {"run": "adhoc-psql"},
    {"containers": [container("adhoc-psql", postgres, command=["sleep", "infinity"], stdin=True, tty=True)],
     "restartPolicy": "Always", "nodeName": "worker-3"},
    status={"phase": "Running", "hostIP": "10.0.1.23", "podIP": "10.244.23.41", "podIPs": [{"ip": "10.244.23.41"}],
            "qosClass": "BestEffort", "startTime": "2025-06-02T09:20:05Z",
            "containerStatuses": [{"name": "adhoc-psql", "image": "docker.io/library/postgres:16.4", "imageID": postgres.image_id(),
                                   "ready": True, "restartCount": 0, "started": True,
                                   "state": {"running": {"startedAt": "2025-06-02T09:20:09Z"}},
                                   "containerID": "containerd://" + sha("container:adhoc-psql").split(":")[1]}]},
    created="2025-06-02T09:20:03Z", actor="alice",
    comment="FAILS: a forgotten `kubectl run` debugging pod: no owner label, no resources, no hardening, token automounted",
    expect=E("POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "IMG-3", "IMG-4", "RES-1", "RES-2", "SEC-3"))

# ---------------------------------------------------------------- monitoring: no PSA, no network policies, no quotas
FM = "40-monitoring.yaml"
namespace(FM, "monitoring", {"owner": "team-sre"},
          comment="FAILS: no PSA label, no default-deny NetworkPolicy, no ResourceQuota, no LimitRange",
          expect=E("NS-2", "NS-3", "NS-4", "NS-5"))
for name in ("prometheus", "kube-state-metrics", "node-exporter", "grafana", "falco", "log-shipper"):
    sa(FM, "monitoring", name, automount=False if name == "kube-state-metrics" else None)
configmap(FM, "monitoring", "grafana-config",
          {"grafana.ini": "[server]\nroot_url = http://grafana.example.com\n\n[security]\nadmin_user = admin\n"
                          "admin_password = KPDEMO-CONFIGMAP-CREDENTIAL-grafana-admin-password\n\n[smtp]\nenabled = true\n"
                          "host = smtp.example.com:587\nuser = alerts@example.com\n",
           "SMTP_PASSWORD": "KPDEMO-CONFIGMAP-CREDENTIAL-smtp-password"},
          comment="FAILS: credentials in a ConfigMap (an admin password line and an SMTP_PASSWORD key) instead of a Secret",
          expect=E("SEC-2"))
configmap(FM, "monitoring", "prometheus-config",
          {"prometheus.yml": "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: kubernetes-pods\n"
                             "    kubernetes_sd_configs:\n      - role: pod\n"})
secret(FM, "monitoring", "grafana-admin", {"admin-user": "admin", "admin-password": "KPDEMO-SECRET-grafana-admin-password-6f30"})
service(FM, "monitoring", "grafana", {"app.kubernetes.io/name": "grafana"}, [svc_port(80, 3000)], cluster_ip="10.96.50.10")
service(FM, "monitoring", "prometheus", {"app.kubernetes.io/name": "prometheus"}, [svc_port(9090, "http")], cluster_ip="10.96.50.11")
add(FM, "Ingress", "grafana", "monitoring",
    {"spec": {"ingressClassName": "nginx",
              "rules": [{"host": "grafana.example.com", "http": {"paths": [
                  {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "grafana", "port": {"number": 80}}}}]}}]},
     "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}},
    {"app.kubernetes.io/name": "grafana"}, comment="FAILS: plain HTTP (no spec.tls) for the Grafana login page",
    expect=E("NET-1"), **C())

SRE = "team-sre"
def mon_labels(name, owner=SRE):
    return labels(name, owner, "monitoring")

daemonset(FM, "monitoring", "node-exporter", mon_labels("node-exporter"), mon_labels("node-exporter"),
    {"serviceAccountName": "node-exporter", "automountServiceAccountToken": False, "hostNetwork": True, "hostPID": True,
     "securityContext": {"runAsNonRoot": True, "runAsUser": 65534},
     "containers": [container("node-exporter", node_exporter, args=["--path.procfs=/host/proc", "--path.sysfs=/host/sys",
                                                                    "--path.rootfs=/host/root"],
                              ports=[port(9100, "metrics")], resources=res("50m", "64Mi", "250m", "128Mi"),
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                               "readOnlyRootFilesystem": True},
                              volumeMounts=[mount("proc", "/host/proc", True), mount("sys", "/host/sys", True),
                                            mount("root", "/host/root", True)])],
     "tolerations": [{"operator": "Exists"}],
     "volumes": [{"name": "proc", "hostPath": {"path": "/proc"}}, {"name": "sys", "hostPath": {"path": "/sys"}},
                 {"name": "root", "hostPath": {"path": "/"}}]},
    comment="FAILS: host network and PID namespaces, mounts /proc, /sys and the node's root filesystem; no seccomp; quay.io not trusted",
    expect=E("POD-2", "POD-3", "POD-10", "POD-11", "IMG-1", "IMG-3", "IMG-4", "NET-2"), **C())
statefulset(FM, "monitoring", "prometheus", mon_labels("prometheus"), mon_labels("prometheus"),
    {"serviceAccountName": "prometheus", "securityContext": {"runAsNonRoot": True, "runAsUser": 65534, "fsGroup": 65534},
     "containers": [container("prometheus", prometheus, args=["--config.file=/etc/prometheus/prometheus.yml",
                                                              "--storage.tsdb.retention.time=15d"],
                              ports=[port(9090)], resources=res("500m", "2Gi", "2", "4Gi"),
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                               "readOnlyRootFilesystem": True},
                              volumeMounts=[mount("config", "/etc/prometheus", True), mount("data", "/prometheus")])],
     "volumes": [{"name": "config", "configMap": {"name": "prometheus-config"}}]},
    claims=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "50Gi"}}}}],
    comment="FAILS: no seccomp, token automounted (needs API access, but should use a projected token), quay.io not trusted",
    expect=E("POD-10", "IMG-1", "IMG-3", "IMG-4", "SEC-3", "NET-2"), **C())
deployment(FM, "monitoring", "grafana", mon_labels("grafana"), mon_labels("grafana"),
    {"serviceAccountName": "grafana", "securityContext": {"runAsNonRoot": True, "runAsUser": 472, "fsGroup": 472},
     "containers": [container("grafana", grafana, ports=[port(3000)], envFrom=[{"secretRef": {"name": "grafana-admin"}}],
                              resources={"requests": {"cpu": "100m", "memory": "256Mi"}},
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                              volumeMounts=[mount("config", "/etc/grafana", True)])],
     "volumes": [{"name": "config", "configMap": {"name": "grafana-config"}}]},
    replicas=1,
    comment="FAILS: admin Secret loaded into env, writable root fs, no seccomp, no limits, token automounted, docker.io/grafana untrusted",
    expect=E("POD-7", "POD-10", "IMG-1", "IMG-3", "IMG-4", "RES-2", "SEC-1", "SEC-3", "NET-2"), **C())
deployment(FM, "monitoring", "alertmanager", mon_labels("alertmanager"), mon_labels("alertmanager"),
    {"automountServiceAccountToken": False,
     "securityContext": {"runAsNonRoot": True, "runAsUser": 65534, "seccompProfile": {"type": "RuntimeDefault"}},
     "containers": [container("alertmanager", alertmanager, ports=[port(9093)], resources=res("50m", "64Mi", "200m", "128Mi"),
                              securityContext=hardened_container_sc(), volumeMounts=[mount("data", "/alertmanager")])],
     "volumes": [{"name": "data", "emptyDir": {}}]},
    replicas=2, comment="FAILS only on provenance: quay.io not trusted, tag only, not scanned (and no egress policy)",
    expect=E("IMG-1", "IMG-3", "IMG-4", "NET-2"), **C())
deployment(FM, "monitoring", "kube-state-metrics", mon_labels("kube-state-metrics"), mon_labels("kube-state-metrics"),
    hardened_spec([app_container("kube-state-metrics", ksm, probe="/livez", cpu=("50m", "200m"), mem=("128Mi", "256Mi"), mounts=[])],
                  uid=65534, sa="kube-state-metrics", automount=None),
    replicas=1, comment="COMPLIANT workload (digest-pinned, scanned image from registry.k8s.io); fails only the namespace's missing egress policy",
    expect=NET2, **C())
daemonset(FM, "monitoring", "falco", mon_labels("falco", "team-security"), mon_labels("falco", "team-security"),
    {"serviceAccountName": "falco",
     "containers": [container("falco", falco, args=["/usr/bin/falco", "-o", "engine.kind=modern_ebpf"],
                              resources=res("100m", "512Mi", "1", "1Gi"), securityContext={"privileged": True},
                              volumeMounts=[mount("proc", "/host/proc", True), mount("etc", "/host/etc", True),
                                            mount("dev", "/host/dev", True), mount("containerd", "/host/run/containerd/containerd.sock")])],
     "tolerations": [{"operator": "Exists"}],
     "volumes": [{"name": "proc", "hostPath": {"path": "/proc"}}, {"name": "etc", "hostPath": {"path": "/etc"}},
                 {"name": "dev", "hostPath": {"path": "/dev"}},
                 {"name": "containerd", "hostPath": {"path": "/run/containerd/containerd.sock", "type": "Socket"}}]},
    comment="FAILS (runtime security sensor: needs an approved exception): privileged, root, mounts /proc, /etc, /dev and the containerd socket",
    expect=E("POD-1", "POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "POD-11", "IMG-1", "IMG-3", "IMG-4", "SEC-3", "NET-2"), **C())
deployment(FM, "monitoring", "blackbox-exporter", mon_labels("blackbox-exporter"), mon_labels("blackbox-exporter"),
    hardened_spec([app_container("blackbox-exporter", blackbox, port_no=9115, probe="/-/healthy",
                                 sc={"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                     "capabilities": {"drop": ["ALL"], "add": ["NET_RAW"]}}, mounts=[])], uid=65534),
    replicas=1, comment="FAILS: adds NET_RAW for ICMP probes (not in the allowed capabilities)",
    expect=E("POD-9", "NET-2"), **C())
daemonset(FM, "monitoring", "log-shipper", mon_labels("log-shipper"), mon_labels("log-shipper"),
    {"serviceAccountName": "log-shipper", "automountServiceAccountToken": False,
     "containers": [container("fluent-bit", fluent_bit, resources=res("50m", "64Mi", "500m", "256Mi"),
                              securityContext={"readOnlyRootFilesystem": True},
                              volumeMounts=[mount("varlog", "/var/log", True), mount("containers", "/var/lib/docker/containers", True)])],
     "tolerations": [{"operator": "Exists"}],
     "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}},
                 {"name": "containers", "hostPath": {"path": "/var/lib/docker/containers"}}]},
    comment="FAILS: root, escalation, capabilities kept, no seccomp, mounts /var/lib/docker/containers; cr.fluentbit.io not trusted",
    expect=E("POD-5", "POD-6", "POD-8", "POD-10", "POD-11", "IMG-1", "IMG-3", "IMG-4", "NET-2"), **C())

# ---------------------------------------------------------------- batch: PSA "privileged" (enforces nothing), egress-only deny
FB = "50-batch.yaml"
namespace(FB, "batch", {PSA_LABEL: "privileged", "owner": "team-data"},
          comment="FAILS: PSA enforce=privileged enforces nothing; the default-deny policy covers egress only",
          expect=E("NS-2", "NS-3"))
default_deny(FB, "batch", ["Egress"])
add(FB, "NetworkPolicy", "allow-egress-to-data", "batch",
    {"spec": {"podSelector": {}, "policyTypes": ["Egress"],
              "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}}}]},
                         {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                          "ports": [{"port": 53, "protocol": "UDP"}]}]}}, **A())
quota(FB, "batch", 32, 128, 100)
limit_range(FB, "batch")
sa(FB, "batch", "report-builder", automount=False)
sa(FB, "batch", "invoice-mailer")
secret(FB, "batch", "smtp-relay", {"SMTP_USER": "invoices@example.com", "SMTP_PASSWORD": "KPDEMO-SECRET-smtp-relay-password-2b9e"})

def batch_labels(name, owner="team-data"):
    return labels(name, owner, "batch")

cronjob(FB, "batch", "report-builder", batch_labels("report-builder"), batch_labels("report-builder"),
    hardened_spec([app_container("report-builder", report_builder, port_no=None, probe=None, cpu=("500m", "2"), mem=("512Mi", "2Gi"))],
                  sa="report-builder", volumes=ROOT_FS_TMP),
    "0 5 * * 1-5", comment="COMPLIANT", **C())
cronjob(FB, "batch", "cleanup-tmp", batch_labels("cleanup-tmp"), batch_labels("cleanup-tmp"),
    {"automountServiceAccountToken": False,
     "containers": [container("cleanup", alpine310, command=["/bin/sh", "-c", "find /scratch -mtime +2 -delete"],
                              volumeMounts=[mount("scratch", "/scratch")])],
     "volumes": [{"name": "scratch", "persistentVolumeClaim": {"claimName": "batch-scratch"}}]},
    "0 * * * *",
    comment="FAILS: root, no hardening, no resources; alpine:3.10.2 is end-of-life and carries busybox/apk",
    expect=E("POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "IMG-3", "IMG-5", "IMG-7", "RES-2"), **C())
job(FB, "batch", "data-import-20250602", batch_labels("data-import"), batch_labels("data-import"),
    {"containers": [container("import", python_slim, command=["python", "/jobs/import.py", "--date=2025-06-02"],
                              resources=res("1", "1Gi", "2", "4Gi"))]},
    comment="FAILS: python:3.12-slim by tag, never scanned; no hardening; token automounted",
    expect=E("POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "IMG-3", "IMG-4", "SEC-3"), **C())
cronjob(FB, "batch", "cert-rotation-check", batch_labels("cert-rotation-check", "team-security"),
    batch_labels("cert-rotation-check", "team-security"),
    hardened_spec([app_container("cert-checker", cert_checker, port_no=None, probe=None, cpu=("50m", "100m"), mem=("32Mi", "64Mi"))],
                  volumes=ROOT_FS_TMP),
    "0 6 * * *", comment="COMPLIANT", **C())
job(FB, "batch", "ml-training-run-17", batch_labels("ml-training"), batch_labels("ml-training"),
    {"automountServiceAccountToken": False, "hostIPC": True,
     "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
     "containers": [container("trainer", pytorch, command=["python", "train.py", "--epochs=40"],
                              resources={"requests": {"cpu": "4", "memory": "24Gi", "nvidia.com/gpu": "1"},
                                         "limits": {"memory": "32Gi", "nvidia.com/gpu": "1"}},
                              securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                              volumeMounts=[mount("datasets", "/data", True)])],
     "volumes": [{"name": "datasets", "persistentVolumeClaim": {"claimName": "training-datasets"}}]},
    comment="FAILS: hostIPC for shared memory (use an emptyDir with medium: Memory), writable root fs, no CPU limit, nvcr.io untrusted",
    expect=E("POD-4", "POD-7", "IMG-1", "IMG-3", "IMG-4", "RES-2"), **C())
deployment(FB, "batch", "batch-dispatcher", labels("batch-dispatcher", None, "batch"), labels("batch-dispatcher", None, "batch"),
    hardened_spec([app_container("dispatcher", dispatcher)], volumes=ROOT_FS_TMP),
    replicas=1, comment="FAILS only: no owner label", expect=E("RES-1"), **C())
cronjob(FB, "batch", "invoice-mailer", batch_labels("invoice-mailer", "team-billing"), batch_labels("invoice-mailer", "team-billing"),
    hardened_spec([app_container("invoice-mailer", invoice, port_no=None, probe=None,
                                 env=[env("SMTP_HOST", "smtp.example.com")],
                                 mounts=[mount("tmp", "/tmp"), mount("smtp", "/etc/smtp", True)])],
                  sa="invoice-mailer", automount=None, volumes=ROOT_FS_TMP,
                  extra={"volumes": ROOT_FS_TMP + [{"name": "smtp", "secret": {"secretName": "smtp-relay"}}]}),
    "0 7 1 * *",
    comment="FAILS only: the service-account token is automounted (neither the pod nor its service account turns it off)",
    expect=E("SEC-3"), **C())

# ---------------------------------------------------------------- default: strays
FDEF = "60-default.yaml"
service(FDEF, "default", "legacy-app", {"app": "legacy-app"}, [svc_port(80, 80, "http", node_port=30080)], type_="NodePort",
        cluster_ip="10.96.60.10", extra={"externalTrafficPolicy": "Cluster"}, lbls={"app": "legacy-app"},
        comment="FAILS: in the default namespace; NodePort opens port 30080 on every node", expect=E("NS-1"))
deployment(FDEF, "default", "legacy-app", {"app": "legacy-app"}, {"app.kubernetes.io/name": "legacy-app", "app": "legacy-app"},
    {"containers": [container("legacy-app", nginx_untagged, ports=[port(80)])]},
    replicas=1,
    comment="FAILS almost everything: in default, untagged nginx (floats with :latest, never scanned), no labels, no resources, "
            "no hardening, token automounted",
    expect=E("NS-1", "POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "IMG-2", "IMG-3", "IMG-4", "RES-1", "RES-2", "SEC-3", "NET-2"), **C())
bare_pod(FDEF, "default", "debug-toolbox", {"run": "debug-toolbox"},
    {"hostPID": True,
     "containers": [container("debug-toolbox", debian101, command=["sleep", "infinity"], stdin=True, tty=True,
                              securityContext={"privileged": True})],
     "restartPolicy": "Always", "nodeName": "worker-2"},
    status={"phase": "Running", "hostIP": "10.0.1.22", "podIP": "10.244.22.80", "podIPs": [{"ip": "10.244.22.80"}],
            "qosClass": "BestEffort", "startTime": "2025-06-02T09:24:31Z",
            "containerStatuses": [{"name": "debug-toolbox", "image": "docker.io/library/debian:10.1", "imageID": debian101.image_id(),
                                   "ready": True, "restartCount": 0, "started": True,
                                   "state": {"running": {"startedAt": "2025-06-02T09:24:36Z"}},
                                   "containerID": "containerd://" + sha("container:debug-toolbox").split(":")[1]}]},
    created="2025-06-02T09:24:30Z", actor="alice",
    comment="FAILS: a privileged debugging pod with the host PID namespace, left running in default on an end-of-life Debian image",
    expect=E("NS-1", "POD-1", "POD-3", "POD-5", "POD-6", "POD-7", "POD-8", "POD-10", "IMG-3", "IMG-5", "IMG-6", "IMG-7", "IMG-8",
             "RES-1", "RES-2", "SEC-3", "NET-2"))

# ---------------------------------------------------------------- ingress-nginx
FI = "70-ingress-nginx.yaml"
namespace(FI, "ingress-nginx", {PSA_LABEL: "baseline", "owner": "team-platform"},
          comment="FAILS: no default-deny NetworkPolicy, no ResourceQuota, no LimitRange (PSA baseline passes)",
          expect=E("NS-2", "NS-4", "NS-5"))
sa(FI, "ingress-nginx", "ingress-nginx")
sa(FI, "ingress-nginx", "ingress-nginx-admission", automount=False)
configmap(FI, "ingress-nginx", "ingress-nginx-controller", {"allow-snippet-annotations": "false", "use-forwarded-headers": "true"})
service(FI, "ingress-nginx", "ingress-nginx-controller", {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"},
        [svc_port(80, "http", "http", node_port=31080), svc_port(443, "https", "https", node_port=31443)], type_="LoadBalancer",
        cluster_ip="10.96.70.10", extra={"externalTrafficPolicy": "Local", "allocateLoadBalancerNodePorts": True},
        status={"loadBalancer": {"ingress": [{"ip": "203.0.113.10", "ipMode": "VIP"}]}},
        lbls={"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"},
        comment="the cluster's one public LoadBalancer (203.0.113.10), in front of the ingress controller, not the API server")

PLATFORM = "team-platform"
ing_labels = labels("ingress-nginx", PLATFORM, "ingress-nginx", {"app.kubernetes.io/component": "controller"})
deployment(FI, "ingress-nginx", "ingress-nginx-controller", ing_labels, ing_labels,
    {"serviceAccountName": "ingress-nginx", "dnsPolicy": "ClusterFirst",
     "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
     "containers": [container("controller", ingress_controller,
                              args=["/nginx-ingress-controller", "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller",
                                    "--election-id=ingress-nginx-leader", "--controller-class=k8s.io/ingress-nginx",
                                    "--ingress-class=nginx", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"],
                              env=[{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
                              ports=[port(80, "http"), port(443, "https")],
                              resources=res("100m", "90Mi", "1", "512Mi"),
                              securityContext={"allowPrivilegeEscalation": True, "runAsNonRoot": True, "runAsUser": 101,
                                               "readOnlyRootFilesystem": False,
                                               "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}})]},
    replicas=2,
    comment="FAILS: allowPrivilegeEscalation true and a writable root fs (upstream defaults); digest-pinned registry.k8s.io image "
            "but never scanned; token automounted (the controller needs API access)",
    expect=E("POD-5", "POD-7", "IMG-4", "SEC-3", "NET-2"), **C())
for job_name, verb in (("ingress-nginx-admission-create", "create"), ("ingress-nginx-admission-patch", "patch")):
    jl = labels("ingress-nginx", PLATFORM, "ingress-nginx", {"app.kubernetes.io/component": "admission-webhook"})
    job(FI, "ingress-nginx", job_name, jl, jl,
        hardened_spec([app_container(verb, certgen, port_no=None, probe=None, mounts=[],
                                     args=[verb, "--namespace=$(POD_NAMESPACE)", "--secret-name=ingress-nginx-admission"],
                                     env=[{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
                                     cpu=("10m", "100m"), mem=("20Mi", "64Mi"))],
                      uid=65532, sa="ingress-nginx-admission", automount=None),
        comment="hardened; FAILS: digest-pinned but never scanned, and the namespace has no egress policy",
        expect=E("IMG-4", "NET-2"), **C())

# ---------------------------------------------------------------- the incident: bob gets cluster-admin (10:30)
binding(F0b, None, "bob-cluster-admin", "ClusterRole", "cluster-admin", [("User", "bob@example.com")], kind="ClusterRoleBinding",
        comment="FAILS: cluster-admin bound to a human user (created by alice at 10:30 so that bob could debug the payments database)",
        expect=E("RBAC-1", "RBAC-5"), actor_kw=dict(created="2025-06-02T10:30:00Z", actor="alice-create-crb"))

WORKLOAD_KINDS = WORKLOADS
