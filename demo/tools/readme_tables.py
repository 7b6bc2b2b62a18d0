import json, os, yaml, collections
exp = json.load(open(os.path.join(os.path.dirname(__file__), "../../demo/src/main/resources/dev/kubeproof/demo/sample-cluster/expectations.json"))
cat = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), "../../controls/src/main/resources/dev/kubeproof/controls/controls.yaml"))
titles = {c["id"]: c["title"] for c in cat["controls"]}
def res(o):
    return f"{o['kind']} {o['namespace'] + '/' if o['namespace'] else ''}{o['name']}"
by_control = collections.defaultdict(list)
for o in exp["objects"]:
    for c in o["fail"]:
        by_control[c].append(o)
order = lambda c: (c.split("-")[1], c)
out = []
out.append("| control | title | objects that must FAIL |")
out.append("| --- | --- | --- |")
for c in sorted(by_control, key=order):
    out.append(f"| {c} | {titles.get(c, '?')} | {len(by_control[c])} |")
out.append("")
out.append("TABLE2")
out.append("| resource | must FAIL | why |")
out.append("| --- | --- | --- |")
for o in exp["objects"]:
    if o["fail"]:
        note = o["note"].replace("|", "\\|")
        out.append(f"| {res(o)} | {', '.join(sorted(o['fail'], key=order))} | {note} |")
out.append("")
out.append("COMPLIANT")
wk = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}
for o in exp["objects"]:
    if not o["fail"] and o["kind"] in wk and o["namespace"] != "kube-system":
        out.append(f"- {res(o)}")
print("\n".join(out))
print("controls never failed:", sorted(set(titles) - set(by_control)))
