#!/usr/bin/env bash
# HTTP benchmarks driven by wrk (C, event-driven), for the routes where our Java generator is
# the bottleneck on this 2-core machine. Every run prints wrk's figures; `ingest` also prints the
# answers by status and checks them against the rows stored.
#
#   ./stack up && system-tests/wrk-bench.sh ingest [--devices 100] [--connections 64] [--duration 20s]
#   system-tests/wrk-bench.sh register [--connections 64] [--duration 20s]
#   system-tests/wrk-bench.sh load-10m            # 10,000,000 readings of 1,000 devices (SQL, ~minutes)
#   system-tests/wrk-bench.sh latest [--connections 16] [--duration 20s]
#   system-tests/wrk-bench.sh range  [--connections 8] [--duration 20s]
#
# ingest registers its devices through the API; register measures registration itself, then checks
# the rows and one new device's broker account; load-10m writes its devices and readings with SQL
# (generate_series), not through the API, and says how long that took. latest and range read those
# 1,000 devices, each request a random one.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scenario=${1:?usage: wrk-bench.sh ingest|register|load-10m|latest|range [--devices N] [--connections C] [--duration D]}
shift
devices=100 connections="" duration=20s
while [ $# -gt 0 ]; do
  case $1 in
    --devices) devices=$2 ;;
    --connections) connections=$2 ;;
    --duration) duration=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done

command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
REGISTRY=http://127.0.0.1:8081 TELEMETRY=http://127.0.0.1:8082
ADMIN=$(cat "$ROOT/.stack/admin.key")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
sql() { psql -h 127.0.0.1 -U postgres -d fleetline -qtAX "$@"; }

# A key of its own with a rate limit no run reaches; the admin key stays out of the load.
bench_key() {
  curl -fsS -X POST "$REGISTRY/api/v1/keys" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d "{\"name\":\"wrk-bench\",\"permissions\":[\"$1\"],\"rate_limit\":1000000}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["key"])'
}

# Each wrk thread counts its answers by status; done() adds them up and prints them.
cat >"$WORK/answers.lua" <<'EOF'
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("answers")) do total[status] = (total[status] or 0) + count end
  end
  for status, count in pairs(total) do io.write("   answered ", status, ": ", count, "\n") end
end
EOF

# A wrk script POSTing JSON with $key: request n (a Lua counter) goes to the Lua expression $2 with
# the body $3; answers are counted by status.
post_script() {
  cat >"$1" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
local n = 0
answers = {}
request = function()
  n = n + 1
  return wrk.format(nil, $2, nil, $3)
end
response = function(status) answers[status] = (answers[status] or 0) + 1 end
EOF
  cat "$WORK/answers.lua" >>"$1"
}

header() {
  echo "== wrk $scenario at $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
}

case $scenario in
  ingest)
    key=$(bench_key write)
    # Registered with the bench key: the admin key has the default limit (100 requests a minute).
    run="w$(date +%s)"
    for i in $(seq 1 "$devices"); do
      code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$REGISTRY/api/v1/devices" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d "{\"device_id\":\"wrk-ingest-$i\",\"name\":\"wrk ingest $i\"}")
      [ "$code" = 201 ] || [ "$code" = 409 ] || { echo "registering wrk-ingest-$i answered $code" >&2; exit 1; }
    done
    post_script "$WORK/ingest.lua" '"/api/v1/devices/wrk-ingest-" .. (n % '"$devices"' + 1) .. "/data"' \
      "'{\"temperature\":21.5,\"humidity\":40.2,\"pressure\":1013.2,\"battery\":3.91,\"msg_id\":\"$run-' .. n .. '\"}'"
    header
    echo "   single readings (POST /devices/{id}/data), $devices devices, ${connections:-64} connections, $duration"
    wrk -t1 -c"${connections:-64}" -d"$duration" --latency -s "$WORK/ingest.lua" "$TELEMETRY" | tee "$WORK/out"
    created=$(sed -n 's/^   answered 201: //p' "$WORK/out")
    stored=$(sql -c "SELECT count(*) FROM telemetry.readings WHERE device_id LIKE 'wrk-ingest-%' AND msg_id LIKE '$run-%'")
    echo "   stored $stored rows for ${created:-0} readings answered 201: loss $(( ${created:-0} - stored > 0 ? ${created:-0} - stored : 0 ))"
    ;;
  register)
    key=$(bench_key write)
    run="reg$(date +%s)"
    post_script "$WORK/register.lua" '"/api/v1/devices"' \
      "'{\"device_id\":\"$run-' .. n .. '\",\"name\":\"wrk register ' .. n .. '\",\"location\":\"bench\",\"config\":{\"sample_interval_s\":3600}}'"
    header
    echo "   registrations (POST /devices with a config; each device gets its broker account), ${connections:-64} connections, $duration"
    wrk -t1 -c"${connections:-64}" -d"$duration" --latency -s "$WORK/register.lua" "$REGISTRY" | tee "$WORK/out"
    created=$(sed -n 's/^   answered 201: //p' "$WORK/out")
    echo "   stored $(sql -c "SELECT count(*) FROM registry.devices WHERE device_id LIKE '$run-%'") devices and" \
      "$(sql -c "SELECT count(*) FROM registry.device_credentials WHERE device_id LIKE '$run-%'") broker accounts for ${created:-0} answered 201"
    # One more, whose password is read back and used: the accounts work at the broker after the run.
    password=$(curl -fsS -X POST "$REGISTRY/api/v1/devices" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d "{\"device_id\":\"$run-check\",\"name\":\"wrk register check\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["mqtt"]["password"])')
    if mosquitto_pub -h 127.0.0.1 -p "${FLEETLINE_MQTT_LOCAL_PORT:-1884}" -i "$run-check" -u "$run-check" -P "$password" -q 1 \
        -t "devices/$run-check/status" -m online; then
      echo "   $run-check connected to the broker with its new password and published"
    else
      echo "   $run-check could not publish with its new password" >&2; exit 1
    fi
    ;;
  load-10m)
    header
    started=$(date +%s)
    sql <<'EOF'
