-- Devices and their desired/reported configuration. Agreed schema (docs/architecture.md):
-- other services read device_id/name/type/metadata/config and the readings writer updates
-- last_seen/connectivity, so these columns are never renamed.
CREATE TABLE devices (
    seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- registration order, unique tiebreaker
    device_id        text PRIMARY KEY,
    name             text NOT NULL,
    type             text NOT NULL DEFAULT 'sensor',
    location         text,
    metadata         jsonb NOT NULL DEFAULT '{}',
    config           jsonb NOT NULL DEFAULT '{}',   -- desired configuration
    config_version   integer NOT NULL DEFAULT 1,
    reported_config  jsonb,
    reported_version integer,
    reported_at      timestamptz,
    registered_at    timestamptz NOT NULL DEFAULT now(),
    last_seen        timestamptz,                   -- only changes when the device is heard from
    connectivity     text NOT NULL DEFAULT 'unknown' CHECK (connectivity IN ('unknown','online','offline')),
    -- highest config_version acknowledged by the broker on devices/{id}/config; a re-publisher
    -- retries every device whose desired config is newer, so a broker outage loses nothing
    config_published_version integer NOT NULL DEFAULT 0
);

-- newest first with seq as the unique tiebreaker: one index walk per page
CREATE INDEX devices_registered_idx ON devices (registered_at DESC, seq DESC);
CREATE INDEX devices_type_idx ON devices (type);
CREATE INDEX devices_unpublished_config_idx ON devices (device_id)
    WHERE config_published_version < config_version;
