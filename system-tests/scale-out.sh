#!/usr/bin/env bash
# The scale-out proof of docs/scaling.md, on one machine: two replicas each of ingest-bridge and
# webhook-gateway (same broker, same database), then the same load while one bridge replica is
# killed with -9, while Mosquitto restarts and while PostgreSQL restarts. Every step prints the
# load generator's figures: PUBACKed vs stored readings (loss, duplicates), presence events per
# device, webhook deliveries (missing, duplicates).
#
#   ./stack up && system-tests/scale-out.sh [--devices 1000 --rate 10 --duration 60s]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
load=("$@")
[ ${#load[@]} -gt 0 ] || load=(--devices 1000 --rate 10 --duration 60s)

step() { printf '\n### %s\n' "$*"; }
pid() { cat ".stack/pids/$1.pid"; }
# Runs `action` in the background `delay` seconds from now, while the caller runs the load.
after() {
  local delay=$1
  shift
  (sleep "$delay"; printf '    [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; eval "$*" >/dev/null 2>&1) &
}

step "Two replicas of ingest-bridge and webhook-gateway"
./stack scale 2
./stack status

step "1. MQTT ingest, two bridge replicas sharing \$share/ingest-bridge"
./stack bench ingest "${load[@]}"

step "2. The same, one bridge replica killed with -9 20 s in (its session keeps the backlog), restarted 10 s later"
after 20 "kill -9 $(pid ingest-bridge-2)"
after 30 "rm -f .stack/pids/ingest-bridge-2.pid; ./stack scale 2"
./stack bench ingest "${load[@]}"
wait

step "3. The same, Mosquitto restarted 20 s in (publishers lose their connection; what was PUBACKed must be stored)"
after 20 "deploy/mosquitto/run-local.sh stop; deploy/mosquitto/run-local.sh start"
./stack bench ingest "${load[@]}"
wait

step "4. The same, PostgreSQL restarted 20 s in (the bridges hold their acks until a batch commits)"
after 20 "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort -V | tail -1) main restart"
./stack bench ingest "${load[@]}"
wait

step "5. Presence with two bridge replicas: one device_online and one device_offline per transition"
./stack bench presence --devices 200

step "6. Webhooks with two gateway replicas, one killed with -9 20 s in and restarted 10 s later"
after 20 "kill -9 $(pid webhook-gateway-2)"
after 30 "rm -f .stack/pids/webhook-gateway-2.pid; ./stack scale 2"
./stack bench webhooks --endpoints 4 --stuck 0 --duration 40s
wait

step "Back to one replica each"
./stack scale 1