INSERT INTO registry.devices (device_id, name)
  SELECT format('q10m-%s', lpad(i::text, 4, '0')), format('query bench %s', i) FROM generate_series(1, 1000) i
  ON CONFLICT DO NOTHING;
DELETE FROM telemetry.latest WHERE device_id LIKE 'q10m-%';
DELETE FROM telemetry.readings WHERE device_id LIKE 'q10m-%';
DELETE FROM telemetry.metric_days WHERE device_id LIKE 'q10m-%';
-- 10,000 readings per device, one every 30 s, ending now: 83 hours, so 2,880 in the last 24 h.
DO $$
DECLARE day date;
BEGIN
  FOR day IN SELECT generate_series((now() - interval '84 hours')::date, now()::date, interval '1 day')::date LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS telemetry.readings_p%s PARTITION OF telemetry.readings'
      ' FOR VALUES FROM (%L) TO (%L)', to_char(day, 'YYYYMMDD'), day::timestamptz AT TIME ZONE 'UTC',
      (day + 1)::timestamptz AT TIME ZONE 'UTC');
  END LOOP;
END $$;
INSERT INTO telemetry.readings (device_id, ts, payload)
  SELECT format('q10m-%s', lpad(d::text, 4, '0')), date_trunc('second', now()) - s * interval '30 seconds',
         jsonb_build_object('temperature', round((20 + random() * 10)::numeric, 2), 'humidity', round((30 + random() * 40)::numeric, 1),
                            'pressure', round((990 + random() * 40)::numeric, 1), 'battery', round((3.3 + random())::numeric, 2))
  FROM generate_series(0, 9999) s, generate_series(1, 1000) d;
-- The metric catalog the readings writer keeps (the CSV export's header comes from it).
INSERT INTO telemetry.metric_days (device_id, day, metric)
  SELECT DISTINCT format('q10m-%s', lpad(d::text, 4, '0')), day::date, m
  FROM generate_series(1, 1000) d, generate_series((now() - interval '84 hours')::date, now()::date, interval '1 day') day,
       unnest(ARRAY['temperature', 'humidity', 'pressure', 'battery']) m
  ON CONFLICT DO NOTHING;
INSERT INTO telemetry.latest (device_id, reading_id, ts, received_at, payload)
  SELECT DISTINCT ON (device_id) device_id, id, ts, received_at, payload FROM telemetry.readings
  WHERE device_id LIKE 'q10m-%' AND ts > now() - interval '1 minute' ORDER BY device_id, ts DESC
  ON CONFLICT (device_id) DO UPDATE SET reading_id = EXCLUDED.reading_id, ts = EXCLUDED.ts, payload = EXCLUDED.payload;
ANALYZE telemetry.readings;
EOF
    echo "   loaded $(sql -c "SELECT count(*) FROM telemetry.readings WHERE device_id LIKE 'q10m-%'") readings of 1,000 devices in $(( $(date +%s) - started )) s"
    ;;
  latest | range)
    key=$(bench_key read)
    if [ "$scenario" = latest ]; then query=""; else query="?start=-24h&limit=10000"; fi
    cat >"$WORK/query.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $key"
answers = {}
request = function()
  return wrk.format("GET", string.format("/api/v1/devices/q10m-%04d/data$query", math.random(1, 1000)))
end
response = function(status) answers[status] = (answers[status] or 0) + 1 end
EOF
    cat "$WORK/answers.lua" >>"$WORK/query.lua"
    header
    echo "   GET /devices/{id}/data$( [ "$scenario" = range ] && echo '?start=-24h (2,880 readings)' || echo ' (latest)'), 1,000 devices of 10M readings, ${connections:-16} connections, $duration"
    wrk -t1 -c"${connections:-16}" -d"$duration" --latency -s "$WORK/query.lua" "$TELEMETRY"
    ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
