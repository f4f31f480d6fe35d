#!/usr/bin/env bash
# Validates every deployment file with the tools that run on this machine, and says what it checked.
# Exits non-zero when any file is invalid. Called by .ci/run; run it by hand after editing deploy/.
#
#   deploy/validate.sh
#
# Tools (Debian packages, installed here when absent and running as root): nginx-light (nginx -t),
# mosquitto + mosquitto-clients (the broker starts with the full config and provisioning runs twice),
# prometheus (promtool), python3-yaml (YAML parsing and the structural checks), openssl, and kubectl
# (kustomize v4 or later) for rendering the overlays. docker compose is not needed: the compose file is
# checked by system-tests' ComposeConfigTest (surefire) against the services' real configuration.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPLOY="$ROOT/deploy"
WORK="$(mktemp -d)"
FAILED=0
MOSQUITTO_PID=""
cleanup() {
  [[ -n "$MOSQUITTO_PID" ]] && kill "$MOSQUITTO_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

ok()   { echo "  ok    $*"; }
fail() { echo "  FAIL  $*"; FAILED=1; }
skip() { echo "  skip  $*"; }

need() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  if [[ "$(id -u)" == 0 ]]; then
    echo "validate: installing $2 for $1"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1; }
  fi
  command -v "$1" >/dev/null 2>&1
}
PY=/usr/bin/python3
need_pyyaml() {
  "$PY" -c 'import yaml' 2>/dev/null && return 0
  [[ "$(id -u)" == 0 ]] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-yaml >/dev/null 2>&1
  "$PY" -c 'import yaml' 2>/dev/null
}
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== YAML and JSON syntax"
if need_pyyaml; then
  while IFS= read -r f; do
    if "$PY" -c 'import sys,yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$f" 2>"$WORK/err"; then ok "${f#$ROOT/}"
    else fail "${f#$ROOT/}: $(tail -1 "$WORK/err")"; fi
  done < <(find "$DEPLOY" -name '*.yaml' -o -name '*.yml' | sort)
  while IFS= read -r f; do
    if "$PY" -c 'import sys,json; json.load(open(sys.argv[1]))' "$f" 2>"$WORK/err"; then ok "${f#$ROOT/}"
    else fail "${f#$ROOT/}: $(tail -1 "$WORK/err")"; fi
  done < <(find "$DEPLOY" -name '*.json' | sort)
else
  fail "python3 with PyYAML is needed (apt-get install python3-yaml)"
fi

echo "== Shell scripts (bash -n / sh -n)"
for f in "$DEPLOY"/validate.sh "$DEPLOY"/gateway/*.sh "$DEPLOY"/mosquitto/*.sh; do
  shell=bash; head -1 "$f" | grep -q '/bin/sh$' && shell=sh
  if "$shell" -n "$f" 2>"$WORK/err"; then ok "${f#$ROOT/} ($shell)"; else fail "${f#$ROOT/}: $(cat "$WORK/err")"; fi
done

echo "== Copies kustomize needs inside deploy/k8s/base"
for pair in gateway/nginx.conf:k8s/base/gateway-nginx.conf mosquitto/mosquitto.conf:k8s/base/mosquitto.conf \
            mosquitto/provision.sh:k8s/base/mosquitto-provision.sh; do
  src="${pair%%:*}"; copy="${pair##*:}"
  if cmp -s "$DEPLOY/$src" "$DEPLOY/$copy"; then ok "deploy/$copy equals deploy/$src"
  else fail "deploy/$copy differs from deploy/$src (cp deploy/$src deploy/$copy)"; fi
done

echo "== API gateway (nginx -t)"
if need nginx nginx-light; then
  gw_port="$(free_port)"
  if FLEETLINE_STACK_DIR="$WORK/stack" FLEETLINE_GATEWAY_PORT="$gw_port" "$DEPLOY/gateway/run-local.sh" check >"$WORK/nginx.out" 2>&1; then
    ok "deploy/gateway/nginx.conf (rendered for the local stack, nginx $(nginx -v 2>&1 | sed 's|.*/||'))"
  else
    fail "deploy/gateway/nginx.conf: $(cat "$WORK/nginx.out")"
  fi
else
  fail "nginx is not installed (apt-get install nginx-light)"
fi

