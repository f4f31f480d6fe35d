#!/usr/bin/env python3
"""Structural checks of a rendered kustomize overlay (stdin), beyond what the API schema says.

Every workload has probes and resource requests and limits, every Service, HPA, PDB and
NetworkPolicy points at something that exists, every Secret key a workload reads is one the
platform documents, and the network policies keep their promises. Prints a one-line summary.
"""
import sys
import yaml

SECRET_KEYS = {"db-user", "db-password", "mqtt-admin-password", "mqtt-registry-password",
               "mqtt-telemetry-password", "mqtt-webhooks-password", "mqtt-ingest-password",
               "bootstrap-admin-key"}
SERVICES = {"device-registry-service": 8081, "telemetry-service": 8082,
            "webhook-gateway": 8083, "ingest-bridge": 8084}

overlay = sys.argv[1]
docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
problems = []
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d

workloads = {**by_kind.get("Deployment", {}), **by_kind.get("StatefulSet", {})}
config_maps = set(by_kind.get("ConfigMap", {}))


def labels_of(w):
    return w["spec"]["template"]["metadata"].get("labels", {})


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


for name, w in workloads.items():
    pod = w["spec"]["template"]["spec"]
    if not selects(w["spec"]["selector"]["matchLabels"], labels_of(w)):
        problems.append(f"{name}: selector does not match its pod labels")
    for c in pod["containers"]:
        res = c.get("resources", {})
        if not res.get("requests") or not res.get("limits"):
            problems.append(f"{name}/{c['name']}: resource requests and limits are required")
        if "readinessProbe" not in c or "livenessProbe" not in c:
            problems.append(f"{name}/{c['name']}: readiness and liveness probes are required")
        for env in c.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["key"] not in SECRET_KEYS:
                problems.append(f"{name}: reads undocumented secret key {ref['key']}")
        for src in c.get("envFrom", []):
            cm = src.get("configMapRef", {}).get("name")
            if cm and cm not in config_maps:
                problems.append(f"{name}: envFrom ConfigMap {cm} does not exist")
    for v in pod.get("volumes", []):
        cm = v.get("configMap", {}).get("name")
        if cm and cm not in config_maps:
            problems.append(f"{name}: volume ConfigMap {cm} does not exist")

for name, port in SERVICES.items():
    w = workloads.get(name)
    if not w:
        problems.append(f"workload {name} is missing")
        continue
    c = w["spec"]["template"]["spec"]["containers"][0]
    if c["readinessProbe"]["httpGet"]["path"] != "/q/health/ready":
        problems.append(f"{name}: readiness must be /q/health/ready")
    if c["livenessProbe"]["httpGet"]["path"] != "/q/health/live":
        problems.append(f"{name}: liveness must be /q/health/live")
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    if env.get("FLEETLINE_HTTP_PORT") != str(port) or c["ports"][0]["containerPort"] != port:
        problems.append(f"{name}: must listen on {port}")
    for required in ("FLEETLINE_DB_USER", "FLEETLINE_DB_PASSWORD", "FLEETLINE_MQTT_USERNAME", "FLEETLINE_MQTT_PASSWORD"):
        if required not in env:
            problems.append(f"{name}: {required} is not set")
    if name not in by_kind.get("HorizontalPodAutoscaler", {}):
        problems.append(f"{name}: no HorizontalPodAutoscaler")
    if name not in by_kind.get("PodDisruptionBudget", {}):
        problems.append(f"{name}: no PodDisruptionBudget")

for name, s in by_kind.get("Service", {}).items():
    if s["spec"].get("type") == "ExternalName":
        continue
    if not any(selects(s["spec"].get("selector"), labels_of(w)) for w in workloads.values()):
        problems.append(f"Service {name} selects no workload")

for name, h in by_kind.get("HorizontalPodAutoscaler", {}).items():
    if h["spec"]["scaleTargetRef"]["name"] not in workloads:
        problems.append(f"HPA {name} scales a missing workload")
    if h["spec"]["minReplicas"] > h["spec"]["maxReplicas"]:
        problems.append(f"HPA {name}: minReplicas > maxReplicas")

for name, p in by_kind.get("PodDisruptionBudget", {}).items():
    if not any(selects(p["spec"]["selector"]["matchLabels"], labels_of(w)) for w in workloads.values()):
        problems.append(f"PDB {name} selects no workload")

policies = by_kind.get("NetworkPolicy", {})
if "default-deny-ingress" not in policies:
    problems.append("no default-deny NetworkPolicy")
svc_policy = policies.get("services-from-gateway")
if not svc_policy or svc_policy["spec"]["ingress"][0]["from"][0].get("podSelector", {}).get("matchLabels") != {"app.kubernetes.io/name": "gateway"}:
    problems.append("the services must accept HTTP from the gateway only")
pg_policy = policies.get("postgres-from-services")
if not pg_policy or [peer.get("podSelector", {}).get("matchLabels") for peer in pg_policy["spec"]["ingress"][0]["from"]] \
        != [{"app.kubernetes.io/component": "service"}, {"app.kubernetes.io/component": "broker"}]:
    problems.append("PostgreSQL must accept connections from the services and the broker only")
redis_policy = policies.get("redis-from-services")
if not redis_policy or redis_policy["spec"]["ingress"][0]["from"][0].get("podSelector", {}).get("matchLabels") != {"app.kubernetes.io/component": "service"}:
    problems.append("Redis must accept connections from the services only")
if not by_kind.get("Ingress"):
    problems.append("no Ingress")

if problems:
    print("; ".join(problems))
    sys.exit(1)
print(f"{len(docs)} objects ({len(workloads)} workloads, {len(by_kind.get('HorizontalPodAutoscaler', {}))} HPAs, "
      f"{len(by_kind.get('PodDisruptionBudget', {}))} PDBs, {len(policies)} NetworkPolicies) rendered and consistent")
