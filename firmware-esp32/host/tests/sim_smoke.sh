#!/usr/bin/env bash
# fleetline-sim end to end on the Linux platform: readings over MQTT to a private
# mosquitto, then over the HTTP fallback to a fake API when no broker answers.
# Exits 77 (skipped) when mosquitto, mosquitto_sub or python3 is missing.
set -euo pipefail

sim="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mosquitto="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
for tool in "$mosquitto" mosquitto_sub python3; do
    command -v "$tool" >/dev/null || { echo "skipping: $tool not installed"; exit 77; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for_port() {
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listening on port $1"; exit 1
}
fail() { echo "FAIL: $*"; cat "$work"/*.err; exit 1; }

mqtt_port="$(free_port)"; api_port="$(free_port)"; closed_port="$(free_port)"
key="swk_$(printf '%048d' 0 | tr 0 a)"
"$mosquitto" -p "$mqtt_port" >"$work/broker.log" 2>&1 & pids+=($!)
python3 "$here/fake_api.py" "$api_port" "$key" "$work/api.log" & pids+=($!)
wait_for_port "$mqtt_port"; wait_for_port "$api_port"
mosquitto_sub -p "$mqtt_port" -q 1 -t 'devices/+/telemetry' >"$work/mqtt.log" & pids+=($!)
sleep 0.3

export FLEETLINE_API_KEY="$key"
common=(--devices 2 --interval 100ms --count 3 --api "http://127.0.0.1:$api_port")

"$sim" "${common[@]}" --broker "mqtt://127.0.0.1:$mqtt_port" --prefix smoke-mqtt- \
    2>"$work/mqtt.err" || fail "MQTT run exited $?"
sleep 0.3
[ "$(grep -c msg_id "$work/mqtt.log")" -eq 6 ] || fail "expected 6 readings over MQTT"

"$sim" "${common[@]}" --broker "mqtt://127.0.0.1:$closed_port" --prefix smoke-http- \
    2>"$work/http.err" || fail "HTTP run exited $?"
[ "$(grep -c '^smoke-http-00[12] [0-9]* new$' "$work/api.log")" -eq 6 ] \
    || fail "expected 6 readings over HTTP"
grep -q "falling back to HTTP" "$work/http.err" || fail "no fallback logged"

! grep -q "$key" "$work"/*.err || fail "the API key was printed"
echo "sim smoke test passed"
