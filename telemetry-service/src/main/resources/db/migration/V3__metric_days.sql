-- Which metrics each device sent on each UTC day of device time (io.fleetline.commons.readings.
-- MetricCatalog, written with the readings). The CSV export's header comes from here, checked
-- against the requested range, so an export reads its readings once instead of twice. A device's
-- deletion removes its rows recorded up to then; retention removes whole expired days.
CREATE TABLE metric_days (
    device_id   text NOT NULL,
    day         date NOT NULL,
    metric      text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, day, metric)
);

-- Readings stored before this table existed.
INSERT INTO metric_days (device_id, day, metric)
    SELECT DISTINCT device_id, (ts AT TIME ZONE 'UTC')::date, k FROM readings, jsonb_object_keys(payload) AS k;
