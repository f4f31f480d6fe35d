-- Commands and their lifecycle (pending -> sent -> delivered -> succeeded|failed, or expired).
-- Deleting a device deletes its commands.
CREATE TABLE commands (
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- creation order, unique tiebreaker
    command_id   text PRIMARY KEY,
    device_id    text NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
    command      text NOT NULL,
    params       jsonb NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending','sent','delivered','succeeded','failed','expired')),
    ttl_s        integer NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    sent_at      timestamptz,
    delivered_at timestamptz,
    completed_at timestamptz,   -- succeeded or failed
    expired_at   timestamptz,
    result       jsonb
);

CREATE INDEX commands_device_idx ON commands (device_id, created_at DESC, seq DESC);
CREATE INDEX commands_open_idx ON commands (expires_at) WHERE status IN ('pending','sent','delivered');

-- Messages to devices waiting for the broker: retained desired config, retained-topic clears
-- after a delete (empty payload), and commands. Written in the transaction of the change, published
-- in id order by the device-message relay and deleted after the PUBACK, so a broker outage
-- delays them and loses none.
CREATE TABLE device_messages (
    id             bigserial PRIMARY KEY,
    device_id      text NOT NULL,
    topic          text NOT NULL,
    payload        text NOT NULL,
    retain         boolean NOT NULL,
    config_version integer,   -- set for devices/{id}/config messages
    command_id     text,      -- set for devices/{id}/commands messages
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX device_messages_device_idx ON device_messages (device_id);
CREATE INDEX device_messages_command_idx ON device_messages (command_id) WHERE command_id IS NOT NULL;
