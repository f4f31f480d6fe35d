#!/usr/bin/env bash
# Runs the API gateway for the local stack: Debian's nginx with deploy/gateway/nginx.conf rendered for
# this machine (upstreams on 127.0.0.1, pid, logs and temp files under .stack/gateway/).
#
#   deploy/gateway/run-local.sh start|stop|status|render|check
#
# Environment: FLEETLINE_STACK_DIR (default <repo>/.stack), FLEETLINE_GATEWAY_PORT (8080),
# FLEETLINE_REGISTRY_PORT (8081), FLEETLINE_TELEMETRY_PORT (8082), FLEETLINE_WEBHOOKS_PORT (8083).
# `start` installs nginx from Debian when it is absent and returns once the gateway listens.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${FLEETLINE_STACK_DIR:-$ROOT/.stack}/gateway"
CONF="$STATE/nginx.conf"
PIDFILE="$STATE/nginx.pid"
PORT="${FLEETLINE_GATEWAY_PORT:-8080}"

ensure_nginx() {
  if ! command -v nginx >/dev/null 2>&1; then
    echo "gateway: installing nginx-light from Debian" >&2
    # The package's own service stays off: policy-rc.d may refuse it, and the stack runs its own.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null; }
  fi
}

render() {
  mkdir -p "$STATE/tmp"
  sed -e "s|device-registry-service:8081|127.0.0.1:${FLEETLINE_REGISTRY_PORT:-8081}|" \
      -e "s|telemetry-service:8082|127.0.0.1:${FLEETLINE_TELEMETRY_PORT:-8082}|" \
      -e "s|webhook-gateway:8083|127.0.0.1:${FLEETLINE_WEBHOOKS_PORT:-8083}|" \
      -e "s|listen 8080 |listen 127.0.0.1:${PORT} |" \
      -e "s|^pid /tmp/nginx.pid;|pid $PIDFILE;|" \
      -e "s|^error_log /dev/stderr |error_log $STATE/error.log |" \
      -e "s|access_log /dev/stdout |access_log $STATE/access.log |" \
      -e "s|/tmp/nginx-|$STATE/tmp/|" \
      "$ROOT/deploy/gateway/nginx.conf" > "$CONF"
}

# -p keeps every relative path of nginx under .stack; -e replaces the compiled-in error log path,
# which nginx opens before it reads the configuration.
nginx_cmd() { nginx -p "$STATE/" -e "$STATE/error.log" -c "$CONF" "$@"; }

running() { [[ -s "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

case "${1:-}" in
  render)
    render; echo "$CONF" ;;
  check)
    ensure_nginx; render; nginx_cmd -t -q && echo "gateway: $CONF is valid" ;;
  start)
    ensure_nginx
    if running; then echo "gateway: already running (pid $(cat "$PIDFILE"))"; exit 0; fi
    render
    nginx_cmd -t -q
    nginx_cmd
    for _ in $(seq 1 50); do
      if curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/healthz" 2>/dev/null; then
        echo "gateway: listening on :${PORT} (pid $(cat "$PIDFILE"), logs in $STATE)"; exit 0
      fi
      sleep 0.1
    done
    echo "gateway: did not answer on :${PORT}; see $STATE/error.log" >&2; exit 1 ;;
  stop)
    if running; then
      pid="$(cat "$PIDFILE")"; kill -QUIT "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -TERM "$pid"
      echo "gateway: stopped"
    else
      echo "gateway: not running"
    fi ;;
  status)
    if running; then echo "gateway: running (pid $(cat "$PIDFILE")) on :${PORT}"; else echo "gateway: stopped"; exit 3; fi ;;
  *)
    echo "usage: $0 start|stop|status|render|check" >&2; exit 2 ;;
esac
