-- Readings store of the telemetry schema. Written only by the shared readings writer
-- (io.fleetline.commons.readings) from two callers: telemetry-service HTTP ingest and ingest-bridge.

CREATE SEQUENCE readings_id_seq;

-- Range-partitioned by device time; telemetry-service creates the time partitions ahead and drops
-- expired ones whole. The default partition catches anything outside the created range.
CREATE TABLE readings (
    id          bigint NOT NULL DEFAULT nextval('readings_id_seq'),
    device_id   text NOT NULL,
    ts          timestamptz NOT NULL,          -- device time; arrival time when the device sent none
    received_at timestamptz NOT NULL DEFAULT now(),
    msg_id      text,
    payload     jsonb NOT NULL,                -- the metrics only (no ts, msg_id, device_id)
    PRIMARY KEY (device_id, ts, id)
) PARTITION BY RANGE (ts);
CREATE TABLE readings_default PARTITION OF readings DEFAULT;

-- Idempotency: key = 'm:' || msg_id, or 't:' || device ts (epoch micros) when only ts was sent;
-- a reading with neither is always stored. A separate table because a unique constraint on a
-- partitioned table must include the partition key (ts), which a msg_id key cannot.
CREATE TABLE reading_keys (
    device_id  text NOT NULL,
    key        text NOT NULL,
    reading_id bigint NOT NULL,
    ts         timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, key)
);

-- Latest reading per device by device time (not arrival order).
CREATE TABLE latest (
    device_id   text PRIMARY KEY,
    reading_id  bigint NOT NULL,
    ts          timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    payload     jsonb NOT NULL
);
