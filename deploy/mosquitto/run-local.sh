#!/usr/bin/env bash
# Runs the platform's authenticated Mosquitto for the local stack, beside the machine's own broker:
# deploy/mosquitto/mosquitto.conf rendered for this machine (the device-account plugin built from
# device-auth/ into .stack/mosquitto/ and reading the stack's database, Debian's dynsec plugin, data
# and logs under .stack/mosquitto/, one listener on 127.0.0.1:1884, no TLS), then provision.sh.
#
#   deploy/mosquitto/run-local.sh start|stop|status|render
#
# On first start it generates the admin and service-account passwords into
# .stack/mosquitto/secrets.env (mode 600) and writes one env file per client under
# .stack/mosquitto/env/: <module>.env holds FLEETLINE_MQTT_HOST/PORT/USERNAME/PASSWORD for that
# service, system-tests.env the same for the black-box tests. Environment: FLEETLINE_STACK_DIR
# (default <repo>/.stack), FLEETLINE_MQTT_LOCAL_PORT (1884), and the database the device accounts are
# read from: FLEETLINE_DB_HOST (127.0.0.1), FLEETLINE_DB_PORT (5432), FLEETLINE_DB_NAME (fleetline),
# FLEETLINE_DB_USER (postgres), FLEETLINE_DB_PASSWORD (none).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${FLEETLINE_STACK_DIR:-$ROOT/.stack}/mosquitto"
CONF="$STATE/mosquitto.conf"
PIDFILE="$STATE/mosquitto.pid"
PORT="${FLEETLINE_MQTT_LOCAL_PORT:-1884}"
PLUGIN="$(dpkg -L mosquitto 2>/dev/null | grep -m1 'mosquitto_dynamic_security.so$' || echo /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so)"
DEVICE_AUTH="$STATE/fleetline_device_auth.so"
CONNINFO="host=${FLEETLINE_DB_HOST:-127.0.0.1} port=${FLEETLINE_DB_PORT:-5432} dbname=${FLEETLINE_DB_NAME:-fleetline} user=${FLEETLINE_DB_USER:-postgres}"

ensure_mosquitto() {
  if ! command -v mosquitto >/dev/null 2>&1 || ! command -v mosquitto_ctrl >/dev/null 2>&1 \
      || [[ ! -f /usr/include/mosquitto_broker.h || ! -f "$(pg_config --includedir 2>/dev/null)/libpq-fe.h" || ! -f /usr/include/openssl/evp.h ]]; then
    echo "mosquitto: installing mosquitto, its clients and the plugin's build dependencies from Debian" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mosquitto mosquitto-clients mosquitto-dev libpq-dev libssl-dev gcc make >/dev/null
  fi
}

# The device-account plugin, rebuilt when its source is newer.
build_device_auth() {
  mkdir -p "$STATE"
  make -s -C "$ROOT/deploy/mosquitto/device-auth" OUT="$STATE" >&2
}

render() {
  mkdir -p "$STATE/data"
  # Running as root, Mosquitto would switch to the `mosquitto` user, who cannot write .stack/.
  { echo "user $(id -un)"; echo "pid_file $PIDFILE"
    sed -e "s|^plugin /usr/lib/mosquitto_dynamic_security.so|plugin $PLUGIN|" \
        -e "s|^plugin /usr/lib/fleetline_device_auth.so|plugin $DEVICE_AUTH\nplugin_opt_conninfo $CONNINFO|" \
        -e "s|/mosquitto/data/|$STATE/data/|" \
        -e "s|^log_dest stdout|log_dest file $STATE/mosquitto.log|" \
        -e "s|^listener 1883\$|listener $PORT 127.0.0.1|" \
        -e '/^# --- TLS listener/,/^# --- end TLS listener/d' \
        "$ROOT/deploy/mosquitto/mosquitto.conf"; } > "$CONF"
}

secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }

ensure_secrets() {
  mkdir -p "$STATE/data" "$STATE/env"
  if [[ ! -s "$STATE/secrets.env" ]]; then
    (umask 077; { echo "MQTT_ADMIN_USERNAME=_admin"
      for name in ADMIN REGISTRY TELEMETRY WEBHOOKS INGEST SYSTEM_TESTS; do echo "MQTT_${name}_PASSWORD=$(secret)"; done
    } > "$STATE/secrets.env")
  fi
  set -a; . "$STATE/secrets.env"; set +a
  local module user password
  for module in device-registry-service:_registry:$MQTT_REGISTRY_PASSWORD \
                telemetry-service:_telemetry:$MQTT_TELEMETRY_PASSWORD \
                webhook-gateway:_webhooks:$MQTT_WEBHOOKS_PASSWORD \
                ingest-bridge:_ingest:$MQTT_INGEST_PASSWORD \
                system-tests:_system-tests:$MQTT_SYSTEM_TESTS_PASSWORD; do
    IFS=: read -r module user password <<<"$module"
    (umask 077; printf 'FLEETLINE_MQTT_HOST=127.0.0.1\nFLEETLINE_MQTT_PORT=%s\nFLEETLINE_MQTT_USERNAME=%s\nFLEETLINE_MQTT_PASSWORD=%s\n' \
      "$PORT" "$user" "$password" > "$STATE/env/$module.env")
  done
  # Only provision.sh uses the admin password: device accounts are rows in PostgreSQL.
  if [[ ! -f "$STATE/data/dynamic-security.json" ]]; then
    mosquitto_ctrl dynsec init "$STATE/data/dynamic-security.json" "$MQTT_ADMIN_USERNAME" "$MQTT_ADMIN_PASSWORD" >/dev/null
  fi
}

running() { [[ -s "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
listening() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; }

case "${1:-}" in
  render)
    render; echo "$CONF" ;;
  start)
    ensure_mosquitto
    mkdir -p "$STATE"
    ensure_secrets
    build_device_auth
    if ! running; then
      render
      env ${FLEETLINE_DB_PASSWORD:+PGPASSWORD="$FLEETLINE_DB_PASSWORD"} mosquitto -d -c "$CONF"
      for _ in $(seq 1 50); do listening && break; sleep 0.1; done
      listening || { echo "mosquitto: did not listen on :$PORT; see $STATE/mosquitto.log" >&2; exit 1; }
    fi
    MQTT_HOST=127.0.0.1 MQTT_PORT="$PORT" "$ROOT/deploy/mosquitto/provision.sh" >/dev/null
    echo "mosquitto: listening on 127.0.0.1:$PORT (pid $(cat "$PIDFILE")); client settings in $STATE/env/<module>.env" ;;
  stop)
    if running; then
      pid="$(cat "$PIDFILE")"; kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "mosquitto: stopped"
    else
      echo "mosquitto: not running"
    fi ;;
  status)
    if running; then echo "mosquitto: running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT"; else echo "mosquitto: stopped"; exit 3; fi ;;
  *)
    echo "usage: $0 start|stop|status|render" >&2; exit 2 ;;
esac