echo "== MQTT broker (the full config, TLS listener included, started for real)"
if need mosquitto mosquitto && need mosquitto_ctrl mosquitto-clients && need openssl openssl; then
  m="$WORK/mosquitto"; mkdir -p "$m/data"
  plain="$(free_port)"; tls="$(free_port)"
  plugin="$(dpkg -L mosquitto 2>/dev/null | grep -m1 'mosquitto_dynamic_security.so$')"
  make -s -C "$DEPLOY/mosquitto/device-auth" OUT="$m"
  "$DEPLOY/mosquitto/make-cert.sh" localhost "$m/certs" >/dev/null
  { echo "user $(id -un)"
    sed -e "s|^plugin /usr/lib/mosquitto_dynamic_security.so|plugin $plugin|" \
        -e "s|^plugin /usr/lib/fleetline_device_auth.so|plugin $m/fleetline_device_auth.so|" \
        -e "s|/mosquitto/data/|$m/data/|" -e "s|/mosquitto/certs/|$m/certs/|" \
        -e "s|^log_dest stdout|log_dest file $m/mosquitto.log|" \
        -e "s|^listener 1883\$|listener $plain 127.0.0.1|" -e "s|^listener 8883\$|listener $tls 127.0.0.1|" \
        "$DEPLOY/mosquitto/mosquitto.conf"; } > "$m/mosquitto.conf"
  admin_pw="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  mosquitto_ctrl dynsec init "$m/data/dynamic-security.json" _admin "$admin_pw" >/dev/null
  mosquitto -c "$m/mosquitto.conf" >"$m/stdout" 2>&1 &
  MOSQUITTO_PID=$!
  up=0
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$plain") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$tls") 2>/dev/null; then up=1; break; fi
    kill -0 "$MOSQUITTO_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ $up == 1 ]]; then
    ok "deploy/mosquitto/mosquitto.conf: broker $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}') started with the device-account and dynsec plugins, listeners 1883 and 8883 (TLS)"
    pw() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }
    export MQTT_HOST=127.0.0.1 MQTT_PORT="$plain" MQTT_ADMIN_PASSWORD="$admin_pw" MQTT_REGISTRY_PASSWORD="$(pw)" \
           MQTT_TELEMETRY_PASSWORD="$(pw)" MQTT_WEBHOOKS_PASSWORD="$(pw)" MQTT_INGEST_PASSWORD="$(pw)"
    if "$DEPLOY/mosquitto/provision.sh" >"$m/p1" 2>&1 && "$DEPLOY/mosquitto/provision.sh" >"$m/p2" 2>&1; then
      ok "deploy/mosquitto/provision.sh: provisioned, and again (idempotent)"
    else
      fail "deploy/mosquitto/provision.sh: $(cat "$m/p1" "$m/p2" 2>/dev/null | tail -3)"
    fi
    if mosquitto_sub -h 127.0.0.1 -p "$plain" -u _ingest -P "$MQTT_INGEST_PASSWORD" -t '$share/ingest/devices/+/telemetry' -W 1 >/dev/null 2>"$m/sub"; \
       grep -q "denied\|refused\|not authori" "$m/sub"; then
      fail "service account _ingest could not subscribe to its shared subscription: $(cat "$m/sub")"
    else
      ok "service account _ingest subscribes to \$share/ingest/devices/+/telemetry"
    fi
    if mosquitto_pub -h 127.0.0.1 -p "$plain" -t devices/x/telemetry -m '{}' 2>/dev/null; then
      fail "an anonymous client was accepted"
    else
      ok "an anonymous client is refused"
    fi
  else
    fail "deploy/mosquitto/mosquitto.conf: the broker did not start: $(tail -3 "$m/mosquitto.log" "$m/stdout" 2>/dev/null)"
  fi
  kill "$MOSQUITTO_PID" 2>/dev/null; wait "$MOSQUITTO_PID" 2>/dev/null; MOSQUITTO_PID=""
else
  fail "mosquitto, mosquitto-clients and openssl are needed"
fi

echo "== Prometheus (promtool)"
if need promtool prometheus; then
  if promtool check config "$DEPLOY/prometheus/prometheus.yml" >"$WORK/prom" 2>&1; then ok "deploy/prometheus/prometheus.yml and its rule files"
  else fail "deploy/prometheus/prometheus.yml: $(cat "$WORK/prom")"; fi
  for f in "$DEPLOY"/prometheus/rules/*.yml; do
    if promtool check rules "$f" >"$WORK/prom" 2>&1; then ok "${f#$ROOT/}: $(grep -o '[0-9]* rules found' "$WORK/prom")"
    else fail "${f#$ROOT/}: $(cat "$WORK/prom")"; fi
  done
  # Every dashboard query must parse as PromQL: check them as recording rules.
  for f in "$DEPLOY"/grafana/dashboards/*.json; do
    "$PY" - "$f" >"$WORK/dashboard-rules.yml" <<'PYEOF'
import json, sys, yaml
panels = json.load(open(sys.argv[1]))["panels"]
exprs = [t["expr"] for p in panels for t in p.get("targets", [])]
rules = [{"record": f"dashboard:query_{i}", "expr": e} for i, e in enumerate(exprs)]
print(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
PYEOF
    if promtool check rules "$WORK/dashboard-rules.yml" >"$WORK/prom" 2>&1; then
      ok "${f#$ROOT/}: $(grep -o '[0-9]* rules found' "$WORK/prom" | sed 's/rules found/PromQL queries parse/')"
    else fail "${f#$ROOT/}: $(cat "$WORK/prom")"; fi
  done
  for f in "$DEPLOY"/prometheus/tests/*.yml; do
    [[ -f "$f" ]] || continue
    if (cd "$(dirname "$f")" && promtool test rules "$(basename "$f")") >"$WORK/prom" 2>&1; then ok "${f#$ROOT/}: alert unit tests pass"
    else fail "${f#$ROOT/}: $(tail -5 "$WORK/prom")"; fi
  done
else
  fail "promtool is not installed (apt-get install prometheus)"
fi

echo "== Kubernetes (kubectl kustomize, then structural checks of the rendered objects)"
if command -v kubectl >/dev/null 2>&1 && kubectl version --client 2>/dev/null | grep -q 'Kustomize Version: v[4-9]'; then
  for dir in base overlays/dev overlays/prod; do
    if kubectl kustomize "$DEPLOY/k8s/$dir" >"$WORK/k8s.yaml" 2>"$WORK/err"; then
      if "$PY" "$DEPLOY/k8s/check-rendered.py" "$dir" <"$WORK/k8s.yaml" >"$WORK/check" 2>&1; then
        ok "deploy/k8s/$dir: $(cat "$WORK/check")"
      else
        fail "deploy/k8s/$dir: $(cat "$WORK/check")"
      fi
    else
      fail "deploy/k8s/$dir does not render: $(cat "$WORK/err")"
    fi
  done
else
  skip "kubectl with kustomize v4+ is not on this machine: overlays not rendered (YAML syntax checked above)"
fi

if [[ $FAILED == 0 ]]; then echo "validate: every deployment file is valid"; else echo "validate: INVALID files above"; fi
exit $FAILED
