#!/bin/sh
# Creates the platform's roles and service accounts in a running Mosquitto with the dynamic
# security plugin (device accounts are not here: they live in PostgreSQL, see mosquitto.conf).
# Idempotent: run it after every broker start (local stack, compose's mosquitto-provision service,
# the Kubernetes provisioning Job); an existing role, ACL or client is kept and a service account's
# password is reset to the configured one.
#
# Environment:
#   MQTT_HOST (127.0.0.1), MQTT_PORT (1883)
#   MQTT_ADMIN_USERNAME (_admin), MQTT_ADMIN_PASSWORD         the dynsec admin created by `dynsec init`
#   MQTT_REGISTRY_PASSWORD, MQTT_TELEMETRY_PASSWORD,
#   MQTT_WEBHOOKS_PASSWORD, MQTT_INGEST_PASSWORD              one account per service (required)
#   MQTT_SYSTEM_TESTS_PASSWORD                                optional: an account for black-box tests
#
# Accounts start with "_", which a device id cannot (^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$), so a
# device can never be registered under a service's user name.
set -eu

: "${MQTT_ADMIN_PASSWORD:?MQTT_ADMIN_PASSWORD is required}"
HOST="${MQTT_HOST:-127.0.0.1}"
PORT="${MQTT_PORT:-1883}"
ADMIN="${MQTT_ADMIN_USERNAME:-_admin}"

dynsec() {
  mosquitto_ctrl -h "$HOST" -p "$PORT" -u "$ADMIN" -P "$MQTT_ADMIN_PASSWORD" dynsec "$@" 2>&1 \
    | grep -v -e 'without encryption' -e 'visible on the network' -e '^$' || true
}

# Runs one dynsec command; "already exists" is success (idempotent), any other error stops us.
# mosquitto_ctrl exits 0 even when the broker refuses a command, so its output is what we read.
ctrl() {
  out=$(dynsec "$@")
  case "$out" in
    ""|*"already exists"*) ;;
    *) echo "provision: dynsec $1 $2: $out" >&2; exit 1 ;;
  esac
}

# Services: read and write device topics and platform events, and share subscriptions between
# replicas ($share/<service>/...).
ctrl createRole platform-service
for topic in 'devices/#' 'platform/#'; do
  ctrl addRoleACL platform-service publishClientSend "$topic" allow
  ctrl addRoleACL platform-service subscribePattern "$topic" allow
  ctrl addRoleACL platform-service subscribePattern "\$share/+/$topic" allow
done

# The registry disconnects a device after rotating or deleting its credentials, through the
# device-account plugin's control topic (device-auth/fleetline_device_auth.c).
ctrl createRole device-accounts
ctrl addRoleACL device-accounts publishClientSend '$CONTROL/fleetline-devices/#' allow

account() { # user password role...
  user=$1; password=$2; shift 2
  ctrl createClient "$user" -p "$password"
  ctrl setClientPassword "$user" "$password"
  # Mosquitto 2.0 answers "Internal error" when a client already holds the role: ask first.
  roles=$(dynsec getClient "$user")
  for role in "$@"; do
    echo "$roles" | grep -q -E "(^|[[:space:]])$role \\(priority" || ctrl addClientRole "$user" "$role"
  done
}

account _registry "${MQTT_REGISTRY_PASSWORD:?MQTT_REGISTRY_PASSWORD is required}" platform-service device-accounts
account _telemetry "${MQTT_TELEMETRY_PASSWORD:?MQTT_TELEMETRY_PASSWORD is required}" platform-service
account _webhooks "${MQTT_WEBHOOKS_PASSWORD:?MQTT_WEBHOOKS_PASSWORD is required}" platform-service
account _ingest "${MQTT_INGEST_PASSWORD:?MQTT_INGEST_PASSWORD is required}" platform-service
if [ -n "${MQTT_SYSTEM_TESTS_PASSWORD:-}" ]; then
  account _system-tests "$MQTT_SYSTEM_TESTS_PASSWORD" platform-service
fi
echo "provision: roles platform-service, device-accounts; accounts _registry _telemetry _webhooks _ingest${MQTT_SYSTEM_TESTS_PASSWORD:+ _system-tests}"
